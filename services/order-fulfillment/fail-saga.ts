import type { EventEnvelope } from '../../src/events/envelope';
import type { SagaStateStore } from '../../src/sagas/saga-state-store';

/** A saga event a participant kept failing on ends its saga FAILED, with the reason, for an operator. */
export const failSagaOf =
  (sagas: SagaStateStore) =>
  async (event: EventEnvelope, reason: string): Promise<void> => {
    if (event.sagaId)
      await sagas.markFailed(event.sagaId, `${event.eventType} could not be handled: ${reason}`);
  };
