import type { ManualClock } from '../../../src/core/clock';
import type { CommandMetadata, EventEnvelope } from '../../../src/events/envelope';
import type { EventSourcingRuntime } from '../../../src/runtime/event-sourcing-runtime';
import type { SagaState } from '../../../src/sagas/saga-state';
import { SagaStateStore } from '../../../src/sagas/saga-state-store';
import { SAGA_STREAM, sagaOutcomeDecider } from '../../../src/sagas/saga-timed-out';
import { InMemoryKeyValueStore } from '../../../src/storage/in-memory-key-value';
import type { KeyValueMap } from '../../../src/storage/key-value';
import type { EventHandler } from '../../../src/subscriptions/delivery';
import {
  inventorySagaHandlers,
  type CancellationDone,
} from '../../../services/inventory/inventory-saga-handlers';
import { orderFactsFrom } from '../../../services/inventory/order-facts';
import {
  productDecider,
  type Product,
  type ProductCommand,
} from '../../../services/inventory/product-decider';
import type { Products } from '../../../services/inventory/product-routes';
import { orderDecider } from '../../../services/order/order-decider';
import { orderFulfillment, STEP } from '../../../services/order-fulfillment/order-fulfillment';
import { envelope } from '../../support/decider-spec';
import { inMemoryRuntime } from '../../support/in-memory-runtime';

const meta = { correlationId: 'c-1' };
const saga = (sagaId: string, extra: Partial<CommandMetadata['saga']> = {}): CommandMetadata => ({
  ...meta,
  saga: { sagaId, sagaType: 'OrderFulfillment', stepNumber: 0, ...extra },
});

