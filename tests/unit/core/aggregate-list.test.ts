import { ManualClock } from '../../../src/core/clock';
import type { EventSourcingRuntime } from '../../../src/runtime/event-sourcing-runtime';
import { InMemoryKeyValueStore } from '../../../src/storage/in-memory-key-value';
import { customerDecider, type Customer } from '../../../services/account/customer-decider';
import { CountingStore } from '../../support/counting-map';
import { inMemoryRuntime } from '../../support/in-memory-runtime';

const meta = { correlationId: 'c-1' };
const VIEW = 't.Customer.view';

/** `GET /api/customers?limit=` (and orders, products, payments) is AggregateRepository.list. */
describe('AggregateRepository.list reads the page, not every aggregate', () => {
  let clock: ManualClock;
  let kv: CountingStore;
  let runtime: EventSourcingRuntime;

  beforeEach(() => {
    clock = new ManualClock();
    kv = new CountingStore(new InMemoryKeyValueStore(), (name) => name === VIEW);
    runtime = inMemoryRuntime({ kv, clock });
  });
  afterEach(() => runtime.close());

  const customers = () => runtime.repository('Customer', customerDecider);
  const create = async (count: number, everyMs: number, from = 0) => {
    for (let index = from; index < from + count; index++) {
      clock.advance(everyMs);
      const id = `c${String(index).padStart(5, '0')}`;
      await customers().handle(
        id,
        { type: 'CreateCustomer', customerId: id, email: `${id}@x.io`, name: id },
        meta,
      );
    }
  };
  const ids = (found: ReadonlyArray<Customer | null>) => found.map((customer) => customer?.customerId);

  test('limit=1 over 3,000 customers hands out one document, the newest', async () => {
    await create(3_000, 50);
    const views = kv.counted(VIEW);
    views.reset();
    expect(ids(await customers().list(1, { newestBy: 'createdAt' }))).toEqual(['c02999']);
    expect(views.reads.documents).toBe(1);

    views.reset();
    const ten = await customers().list(10, { newestBy: 'createdAt' });
    expect(ids(ten)).toEqual(Array.from({ length: 10 }, (_, n) => `c0${2999 - n}`));
    expect(views.reads.documents).toBe(10);
  });

  test('a month after the last write, and in a burst of one instant, still only the page', async () => {
    await create(500, 1_000);
    clock.advance(1_000);
    await create(400, 0, 500); // 400 created in the same millisecond
    clock.advance(30 * 24 * 3_600_000);
    const views = kv.counted(VIEW);
    views.reset();
    const found = await customers().list(3, { newestBy: 'createdAt' });
    expect(ids(found)).toEqual(['c00500', 'c00501', 'c00502']); // one instant: by key
    expect(views.reads.documents).toBe(3);
  });

  test('pages with a cursor walk every customer once, newest first, a page at a time', async () => {
    await create(120, 10);
    clock.advance(10);
    await create(30, 0, 120); // one instant, across page boundaries
    await create(50, 10, 150);
    const views = kv.counted(VIEW);
    views.reset();
    const seen: string[] = [];
    let after: { id: string; at: string } | undefined;
    for (;;) {
      const page = (await customers().list(25, { newestBy: 'createdAt', after })) as Customer[];
      seen.push(...ids(page).map(String));
      if (page.length < 25) break;
      after = { id: page.at(-1)!.customerId, at: page.at(-1)!.createdAt };
    }
    const expected = [
      ...Array.from({ length: 50 }, (_, n) => `c00${199 - n}`),
      ...Array.from({ length: 30 }, (_, n) => `c00${120 + n}`),
      ...Array.from({ length: 120 }, (_, n) => `c${String(119 - n).padStart(5, '0')}`),
    ];
    expect(seen).toEqual(expected);
    // A page, plus at most one instant's ties re-read at a cursor that falls inside them.
    expect(views.reads.largest).toBeLessThanOrEqual(30);
  });
});
