import type { NewEvent } from '../../../src/events/envelope';
import { parsePayload } from '../../../src/events/parse-payload';
import { sagaOutcomeDecider } from '../../../src/sagas/saga-timed-out';
import { productDecider } from '../../../services/inventory/product-decider';
import { orderDecider, type OrderCommand } from '../../../services/order/order-decider';
import { sagaEvents, type SagaEventType } from '../../../services/order-fulfillment/saga-events';
import { paymentDecider } from '../../../services/payment/payment-decider';
import { deciderSpec, envelope } from '../../support/decider-spec';
import { context } from '../../support/saga-event-fixtures';

/** What each producer's decider writes parses with the schema its consumers read it with. */
describe('saga event contracts: producer and consumer agree', () => {
  const parses = (events: readonly NewEvent[]) => {
    for (const event of events) {
      const schema = sagaEvents[event.type as SagaEventType];
      expect(schema).toBeDefined();
      expect(parsePayload(schema, envelope(event, 1)).payload).toEqual(event.payload);
    }
    return events.map((event) => event.type);
  };

  test('order: OrderCreated, OrderConfirmed, OrderCancelled', () => {
    const create: OrderCommand = {
      type: 'CreateOrder',
      customerId: 'c-1',
      customerName: 'Ada',
      customerEmail: null,
      lineItems: [
        {
          productId: 'p-a',
          productName: 'Widget',
          sku: 'W-1',
          quantity: 2,
          unitPrice: '10.00',
          lineTotal: '20.00',
        },
      ],
      shippingAddress: 'here',
      subtotal: '20.00',
      tax: '1.60',
      total: '21.60',
      sagaId: 's-1',
    };
    const created = orderDecider.decide(create, null);
    const order = deciderSpec(orderDecider).given(created).state;
    expect([
      ...parses(created),
      ...parses(orderDecider.decide({ type: 'ConfirmOrder', confirmationNumber: 'CNF-1' }, order)),
      ...parses(orderDecider.decide({ type: 'CancelOrder', reason: 'no', cancelledBy: 'customer' }, order)),
    ]).toEqual(['OrderCreated', 'OrderConfirmed', 'OrderCancelled']);
  });

  test('inventory: StockReserved, StockReleased, StockReservationFailed', () => {
    const product = deciderSpec(productDecider).given(
      productDecider.decide(
        { type: 'CreateProduct', sku: 'W', name: 'Widget', price: '10.00', quantityOnHand: 5 },
        null,
      ),
    ).state;
    const reserved = productDecider.decide(
      { type: 'ReserveStock', orderId: 'o-1', quantity: 2, completesReservation: true },
      product,
    );
    const holding = deciderSpec(productDecider).given([
      ...productDecider.decide(
        { type: 'CreateProduct', sku: 'W', name: 'Widget', price: '10.00', quantityOnHand: 5 },
        null,
      ),
      ...reserved,
    ]).state;
    expect([
      ...parses(reserved),
      ...parses(productDecider.decide({ type: 'ReleaseStock', orderId: 'o-1', reason: 'why' }, holding)),
      ...parses(
        productDecider.decide(
          {
            type: 'RecordReservationFailure',
            orderId: 'o-1',
            productId: 'p',
            requestedQuantity: 9,
            reason: 'short',
          },
          product,
        ),
      ),
    ]).toEqual(['StockReserved', 'StockReleased', 'StockReservationFailed']);
  });

  test('payment: PaymentProcessed, PaymentFailed, PaymentRefunded', () => {
    const charge = {
      orderId: 'o-1',
      customerId: 'c-1',
      currency: 'USD',
      method: 'CREDIT_CARD',
      transactionId: 'T',
    } as const;
    const processed = paymentDecider.decide({ type: 'ProcessPayment', amount: '21.60', ...charge }, null);
    const captured = deciderSpec(paymentDecider).given(processed).state;
    expect([
      ...parses(processed),
      ...parses(paymentDecider.decide({ type: 'ProcessPayment', amount: '10000.01', ...charge }, null)),
      ...parses(
        paymentDecider.decide({ type: 'RefundPayment', reason: 'why', refundTransactionId: 'R' }, captured),
      ),
    ]).toEqual(['PaymentProcessed', 'PaymentFailed', 'PaymentRefunded']);
  });

  test('the Saga stream: SagaTimedOut and SagaCompleted carry the fulfillment context', () => {
    const outcome = { sagaType: 'OrderFulfillment', context } as const;
    expect([
      ...parses(
        sagaOutcomeDecider.decide(
          { type: 'AnnounceTimeout', deadline: 'a', timedOutAt: 'b', ...outcome },
          { announced: false },
        ),
      ),
      ...parses(
        sagaOutcomeDecider.decide(
          { type: 'AnnounceCompletion', completedAt: 'c', ...outcome },
          { announced: false },
        ),
      ),
    ]).toEqual(['SagaTimedOut', 'SagaCompleted']);
  });
});
