import type { ManualClock } from '../../../src/core/clock';
import { SequentialIds } from '../../../src/core/ids';
import type { EventEnvelope } from '../../../src/events/envelope';
import type { EventSourcingRuntime } from '../../../src/runtime/event-sourcing-runtime';
import type { SagaState } from '../../../src/sagas/saga-state';
import { SagaStateStore } from '../../../src/sagas/saga-state-store';
import { sagaOutcomeDecider } from '../../../src/sagas/saga-timed-out';
import { InMemoryKeyValueMap } from '../../../src/storage/in-memory-key-value';
import { orderDecider } from '../../../services/order/order-decider';
import type { Orders } from '../../../services/order/order-routes';
import { orderSagaHandlers } from '../../../services/order/order-saga-handlers';
import { orderFulfillment, STEP } from '../../../services/order-fulfillment/order-fulfillment';
import { deciderSpec, envelope } from '../../support/decider-spec';
import { inMemoryRuntime } from '../../support/in-memory-runtime';

const completion = {
  type: 'AnnounceCompletion',
  sagaType: 'OrderFulfillment',
  completedAt: '2026-01-01T00:00:00.000Z',
  context: { orderId: 'o-1' },
} as const;
const timeout = {
  type: 'AnnounceTimeout',
  sagaType: 'OrderFulfillment',
  deadline: '2026-01-01T00:00:00.000Z',
  timedOutAt: '2026-01-01T00:00:01.000Z',
  context: { orderId: 'o-1' },
} as const;

describe('the Saga stream holds one outcome per saga', () => {
  const spec = deciderSpec(sagaOutcomeDecider);
  const { type: _completionType, ...completed } = completion;
  const { type: _timeoutType, ...timedOut } = timeout;

  it('appends SagaCompleted once, however often it is announced', () => {
    spec.when(completion).then([{ type: 'SagaCompleted', payload: completed }]);
    spec
      .given([{ type: 'SagaCompleted', payload: completed }])
      .when(completion)
      .thenNothing();
  });

  it('never appends both outcomes', () => {
    spec
      .given([{ type: 'SagaTimedOut', payload: timedOut }])
      .when(completion)
      .thenNothing();
    spec
      .given([{ type: 'SagaCompleted', payload: completed }])
      .when(timeout)
      .thenNothing();
  });
});

/** The order service's confirm step announces the saga's completion only once the record says COMPLETED. */
describe('order saga handlers: confirm, then announce the completion', () => {
  let runtime: EventSourcingRuntime;
  let clock: ManualClock;
  let sagas: SagaStateStore;
  let orders: Orders;
  let announced: SagaState[];
  /** Runs between the order's confirmation and the saga's step record, as a detector racing it would. */
  let afterConfirm: () => Promise<unknown>;

  beforeEach(() => {
    runtime = inMemoryRuntime({ service: 'order' });
    clock = runtime.options.clock as ManualClock;
    sagas = new SagaStateStore(new InMemoryKeyValueMap<SagaState>('saga.state', clock), clock);
    const repository = runtime.repository('Order', orderDecider);
    afterConfirm = async () => undefined;
    orders = new Proxy(repository, {
      get: (target, property, receiver) =>
        property === 'handle'
          ? async (...args: Parameters<Orders['handle']>) => {
              const result = await target.handle(...args);
              if (args[1].type === 'ConfirmOrder') await afterConfirm();
              return result;
            }
          : (Reflect.get(target, property, receiver) as unknown),
    });
    announced = [];
  });
  afterEach(() => runtime.close());

  const handler = () =>
    orderSagaHandlers({
      orders,
      sagas,
      ids: new SequentialIds(),
      announceCompleted: async (saga) => {
        announced.push(saga);
      },
    });

  /** An order whose stock is reserved and payment taken: steps 0 to 2 done. */
  const paidOrder = async (): Promise<EventEnvelope> => {
    await sagas.startSaga(orderFulfillment, {
      sagaId: 's-1',
      correlationId: 'c-1',
      timeoutMs: 60_000,
      context: { orderId: 'o-1', customerId: 'c', total: '1.00', currency: 'USD', lineItems: [] },
    });
    await orders.handle(
      'o-1',
      {
        type: 'CreateOrder',
        customerId: 'c',
        customerName: null,
        customerEmail: null,
        lineItems: [],
        shippingAddress: 'here',
        subtotal: '1.00',
        tax: '0.00',
        total: '1.00',
        sagaId: 's-1',
      },
      { correlationId: 'c-1' },
    );
    for (const step of [STEP.orderCreated, STEP.stockReserved, STEP.paymentProcessed])
      await sagas.recordStepCompleted('s-1', step, `e-${step}`);
    const paid = {
      type: 'PaymentProcessed',
      payload: {
        orderId: 'o-1',
        customerId: 'c',
        amount: '1.00',
        currency: 'USD',
        method: 'CREDIT_CARD',
        transactionId: 'TXN-1',
      },
    };
    return { ...envelope(paid, 1, 'pay-1', 'Payment'), sagaId: 's-1' };
  };
  const deliver = (event: EventEnvelope) =>
    handler()(event, { group: 'order-saga', logger: runtime.options.logger });

  test('announces a saga it completed, and announces again on a redelivery (the Saga stream keeps one)', async () => {
    const paid = await paidOrder();
    await deliver(paid);
    expect((await orders.load('o-1'))?.state?.status).toBe('CONFIRMED');
    expect(announced.map((saga) => saga.status)).toEqual(['COMPLETED']);
    // The process died after recording COMPLETED and before announcing: the event comes again.
    await deliver(paid);
    expect(announced.map((saga) => [saga.sagaId, saga.status])).toEqual([
      ['s-1', 'COMPLETED'],
      ['s-1', 'COMPLETED'],
    ]);
  });

  test('announces nothing for a confirmation that raced the timeout (that saga is unwound instead)', async () => {
    const paid = await paidOrder();
    afterConfirm = () => sagas.markTimedOut('s-1');
    await deliver(paid);
    expect((await sagas.getSagaState('s-1'))?.status).toBe('TIMED_OUT');
    expect(announced).toEqual([]);
  });

  test('announces nothing for a saga that is over without completing', async () => {
    const paid = await paidOrder();
    await sagas.markTimedOut('s-1');
    await deliver(paid);
    expect((await orders.load('o-1'))?.state?.status).toBe('PENDING');
    expect(announced).toEqual([]);
  });
});
