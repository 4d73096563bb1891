import type { EventEnvelope } from '../events/envelope';
import type { Commit } from '../eventsourcing/commit';
import { StorageUnavailableError } from '../storage/storage-unavailable';

/**
 * Crash points for durability tests, off unless FAULT_CRASH_AT names one:
 *   after-append:<EventType>  dies right after such an event is committed, before its view and publish;
 *   in-handler:<EventType>    dies when a consumer starts handling such an event;
 *   timeout-after-append:<EventType>  the first such commit fails as a write that timed out after it was
 *                             committed would (StorageUnavailableError, 503), then the process goes on;
 *   timeout-before-append:<EventType>  the first append of such an event fails the same way, uncommitted.
 * Dying is SIGKILL on itself: no cleanup, no finally blocks, exactly a `kill -9`.
 */
export interface FaultInjection {
  beforeAppend(events: readonly EventEnvelope[]): void;
  afterAppend(commit: Commit): void;
  inHandler(event: EventEnvelope): void;
}

export const noFaults: FaultInjection = {
  beforeAppend: () => undefined,
  afterAppend: () => undefined,
  inHandler: () => undefined,
};

export function faultInjectionFrom(spec: string | undefined): FaultInjection {
  if (!spec) return noFaults;
  const [point, eventType] = spec.split(':');
  const die = (): never => {
    process.kill(process.pid, 'SIGKILL');
    throw new Error('unreachable: SIGKILL sent to self');
  };
  let timedOut = false;
  const timeOutOnce = (at: string): void => {
    if (point !== `timeout-${at}` || timedOut) return;
    timedOut = true;
    throw new StorageUnavailableError(`fault injected: timed out ${at} ${eventType}`);
  };
  const holds = (events: readonly EventEnvelope[]) => events.some((event) => event.eventType === eventType);
  return {
    beforeAppend: (events) => {
      if (holds(events)) timeOutOnce('before-append');
    },
    afterAppend: (commit) => {
      if (!holds(commit.events)) return;
      if (point === 'after-append') die();
      timeOutOnce('after-append');
    },
    inHandler: (event) => {
      if (point === 'in-handler' && event.eventType === eventType) die();
    },
  };
}
