import type { EventEnvelope } from '../events/envelope';
import type { Commit } from '../eventsourcing/commit';
import { StorageUnavailableError } from '../storage/storage-unavailable';

/**
 * Crash points for durability tests, off unless FAULT_CRASH_AT names one:
 *   after-append:<EventType>  dies right after such an event is committed, before its view and publish;
 *   in-handler:<EventType>    dies when a consumer starts handling such an event;
 *   timeout-after-append:<EventType>  the first such commit fails as a write that timed out after it was
 *                             committed would (StorageUnavailableError, 503), then the process goes on.
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
  let timedOut = false;
  return {
    afterAppend: (commit) => {
      if (!commit.events.some((event) => event.eventType === eventType)) return;
      if (point === 'after-append') die();
      if (point === 'timeout-after-append' && !timedOut) {
        timedOut = true;
        throw new StorageUnavailableError(`fault injected: timed out after committing ${eventType}`);
      }
    },
    inHandler: (event) => {
      if (point === 'in-handler' && event.eventType === eventType) die();
    },
  };
}
