import type { EventEnvelope } from '../events/envelope';
import type { Commit } from '../eventsourcing/commit';

/**
 * Crash points for durability tests, off unless FAULT_CRASH_AT names one:
 *   after-append:<EventType>  dies right after such an event is committed, before its view and publish;
 *   in-handler:<EventType>    dies when a consumer starts handling such an event.
 * Dying is SIGKILL on itself: no cleanup, no finally blocks, exactly a `kill -9`.
 */
export interface FaultInjection {
  afterAppend(commit: Commit): void;
  inHandler(event: EventEnvelope): void;
}

export const noFaults: FaultInjection = { afterAppend: () => undefined, inHandler: () => undefined };

export function faultInjectionFrom(spec: string | undefined): FaultInjection {
  if (!spec) return noFaults;
  const [point, eventType] = spec.split(':');
  const die = (): never => {
    process.kill(process.pid, 'SIGKILL');
    throw new Error('unreachable: SIGKILL sent to self');
  };
  return {
    afterAppend: (commit) => {
      if (point === 'after-append' && commit.events.some((event) => event.eventType === eventType)) die();
    },
    inHandler: (event) => {
      if (point === 'in-handler' && event.eventType === eventType) die();
    },
  };
}
