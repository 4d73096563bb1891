import { ManualClock } from '../../../src/core/clock';
import { silentLogger } from '../../../src/logging/logger';
import { defaultPolicy, type EffectivePolicy } from '../../../src/sagas/saga-policy';
import type { SagaDefinition, SagaState } from '../../../src/sagas/saga-state';
import { SagaStateStore } from '../../../src/sagas/saga-state-store';
import { SagaTimeoutDetector } from '../../../src/sagas/saga-timeout-detector';
import { InMemoryKeyValueMap } from '../../../src/storage/in-memory-key-value';
import { orderFulfillment } from '../../../services/order-fulfillment/order-fulfillment';
import { CountingMap } from '../../support/counting-map';

const other: SagaDefinition = { ...orderFulfillment, sagaType: 'Other' };

/** A backlog must be worked off a batch per pass, never read whole by every replica at once. */
describe('the timeout detector, the purge and the saga list read at most their batch', () => {
  let clock: ManualClock;
  let records: CountingMap<SagaState>;
  let store: SagaStateStore;

  beforeEach(() => {
    clock = new ManualClock();
    records = new CountingMap(new InMemoryKeyValueMap<SagaState>('saga.state', clock));
    store = new SagaStateStore(records, clock);
  });

  const start = async (count: number, from: number, definition = orderFulfillment, timeoutMs = 1_000) => {
    for (let index = from; index < from + count; index++) {
      clock.advance(10);
      await store.startSaga(definition, {
        sagaId: `${definition.sagaType}-${String(index).padStart(4, '0')}`,
        correlationId: `c${index}`,
        timeoutMs,
        context: { orderId: `o${index}` },
      });
    }
  };
  const detector = (policy: Partial<EffectivePolicy>, announced: string[] = []) =>
    new SagaTimeoutDetector({
      sagaType: 'OrderFulfillment',
      store,
      policy: () => ({ ...defaultPolicy('OrderFulfillment'), ...policy }),
      announce: async (saga) => void announced.push(saga.sagaId),
      clock,
      logger: silentLogger(),
    });

  test('300 overdue sagas: one pass times out a batch of 20, oldest deadline first, reading at most 20', async () => {
    await start(300, 0);
    clock.advance(60_000);
    records.reset();
    const won = await detector({ maxBatchSize: 20 }).checkOnce();
    expect(won.map((saga) => saga.sagaId)).toEqual(
      Array.from({ length: 20 }, (_, n) => `OrderFulfillment-${String(n).padStart(4, '0')}`),
    );
    expect(records.reads.largest).toBeLessThanOrEqual(20);
    expect(await store.countWhere([{ field: 'timedOut', op: 'eq', value: true }])).toBe(20);
  });

  test('overdue sagas of another type do not fill the batch', async () => {
    await start(100, 0, other); // older deadlines, someone else's detector
    await start(5, 100);
    clock.advance(60_000);
    const won = await detector({ maxBatchSize: 10 }).checkOnce();
    expect(won.map((saga) => saga.sagaType)).toEqual(Array(5).fill('OrderFulfillment'));
  });

  test('stuck TIMED_OUT sagas are announced again a batch at a time, the longest quiet first', async () => {
    await start(50, 0);
    clock.advance(60_000);
    for (let index = 0; index < 50; index++) {
      const sagaId = `OrderFulfillment-${String(index).padStart(4, '0')}`;
      await store.recordStepCompleted(sagaId, 0, 'e0'); // something to compensate: it stays TIMED_OUT
      await store.markTimedOut(sagaId);
      clock.advance(10);
    }
    clock.advance(10_000);
    const announced: string[] = [];
    records.reset();
    await detector({ maxBatchSize: 15, checkIntervalMs: 1_000 }, announced).checkOnce();
    expect(announced).toEqual(
      Array.from({ length: 15 }, (_, n) => `OrderFulfillment-${String(n).padStart(4, '0')}`),
    );
    expect(records.reads.largest).toBeLessThanOrEqual(15);
  });

  test('a purge backlog of 300 goes 25 per pass, each reading at most 25', async () => {
    await start(300, 0);
    for (let index = 0; index < 300; index++)
      await store.markFailed(`OrderFulfillment-${String(index).padStart(4, '0')}`, 'gave up');
    await start(3, 300, orderFulfillment, 600_000); // active: never purged
    clock.advance(10_000);
    let passes = 0;
    for (;;) {
      records.reset();
      const purged = await store.purgeEnded(clock.now() - 5_000, 25);
      expect(records.reads.largest).toBeLessThanOrEqual(25);
      if (purged === 0) break;
      expect(purged).toBe(25);
      passes++;
    }
    expect(passes).toBe(12);
    expect(await records.size()).toBe(3);
  });

  test('GET /api/sagas is the newest page, read as a page', async () => {
    await start(400, 0);
    await start(100, 400, other);
    clock.advance(3_600_000);
    records.reset();
    const newest = await store.findSagasByStatus([], undefined, 5);
    expect(newest.map((saga) => saga.sagaId)).toEqual([499, 498, 497, 496, 495].map((n) => `Other-0${n}`));
    const ofType = await store.findSagasByStatus(['STARTED'], 'OrderFulfillment', 3);
    expect(ofType.map((saga) => saga.sagaId)).toEqual([399, 398, 397].map((n) => `OrderFulfillment-0${n}`));
    expect(records.reads.documents).toBe(8);
  });
});
