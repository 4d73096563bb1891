import { ManualClock } from '../../../src/core/clock';
import { KeyedBatches } from '../../../src/core/keyed-batches';
import type { EventSourcingRuntime } from '../../../src/runtime/event-sourcing-runtime';
import { InMemoryKeyValueStore } from '../../../src/storage/in-memory-key-value';
import { productDecider } from '../../../services/inventory/product-decider';
import { CountingStore } from '../../support/counting-map';
import { inMemoryRuntime } from '../../support/in-memory-runtime';

const meta = { correlationId: 'c-1' };
const EVENTS = 't.Product.es';
const VIEW = 't.Product.view';

describe('an aggregate’s commands in one process run one batch at a time', () => {
  let kv: CountingStore;
  let runtime: EventSourcingRuntime;

  beforeEach(() => {
    kv = new CountingStore(new InMemoryKeyValueStore(), (name) => name === EVENTS || name === VIEW);
    runtime = inMemoryRuntime({ kv, clock: new ManualClock() });
  });
  afterEach(() => runtime.close());

  test('30 concurrent reservations on one product: two appends (one alone, 29 batched), no conflict, one view read', async () => {
    const products = runtime.repository('Product', productDecider);
    await products.handle(
      'p1',
      { type: 'CreateProduct', sku: 'S-1', name: 'One', price: '1.00', quantityOnHand: 100 },
      meta,
    );
    const events = kv.counted(EVENTS);
    const views = kv.counted(VIEW);
    events.reset();
    views.reset();

    const results = await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        products.handle('p1', { type: 'ReserveStock', orderId: `o${n}`, quantity: 1 }, meta),
      ),
    );

    // The first ran alone; the 29 that queued behind it were decided together and appended as one commit.
    expect(events.inserts).toBe(2);
    expect(views.reads.documents).toBe(1);
    expect(results.map((result) => result.version)).toEqual(Array.from({ length: 30 }, (_, n) => n + 2));
    expect(results.map((result) => result.events.map((event) => event.payload))).toEqual(
      Array.from({ length: 30 }, (_, n) => [expect.objectContaining({ orderId: `o${n}`, quantity: 1 })]),
    );
    expect(results[29]?.state?.quantityReserved).toBe(30);
    const view = await products.load('p1');
    expect(view?.version).toBe(31);
    expect(view?.state?.quantityReserved).toBe(30);
  });

  test('a refused command in a batch fails alone; the others are decided on what it left', async () => {
    const products = runtime.repository('Product', productDecider);
    await products.handle(
      'p1',
      { type: 'CreateProduct', sku: 'S-1', name: 'One', price: '1.00', quantityOnHand: 10 },
      meta,
    );
    const settled = await Promise.allSettled(
      [4, 4, 4, 2].map((quantity, n) =>
        products.handle('p1', { type: 'ReserveStock', orderId: `o${n}`, quantity }, meta),
      ),
    );
    expect(settled.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(settled[2]).toMatchObject({ reason: { code: 'INSUFFICIENT_STOCK' } });
    const view = await products.load('p1');
    expect(view?.state?.quantityReserved).toBe(10);
    expect((await products.events('p1', 10)).map((event) => event.version)).toEqual([1, 2, 3, 4]);
  });

  test('a view written meanwhile by someone else is folded in, not overwritten', async () => {
    const products = runtime.repository('Product', productDecider);
    const other = inMemoryRuntime({ kv, clock: new ManualClock() }).repository('Product', productDecider);
    await products.handle(
      'p1',
      { type: 'CreateProduct', sku: 'S-1', name: 'One', price: '1.00', quantityOnHand: 10 },
      meta,
    );
    const first = products.handle('p1', { type: 'ReserveStock', orderId: 'a', quantity: 1 }, meta);
    const second = products.handle('p1', { type: 'ReserveStock', orderId: 'b', quantity: 1 }, meta);
    // Another process commits between the two queued commands.
    await first;
    await other.handle('p1', { type: 'ReserveStock', orderId: 'c', quantity: 1 }, meta);
    await second;
    const view = await products.load('p1');
    expect(view?.version).toBe(4);
    expect(view?.state?.quantityReserved).toBe(3);
  });
});

describe('KeyedBatches', () => {
  const echo = (log: string[]) =>
    new KeyedBatches<string, string, number>(async (key, items, carried) => {
      log.push(`${key}:[${items.join(',')}] saw ${carried ?? '-'}`);
      return {
        outcomes: items.map((item) => ({ ok: true, value: item.toUpperCase() })),
        carry: items.length,
      };
    });

  test('an idle key runs at once; what queued meanwhile runs as one batch; keys are independent and forgotten', async () => {
    const log: string[] = [];
    const batches = echo(log);
    const answers = await Promise.all([
      batches.submit('a', 'x'),
      batches.submit('a', 'y'),
      batches.submit('a', 'z'),
      batches.submit('b', 'w'),
    ]);
    expect(answers).toEqual(['X', 'Y', 'Z', 'W']);
    expect(log).toEqual(['a:[x] saw -', 'b:[w] saw -', 'a:[y,z] saw 1']);
    expect(batches.size).toBe(0);
  });

  test('one item’s failure reaches only its caller; a failed batch rejects its items and carries nothing', async () => {
    let calls = 0;
    const batches = new KeyedBatches<string, string, number>(async (_key, items, carried) => {
      calls++;
      if (calls === 2) throw new Error('boom');
      return {
        outcomes: items.map((item) =>
          item === 'bad'
            ? { ok: false, error: new Error(`refused ${item}`) }
            : { ok: true, value: `${item}/${carried ?? '-'}` },
        ),
        carry: calls,
      };
    });
    const first = await Promise.allSettled([batches.submit('a', 'one'), batches.submit('a', 'two')]);
    expect(first.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected']);
    const second = await Promise.allSettled([batches.submit('a', 'good'), batches.submit('a', 'bad')]);
    expect(second).toEqual([
      { status: 'fulfilled', value: 'good/-' },
      { status: 'rejected', reason: new Error('refused bad') },
    ]);
  });

  test('a batch is at most maxBatch items', async () => {
    const sizes: number[] = [];
    const batches = new KeyedBatches<number, number, never>(async (_key, items) => {
      sizes.push(items.length);
      return { outcomes: items.map((item) => ({ ok: true, value: item })) };
    }, 3);
    await Promise.all(Array.from({ length: 8 }, (_, n) => batches.submit('k', n)));
    expect(sizes).toEqual([1, 3, 3, 1]);
  });
});
