import { ManualClock } from '../../../src/core/clock';
import type { SagaState } from '../../../src/sagas/saga-state';
import { SagaStateStore } from '../../../src/sagas/saga-state-store';
import { InMemoryKeyValueMap } from '../../../src/storage/in-memory-key-value';
import { orderFulfillment } from '../../../services/order-fulfillment/order-fulfillment';

/** A saga map that counts its reads. */
class CountingRecords extends InMemoryKeyValueMap<SagaState> {
  reads = 0;
  override get(key: string) {
    this.reads++;
    return super.get(key);
  }
}

describe('a saga update starts from the record this process just read or wrote', () => {
  let clock: ManualClock;
  let records: CountingRecords;
  const store = () => new SagaStateStore(records, clock);
  const start = (on: SagaStateStore, sagaId: string) =>
    on.startSaga(orderFulfillment, { sagaId, correlationId: 'c', timeoutMs: 60_000, context: {} });

  beforeEach(() => {
    clock = new ManualClock();
    records = new CountingRecords('saga.state', clock);
  });

  test('start, record, read, record: the updates read nothing more', async () => {
    const one = store();
    await start(one, 's1');
    await one.recordStepCompleted('s1', 0, 'e0');
    await one.getSagaState('s1');
    records.reads = 0;
    await one.recordStepCompleted('s1', 1, 'e1');
    expect(records.reads).toBe(0);
    expect((await records.get('s1'))?.value.steps[1]?.eventId).toBe('e1');
  });

  test('another process updated it meanwhile: its change is kept, ours applied on top', async () => {
    const here = store();
    const there = store();
    await start(here, 's2');
    await there.recordStepCompleted('s2', 0, 'e0'); // `here` still remembers the record before it
    const after = await here.recordStepCompleted('s2', 1, 'e1');
    expect(after.changed).toBe(true);
    expect(after.state?.steps.slice(0, 2).map((step) => step.eventId)).toEqual(['e0', 'e1']);
  });

  test('nothing to change on a remembered copy is checked against the store', async () => {
    const here = store();
    const there = store();
    await start(here, 's3');
    await here.recordStepCompleted('s3', 0, 'e0');
    // Elsewhere the saga times out; here it is remembered as running.
    await there.markTimedOut('s3');
    const late = await here.markTimedOut('s3');
    expect(late.changed).toBe(false);
    expect(late.state?.status).toBe('TIMED_OUT');
    // And a step recorded after that sees the timed-out record, not the remembered one.
    expect((await here.recordStepCompleted('s3', 1, 'e1')).state?.status).toBe('TIMED_OUT');
  });
});