/** Inventory's saga handler on the in-memory runtime, fed the events the other participants would append. */
describe('inventory saga handlers: settle, cancel, restock', () => {
  let kv: InMemoryKeyValueStore;
  let runtime: EventSourcingRuntime;
  let clock: ManualClock;
  let products: Products;
  let sagas: SagaStateStore;
  let cancellations: KeyValueMap<CancellationDone>;
  let handle: EventHandler;
  /** Lets `after` product commands of this type through, then fails the next one, as a process dying there. */
  let failNext: { type: ProductCommand['type'] | undefined; after: number };
  /** Makes the next write of the cancellation mark fail. */
  let failMark: number;
  let orderSeq = 0;

  beforeEach(() => {
    kv = new InMemoryKeyValueStore();
    runtime = inMemoryRuntime({ service: 'inventory', kv });
    clock = runtime.options.clock as ManualClock;
    products = runtime.repository('Product', productDecider);
    sagas = new SagaStateStore(kv.map<SagaState>('t.saga.state'), clock);
    const marks = kv.map<CancellationDone>('t.inventory-cancellations.ledger');
    failNext = { type: undefined, after: 0 };
    failMark = 0;
    cancellations = new Proxy(marks, {
      get: (target, property, receiver) =>
        property === 'set'
          ? (key: string, value: CancellationDone) => {
              if (failMark-- > 0) return Promise.reject(new Error('died before the mark'));
              return target.set(key, value);
            }
          : (Reflect.get(target, property, receiver) as unknown),
    });
    const flaky = new Proxy(products, {
      get: (target, property, receiver) =>
        property === 'handle'
          ? (id: string, command: ProductCommand, metadata: CommandMetadata) => {
              if (command.type === failNext.type && failNext.after-- === 0)
                return Promise.reject(new Error(`died at ${command.type}`));
              return target.handle(id, command, metadata);
            }
          : (Reflect.get(target, property, receiver) as unknown),
    });
    handle = inventorySagaHandlers({
      products: flaky,
      sagas,
      orders: orderFactsFrom({ orders: runtime.eventStore('Order'), sagas: runtime.eventStore(SAGA_STREAM) }),
      cancellations,
      clock,
    });
  });
  afterEach(() => runtime.close());

  const deliver = (event: EventEnvelope | undefined) => {
    if (!event) throw new Error('no event to deliver');
    return handle(event, { group: 'inventory-saga', logger: runtime.options.logger });
  };

  const product = async (quantityOnHand: number): Promise<string> => {
    const id = `p-${++orderSeq}`;
    await products.handle(
      id,
      { type: 'CreateProduct', sku: id, name: 'Widget', price: '1.00', quantityOnHand },
      meta,
    );
    return id;
  };
  const stock = async (productId: string): Promise<Product> => {
    const state = (await products.load(productId))?.state;
    if (!state) throw new Error(`no product ${productId}`);
    return state;
  };

  /** POST /api/orders as the order service does it, then inventory's reservation of its lines. */
  const placeOrder = async (lines: Array<{ productId: string; quantity: number }>) => {
    const n = ++orderSeq;
    const orderId = `o-${n}`;
    const sagaId = `s-${n}`;
    await sagas.startSaga(orderFulfillment, {
      sagaId,
      correlationId: 'c-1',
      timeoutMs: 60_000,
      context: { orderId, customerId: 'c', total: '1.00', currency: 'USD', lineItems: lines },
    });
    const created = await runtime.repository('Order', orderDecider).handle(
      orderId,
      {
        type: 'CreateOrder',
        customerId: 'c',
        customerName: null,
        customerEmail: null,
        lineItems: lines.map((line) => ({
          ...line,
          productName: null,
          sku: null,
          unitPrice: '1.00',
          lineTotal: '1.00',
        })),
        shippingAddress: 'here',
        subtotal: '1.00',
        tax: '0.00',
        total: '1.00',
        sagaId,
      },
      saga(sagaId),
    );
    await sagas.recordStepCompleted(sagaId, STEP.orderCreated, created.events[0]!.eventId);
    await deliver(created.events[0]);
    return { orderId, sagaId };
  };

  /** Payment and order finish the saga, and the order service announces it (SagaSupport.announceCompleted). */
  const complete = async (sagaId: string): Promise<EventEnvelope | undefined> => {
    await sagas.recordStepCompleted(sagaId, STEP.paymentProcessed, 'pay');
    const done = (await sagas.recordStepCompleted(sagaId, STEP.orderConfirmed, 'confirm')).state!;
    expect(done.status).toBe('COMPLETED');
    const announced = await runtime
      .repository(SAGA_STREAM, sagaOutcomeDecider)
      .handle(
        sagaId,
        { type: 'AnnounceCompletion', sagaType: done.sagaType, completedAt: 'now', context: done.context },
        saga(sagaId),
      );
    return announced.events[0];
  };

  const cancelOrder = async (orderId: string, sagaId: string): Promise<EventEnvelope | undefined> => {
    const cancelled = await runtime
      .repository('Order', orderDecider)
      .handle(
        orderId,
        { type: 'CancelOrder', reason: 'changed my mind', cancelledBy: 'customer' },
        saga(sagaId, { isCompensating: true }),
      );
    return cancelled.events[0];
  };

  test('a completed saga settles each product of its order once, the same product on two lines summed', async () => {
    const a = await product(10);
    const b = await product(5);
    const { sagaId } = await placeOrder([
      { productId: a, quantity: 2 },
      { productId: b, quantity: 1 },
      { productId: a, quantity: 1 },
    ]);
    expect(await stock(a)).toMatchObject({ quantityOnHand: 10, quantityReserved: 3 });
    const completed = await complete(sagaId);
    await deliver(completed);
    await deliver(completed);
    expect(await stock(a)).toMatchObject({ quantityOnHand: 7, quantityReserved: 0, reservations: {} });
    expect(await stock(b)).toMatchObject({ quantityOnHand: 4, quantityReserved: 0, reservations: {} });
    expect((await products.events(a, 100)).map((event) => event.eventType)).toEqual([
      'ProductCreated',
      'StockReserved',
      'StockSettled',
    ]);
  });

  test('a cancel after the settle restocks exactly once, with the saga record purged and the cancel delivered twice', async () => {
    const a = await product(10);
    const { orderId, sagaId } = await placeOrder([{ productId: a, quantity: 4 }]);
    await deliver(await complete(sagaId));
    expect(await stock(a)).toMatchObject({ quantityOnHand: 6, quantityReserved: 0 });
    await kv.map('t.saga.state').delete(sagaId); // the retention purge
    const cancelled = await cancelOrder(orderId, sagaId);
    await deliver(cancelled);
    await deliver(cancelled);
    expect(await stock(a)).toMatchObject({
      quantityOnHand: 10,
      quantityReserved: 0,
      reservations: {},
      cancellations: {},
    });
    expect(await cancellations.get(orderId)).toBeDefined();
  });

  test.each([
    [
      'after the products gave back, before the mark',
      (): void => {
        failMark = 1;
      },
      'died before the mark',
    ],
    [
      'between two products',
      (): void => {
        failNext = { type: 'CancelOrderStock', after: 1 };
      },
      'died at CancelOrderStock',
    ],
    [
      'after the mark, before the products forgot',
      (): void => {
        failNext = { type: 'CloseCancellation', after: 0 };
      },
      'died at CloseCancellation',
    ],
  ] as const)(
    'a crash %s: the redelivery finishes and gives back nothing twice',
    async (_, crash, message) => {
      const a = await product(10);
      const b = await product(10);
      const { orderId, sagaId } = await placeOrder([
        { productId: a, quantity: 4 },
        { productId: b, quantity: 2 },
      ]);
      await deliver(await complete(sagaId));
      const cancelled = await cancelOrder(orderId, sagaId);
      crash();
      await expect(deliver(cancelled)).rejects.toThrow(message);
      expect(await stock(a)).toMatchObject({ quantityOnHand: 10 });
      await deliver(cancelled);
      expect(await stock(a)).toMatchObject({ quantityOnHand: 10, quantityReserved: 0, cancellations: {} });
      expect(await stock(b)).toMatchObject({ quantityOnHand: 10, quantityReserved: 0, cancellations: {} });
    },
  );

  test('a cancel before the settle of a completed saga releases, and the settle after it takes nothing', async () => {
    const a = await product(10);
    const { orderId, sagaId } = await placeOrder([{ productId: a, quantity: 3 }]);
    const completed = await complete(sagaId);
    await deliver(await cancelOrder(orderId, sagaId));
    await deliver(completed);
    expect(await stock(a)).toMatchObject({ quantityOnHand: 10, quantityReserved: 0, reservations: {} });
  });

  test("cancelling an unfinished saga's order releases what it holds; a redelivery changes nothing", async () => {
    const a = await product(10);
    const { orderId, sagaId } = await placeOrder([{ productId: a, quantity: 3 }]);
    await sagas.recordCompensationStarted(sagaId, 'Order cancelled by customer');
    const cancelled = await cancelOrder(orderId, sagaId);
    await deliver(cancelled);
    await deliver(cancelled);
    expect(await stock(a)).toMatchObject({ quantityOnHand: 10, quantityReserved: 0, cancellations: {} });
    expect((await sagas.getSagaState(sagaId))?.steps[STEP.stockReserved]?.status).toBe('COMPENSATED');
  });

  test("a declined payment releases with the order's own lines, saga record or not", async () => {
    const a = await product(10);
    const { orderId, sagaId } = await placeOrder([{ productId: a, quantity: 3 }]);
    await kv.map('t.saga.state').delete(sagaId);
    const failed = {
      type: 'PaymentFailed',
      payload: {
        orderId,
        customerId: 'c',
        amount: '1.00',
        currency: 'USD',
        method: 'CREDIT_CARD',
        failureReason: 'declined',
      },
    };
    await deliver({ ...envelope(failed, 1, 'pay-1', 'Payment'), sagaId });
    expect(await stock(a)).toMatchObject({ quantityOnHand: 10, quantityReserved: 0 });
  });
});
