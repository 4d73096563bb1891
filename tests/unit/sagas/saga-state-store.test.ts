import { ManualClock } from '../../../src/core/clock';
import { silentLogger } from '../../../src/logging/logger';
import { defaultPolicy, type EffectivePolicy } from '../../../src/sagas/saga-policy';
import type { SagaState } from '../../../src/sagas/saga-state';
import { SagaStateStore } from '../../../src/sagas/saga-state-store';
import { SagaTimeoutDetector } from '../../../src/sagas/saga-timeout-detector';
import { InMemoryKeyValueMap } from '../../../src/storage/in-memory-key-value';
import { orderFulfillment } from '../../../services/order-fulfillment/order-fulfillment';

describe('saga state store and timeout detector (in memory, manual clock)', () => {
  let clock: ManualClock;
  let store: SagaStateStore;
  const transitions: Array<[string | undefined, string]> = [];

  beforeEach(() => {
    clock = new ManualClock();
    transitions.length = 0;
    store = new SagaStateStore(
      new InMemoryKeyValueMap<SagaState>('saga.state', clock),
      clock,
      (previous, next) => transitions.push([previous?.status, next.status]),
    );
  });

  const start = (sagaId: string, timeoutMs = 60_000) =>
    store.startSaga(orderFulfillment, { sagaId, correlationId: 'c', timeoutMs, context: { orderId: 'o' } });

  test('the happy path walks STARTED → IN_PROGRESS → COMPLETED; recording a step twice changes nothing', async () => {
    await start('s1');
    await store.recordStepCompleted('s1', 0, 'e0');
    expect((await store.recordStepCompleted('s1', 0, 'e0-again')).changed).toBe(false);
    await store.recordStepCompleted('s1', 1, 'e1');
    await store.recordStepCompleted('s1', 2, 'e2');
    clock.advance(250);
    const done = (await store.recordStepCompleted('s1', 3, 'e3')).state!;
    expect(done).toMatchObject({ status: 'COMPLETED', currentStep: 3, completedAt: clock.now() });
    expect(done.steps.map((step) => [step.status, step.eventId])).toEqual([
      ['COMPLETED', 'e0'],
      ['COMPLETED', 'e1'],
      ['COMPLETED', 'e2'],
      ['COMPLETED', 'e3'],
    ]);
    expect(transitions.map(([, next]) => next)).toEqual([
      'STARTED',
      'IN_PROGRESS',
      'IN_PROGRESS',
      'IN_PROGRESS',
      'COMPLETED',
    ]);
  });

  test('a failed step unwinds, and the saga is COMPENSATED once every completed step is compensated', async () => {
    await start('s2');
    await store.recordStepCompleted('s2', 0, 'e0');
    await store.recordStepCompleted('s2', 1, 'e1');
    const failing = (await store.recordStepFailed('s2', 2, 'declined')).state!;
    expect(failing).toMatchObject({ status: 'COMPENSATING', failedAtStep: 2, failureReason: 'declined' });
    expect((await store.recordCompensationStep('s2', 1, 'r1')).state?.status).toBe('COMPENSATING');
    const compensated = (await store.recordCompensationStep('s2', 0, 'r0')).state!;
    expect(compensated.status).toBe('COMPENSATED');
    expect(compensated.steps.map((step) => step.status)).toEqual([
      'COMPENSATED',
      'COMPENSATED',
      'FAILED',
      'PENDING',
    ]);
  });

  test('a step that never happened is SKIPPED, not compensated; a late completion after the end is ignored', async () => {
    await start('s3');
    await store.recordStepCompleted('s3', 0, 'e0');
    await store.markTimedOut('s3');
    await store.recordCompensationStep('s3', 1, null);
    const ended = (await store.recordCompensationStep('s3', 0, 'r0')).state!;
    expect(ended.status).toBe('COMPENSATED');
    expect(ended.steps[1]?.status).toBe('SKIPPED');
    expect((await store.recordStepCompleted('s3', 1, 'late')).changed).toBe(false);
  });

  test('only one of many concurrent detectors moves a saga to TIMED_OUT and announces it', async () => {
    await start('s4', 1_000);
    await store.recordStepCompleted('s4', 0, 'e0');
    const announced: string[] = [];
    const policy: EffectivePolicy = {
      ...defaultPolicy('OrderFulfillment'),
      checkIntervalMs: 100,
      timeoutMs: 1_000,
    };
    const detectors = Array.from(
      { length: 5 },
      () =>
        new SagaTimeoutDetector({
          sagaType: 'OrderFulfillment',
          store,
          policy: () => policy,
          announce: async (saga) => void announced.push(saga.sagaId),
          clock,
          logger: silentLogger(),
        }),
    );
    expect((await Promise.all(detectors.map((detector) => detector.checkOnce()))).flat()).toHaveLength(0);
    clock.advance(1_001);
    const won = (await Promise.all(detectors.map((detector) => detector.checkOnce()))).flat();
    expect(won.map((saga) => saga.sagaId)).toEqual(['s4']);
    expect(announced).toEqual(['s4']);
    expect(await store.getSagaState('s4')).toMatchObject({
      status: 'TIMED_OUT',
      timedOut: true,
      failedAtStep: 1,
    });
  });

  test('a TIMED_OUT saga that stays unsettled is announced again (its announcer may have died)', async () => {
    await start('s5', 1_000);
    await store.recordStepCompleted('s5', 0, 'e0');
    const announced: string[] = [];
    const detector = new SagaTimeoutDetector({
      sagaType: 'OrderFulfillment',
      store,
      policy: () => ({ ...defaultPolicy('OrderFulfillment'), checkIntervalMs: 100 }),
      announce: async (saga) => void announced.push(saga.sagaId),
      clock,
      logger: silentLogger(),
    });
    await store.markTimedOut('s5'); // the winner died before announcing
    clock.advance(1_000);
    await detector.checkOnce();
    expect(announced).toEqual(['s5']);
  });

  test('a COMPENSATING saga that stopped making progress is timed out once and announced', async () => {
    await start('s6', 1_000);
    await store.recordStepCompleted('s6', 0, 'e0');
    await store.recordStepCompleted('s6', 1, 'e1');
    await store.recordCompensationStarted('s6', 'cancelled by its user'); // step 1's undo never comes
    const announced: string[] = [];
    const detector = new SagaTimeoutDetector({
      sagaType: 'OrderFulfillment',
      store,
      policy: () => ({ ...defaultPolicy('OrderFulfillment'), checkIntervalMs: 100 }),
      announce: async (saga) => void announced.push(saga.sagaId),
      clock,
      logger: silentLogger(),
    });
    clock.advance(500); // quiet, but its deadline has not passed
    await detector.checkOnce();
    expect(announced).toEqual([]);
    clock.advance(600);
    await detector.checkOnce();
    expect(announced).toEqual(['s6']);
    expect(await store.getSagaState('s6')).toMatchObject({
      status: 'TIMED_OUT',
      timedOut: true,
      failureReason: 'cancelled by its user',
    });
    // The announcement's undo settles it; until then it is announced again, like any unsettled timeout.
    await store.recordCompensationStep('s6', 1, 'undo-1');
    await store.recordCompensationStep('s6', 0, 'undo-0');
    expect((await store.getSagaState('s6'))?.status).toBe('COMPENSATED');
  });

  test('ended sagas are purged after the retention, active ones never', async () => {
    await start('old');
    await store.recordStepCompleted('old', 0, 'e');
    await store.markFailed('old', 'gave up');
    await start('active');
    clock.advance(10_000);
    expect(await store.purgeEnded(clock.now() - 5_000, 100)).toBe(1);
    expect(await store.getSagaState('old')).toBeUndefined();
    expect(await store.getSagaState('active')).toBeDefined();
  });
});
