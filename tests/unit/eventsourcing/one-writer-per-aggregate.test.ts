import { ManualClock } from '../../../src/core/clock';
import { KeyedLanes } from '../../../src/core/keyed-lanes';
import type { EventSourcingRuntime } from '../../../src/runtime/event-sourcing-runtime';
import { InMemoryKeyValueStore } from '../../../src/storage/in-memory-key-value';
import { productDecider } from '../../../services/inventory/product-decider';
import { CountingStore } from '../../support/counting-map';
import { inMemoryRuntime } from '../../support/in-memory-runtime';

const meta = { correlationId: 'c-1' };
const EVENTS = 't.Product.es';
const VIEW = 't.Product.view';

describe('an aggregate’s commands in one process run one at a time', () => {
  let kv: CountingStore;
  let runtime: EventSourcingRuntime;

  beforeEach(() => {
    kv = new CountingStore(new InMemoryKeyValueStore(), (name) => name === EVENTS || name === VIEW);
    runtime = inMemoryRuntime({ kv, clock: new ManualClock() });
  });
  afterEach(() => runtime.close());

  test('30 concurrent reservations on one product: 30 appends, no conflict, one view read', async () => {
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

    // Each started from the view the one before it saved: no append had to be redone.
    expect(events.inserts).toBe(30);
    expect(views.reads.documents).toBe(1);
    expect(results.map((result) => result.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 30 }, (_, n) => n + 2),
    );
    const view = await products.load('p1');
    expect(view?.version).toBe(31);
    expect(view?.state?.quantityReserved).toBe(30);
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

describe('KeyedLanes', () => {
  test('runs one key in order, other keys beside it, and forgets idle keys', async () => {
    const lanes = new KeyedLanes<number>();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const a1 = lanes.run('a', async () => {
      await gate;
      order.push('a1');
      return { result: 1, carry: 10 };
    });
    const a2 = lanes.run('a', async (carried) => {
      order.push(`a2 saw ${carried}`);
      return { result: 2 };
    });
    const b = lanes.run('b', async () => {
      order.push('b');
      return { result: 3 };
    });
    await b;
    expect(order).toEqual(['b']);
    release();
    await expect(Promise.all([a1, a2])).resolves.toEqual([1, 2]);
    expect(order).toEqual(['b', 'a1', 'a2 saw 10']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lanes.size).toBe(0);
  });

  test('a failure reaches its caller, carries nothing, and does not stop the lane', async () => {
    const lanes = new KeyedLanes<number>();
    const failing = lanes.run('a', async () => {
      throw new Error('boom');
    });
    const next = lanes.run('a', async (carried) => ({ result: carried ?? 'nothing carried' }));
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('nothing carried');
  });
});
