import { ManualClock } from '../../../src/core/clock';
import { sagaParking } from '../../../src/sagas/saga-parking';
import type { SagaDefinition, SagaState } from '../../../src/sagas/saga-state';
import { SagaStateStore } from '../../../src/sagas/saga-state-store';
import { InMemoryKeyValueMap } from '../../../src/storage/in-memory-key-value';

const definition: SagaDefinition = {
  sagaType: 'OrderFulfillment',
  steps: [
    { stepNumber: 0, stepName: 'Create', service: 'order', eventType: 'OrderCreated' },
    { stepNumber: 1, stepName: 'Reserve', service: 'inventory', eventType: 'StockReserved' },
    { stepNumber: 2, stepName: 'Pay', service: 'payment', eventType: 'PaymentProcessed' },
  ],
};

function store() {
  const clock = new ManualClock();
  const sagas = new SagaStateStore(new InMemoryKeyValueMap<SagaState>('saga.state'), clock);
  return { clock, sagas };
}

describe('a saga failed by a parked event, and its replay', () => {
  test('parking fails it; a replay puts it back where it was, with a fresh deadline of its length', async () => {
    const { clock, sagas } = store();
    await sagas.startSaga(definition, { sagaId: 's', correlationId: 'c', timeoutMs: 60_000, context: {} });
    await sagas.recordStepCompleted('s', 0, 'e-0');
    await sagas.recordStepCompleted('s', 1, 'e-1');
    const failed = (await sagas.markParked('s', 'e-1', 'StockReserved could not be handled: down')).state!;
    expect(failed).toMatchObject({
      status: 'FAILED',
      parkedBy: { eventId: 'e-1', previousStatus: 'IN_PROGRESS' },
    });

    clock.advance(3_600_000); // the operator replays an hour later: the old deadline is long gone
    const reopened = (await sagas.reopenParked('s')).state!;
    expect(reopened.status).toBe('IN_PROGRESS');
    expect(reopened.failureReason).toBeNull();
    expect(reopened.completedAt).toBeNull();
    expect(reopened.parkedBy).toBeUndefined();
    expect(reopened.deadline).toBe(clock.now() + 60_000);
    // The replayed step completes the saga as if nothing had happened.
    expect((await sagas.recordStepCompleted('s', 2, 'e-2')).state?.status).toBe('COMPLETED');
  });

  test('a saga something was undone in meanwhile stays FAILED: resuming it forward is not safe', async () => {
    const { sagas } = store();
    await sagas.startSaga(definition, { sagaId: 's', correlationId: 'c', timeoutMs: 60_000, context: {} });
    await sagas.recordStepCompleted('s', 0, 'e-0');
    await sagas.recordStepCompleted('s', 1, 'e-1');
    await sagas.markParked('s', 'e-1', 'down');
    await sagas.recordCompensationStep('s', 1, 'released'); // a reservation racing the failure undid itself
    expect((await sagas.reopenParked('s')).changed).toBe(false);
    expect((await sagas.getSagaState('s'))?.status).toBe('FAILED');
  });

  test('a saga that failed for another reason, or ended, is left alone', async () => {
    const { sagas } = store();
    await sagas.startSaga(definition, { sagaId: 's', correlationId: 'c', timeoutMs: 60_000, context: {} });
    const failed = (await sagas.markFailed('s', 'compensation kept failing')).state!;
    expect(sagaParking.reopened(failed, 1_000)).toBe(failed);
    expect(sagaParking.parked(failed, 'e', 'down', 1_000)).toBe(failed);
  });

  test('a parked compensation resumes unwinding whatever was undone already', async () => {
    const { sagas } = store();
    await sagas.startSaga(definition, { sagaId: 's', correlationId: 'c', timeoutMs: 60_000, context: {} });
    await sagas.recordStepCompleted('s', 0, 'e-0');
    await sagas.recordStepCompleted('s', 1, 'e-1');
    await sagas.markTimedOut('s');
    await sagas.recordCompensationStep('s', 0, 'cancelled');
    await sagas.markParked('s', 'e-timeout', 'SagaTimedOut could not be handled: down');
    expect((await sagas.reopenParked('s')).state?.status).toBe('TIMED_OUT');
    expect((await sagas.recordCompensationStep('s', 1, 'released')).state?.status).toBe('COMPENSATED');
  });
});
