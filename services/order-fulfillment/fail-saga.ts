import type { EventEnvelope } from '../../src/events/envelope';
import type { SagaStateStore } from '../../src/sagas/saga-state-store';

/**
 * A saga event a participant kept failing on ends its saga FAILED, with the reason, for an operator; the
 * record remembers the parking, so a replay of the event can resume the saga (reopenSagaOf).
 */
export const failSagaOf =
  (sagas: SagaStateStore) =>
  async (event: EventEnvelope, reason: string): Promise<void> => {
    if (event.sagaId)
      await sagas.markParked(
        event.sagaId,
        event.eventId,
        `${event.eventType} could not be handled: ${reason}`,
      );
  };

/**
 * Before a parked saga event is replayed: a saga FAILED by parking goes back to where it was (when safe,
 * see src/sagas/saga-parking.ts), so the replayed handler finds it active and the saga proceeds. A saga
 * that ended otherwise stays as it is, and the handler treats the event as late.
 */
export const reopenSagaOf =
  (sagas: SagaStateStore) =>
  async (event: EventEnvelope): Promise<void> => {
    if (event.sagaId) await sagas.reopenParked(event.sagaId);
  };
