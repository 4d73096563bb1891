import type { EventEnvelope } from '../../src/events/envelope';
import { sagaTransitions, type SagaState, type SagaStatus } from '../../src/sagas/saga-state';
import {
  orderFulfillment,
  type FulfillmentContext,
} from '../../services/order-fulfillment/order-fulfillment';
import { envelope } from './decider-spec';

/** The events and saga records the participant specs decide on: one order o-1 in saga s-1. */

export const SAGA_ID = 's-1';
export const ORDER_ID = 'o-1';

export const context: FulfillmentContext = {
  orderId: ORDER_ID,
  customerId: 'c-1',
  total: '30.00',
  currency: 'USD',
  lineItems: [
    { productId: 'p-a', quantity: 2 },
    { productId: 'p-b', quantity: 1 },
  ],
};

/** The saga record of s-1 in `status`. */
export function sagaRecord(status: SagaStatus, changes: Partial<SagaState> = {}): SagaState {
  const started = sagaTransitions.start(orderFulfillment, {
    sagaId: SAGA_ID,
    correlationId: 'correlation-1',
    now: 0,
    deadline: 60_000,
    context: { ...context },
  });
  return { ...started, status, ...changes };
}

/** A recorded event of saga s-1, as a consumer group hands it over (payload unchecked). */
export function sagaEvent(
  type: string,
  payload: unknown,
  at: { key?: string; version?: number; source?: string; sagaId?: string | null } = {},
): EventEnvelope {
  const recorded = envelope({ type, payload }, at.version ?? 1, at.key ?? ORDER_ID, at.source ?? 'Test');
  const { sagaId = SAGA_ID } = at;
  return sagaId === null ? recorded : { ...recorded, sagaId, sagaType: 'OrderFulfillment' };
}

/** An event an intent's command appended, as the world answers it. */
export const appended = (eventId: string, eventType: string): EventEnvelope => ({
  ...envelope({ type: eventType, payload: {} }, 1),
  eventId,
});

export const orderCreated = (lineItems = context.lineItems) =>
  sagaEvent('OrderCreated', {
    customerId: 'c-1',
    customerName: null,
    customerEmail: null,
    lineItems: lineItems.map((line) => ({
      ...line,
      productName: null,
      sku: null,
      unitPrice: '10.00',
      lineTotal: '10.00',
    })),
    shippingAddress: '1 Saga Street',
    subtotal: '30.00',
    tax: '0.00',
    total: '30.00',
    sagaId: SAGA_ID,
  });

/** A system cancel is caused by the event it answers (causedBy); a user's, through the route, by none. */
export const orderCancelled = (cancelledBy: string, reason = 'changed my mind') => {
  const cancelled = sagaEvent('OrderCancelled', { reason, cancelledBy }, { version: 2 });
  return cancelledBy === 'system' ? { ...cancelled, causationId: 'the-failure-it-answers' } : cancelled;
};

const charge = {
  orderId: ORDER_ID,
  customerId: 'c-1',
  amount: '30.00',
  currency: 'USD',
  method: 'CREDIT_CARD',
};

export const paymentProcessed = () =>
  sagaEvent('PaymentProcessed', { ...charge, transactionId: 'TXN-1' }, { key: 'pay-1', source: 'Payment' });

export const paymentFailed = (failureReason = 'Payment declined by processor') =>
  sagaEvent('PaymentFailed', { ...charge, failureReason }, { key: 'pay-1', source: 'Payment' });

export const stockReserved = (completesReservation: boolean) =>
  sagaEvent(
    'StockReserved',
    { orderId: ORDER_ID, quantity: 1, ...(completesReservation ? { completesReservation: true } : {}) },
    { key: 'p-b', source: 'Product', version: 2 },
  );

export const stockReservationFailed = () =>
  sagaEvent(
    'StockReservationFailed',
    {
      orderId: ORDER_ID,
      productId: 'p-b',
      requestedQuantity: 1,
      availableQuantity: 0,
      reason: 'Insufficient stock for product p-b: requested 1, available 0',
    },
    { key: 'p-b', source: 'Product', version: 2 },
  );

export const sagaTimedOut = () =>
  sagaEvent(
    'SagaTimedOut',
    { sagaType: 'OrderFulfillment', deadline: 'then', timedOutAt: 'now', context },
    { key: SAGA_ID, source: 'Saga' },
  );

export const sagaCompleted = () =>
  sagaEvent(
    'SagaCompleted',
    { sagaType: 'OrderFulfillment', completedAt: 'now', context },
    { key: SAGA_ID, source: 'Saga' },
  );
