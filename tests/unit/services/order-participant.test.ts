import type { Order } from '../../../services/order/order-decider';
import { orderParticipant } from '../../../services/order/order-participant';
import { STEP } from '../../../services/order-fulfillment/order-fulfillment';
import { participantSpec } from '../../support/participant-spec';
import {
  appended,
  ORDER_ID,
  orderCancelled,
  paymentFailed,
  paymentProcessed,
  SAGA_ID,
  sagaEvent,
  sagaRecord,
  sagaTimedOut,
  stockReservationFailed,
} from '../../support/saga-event-fixtures';

const order = (status: Order['status']): Order => ({
  orderId: ORDER_ID,
  customerId: 'c-1',
  customerName: null,
  customerEmail: null,
  lineItems: [],
  subtotal: '30.00',
  tax: '0.00',
  total: '30.00',
  shippingAddress: '1 Saga Street',
  status,
  sagaId: SAGA_ID,
  confirmationNumber: null,
  cancellationReason: null,
  cancelledBy: null,
  createdAt: 'then',
  updatedAt: 'then',
});
const NOTHING_TO_DO = ['INVALID_ORDER_STATE', 'ORDER_NOT_FOUND'];
const refused = { refusal: { code: 'INVALID_ORDER_STATE', details: null }, events: [] } as const;

describe('order participant: confirm on PaymentProcessed', () => {
  const spec = participantSpec(orderParticipant, 'PaymentProcessed', null);
  const confirmOrder = {
    kind: 'command',
    aggregateId: ORDER_ID,
    command: { type: 'ConfirmOrder', confirmationNumber: 'CNF-1' },
    step: STEP.orderConfirmed,
    tolerating: NOTHING_TO_DO,
  } as const;
  const stepCompleted = (eventId: string) =>
    ({ kind: 'recordStepCompleted', sagaId: SAGA_ID, step: STEP.orderConfirmed, eventId }) as const;
  const knows = (status: Parameters<typeof sagaRecord>[0]) => ({
    saga: sagaRecord(status),
    confirmationNumber: 'CNF-1',
  });

  test('happy path: confirms, records step 3 and announces the COMPLETED saga', async () => {
    await spec
      .given(knows('IN_PROGRESS'))
      .when(paymentProcessed(), {
        command: () => ({ state: order('CONFIRMED'), events: [appended('e-confirmed', 'OrderConfirmed')] }),
        saga: () => sagaRecord('COMPLETED'),
      })
      .then([
        confirmOrder,
        stepCompleted('e-confirmed'),
        { kind: 'announceCompleted', saga: sagaRecord('COMPLETED') },
      ]);
  });

  test('a redelivery after the saga COMPLETED only announces it again (the Saga stream keeps one)', async () => {
    await spec
      .given(knows('COMPLETED'))
      .when(paymentProcessed())
      .then([{ kind: 'announceCompleted', saga: sagaRecord('COMPLETED') }]);
  });

  test('a redelivery after confirming, before recording: the CONFIRMED order records step 3 with the payment event', async () => {
    const paid = paymentProcessed();
    await spec
      .given(knows('IN_PROGRESS'))
      .when(paid, {
        command: () => refused,
        load: () => order('CONFIRMED'),
        saga: () => sagaRecord('COMPLETED'),
      })
      .then([
        confirmOrder,
        { kind: 'load', aggregateId: ORDER_ID },
        stepCompleted(paid.eventId),
        { kind: 'announceCompleted', saga: sagaRecord('COMPLETED') },
      ]);
  });

  test.each(['TIMED_OUT', 'COMPENSATING', 'COMPENSATED', 'FAILED'] as const)(
    'a late PaymentProcessed after the saga went %s confirms nothing',
    async (status) => {
      await spec.given(knows(status)).when(paymentProcessed()).thenNothing();
    },
  );

  test('a confirmation racing a cancel: the order is CANCELLED, so nothing is recorded', async () => {
    await spec
      .given(knows('IN_PROGRESS'))
      .when(paymentProcessed(), { command: () => refused, load: () => order('CANCELLED') })
      .then([confirmOrder, { kind: 'load', aggregateId: ORDER_ID }]);
  });

  test('a confirmation racing the timeout records step 3 but announces nothing (the saga is unwound)', async () => {
    await spec
      .given(knows('IN_PROGRESS'))
      .when(paymentProcessed(), {
        command: () => ({ state: order('CONFIRMED'), events: [appended('e-confirmed', 'OrderConfirmed')] }),
        saga: () => sagaRecord('TIMED_OUT'),
      })
      .then([confirmOrder, stepCompleted('e-confirmed')]);
  });

  test('malformed payload: a PaymentProcessed without its amount is refused', async () => {
    const { amount: _amount, ...payload } = paymentProcessed().payload as Record<string, unknown>;
    await spec
      .given(knows('IN_PROGRESS'))
      .when(sagaEvent('PaymentProcessed', payload))
      .thenRejects(/PaymentProcessed .* amount: /);
  });
});

describe('order participant: the system cancels on a failure or the timeout', () => {
  const cancelOrder = (reason: string) =>
    ({
      kind: 'command',
      aggregateId: ORDER_ID,
      command: { type: 'CancelOrder', reason, cancelledBy: 'system' },
      step: STEP.orderCreated,
      compensating: true,
      tolerating: NOTHING_TO_DO,
    }) as const;
  const undone = (eventId: string | null) =>
    [
      { kind: 'recordCompensationStep', sagaId: SAGA_ID, step: STEP.orderConfirmed, eventId },
      { kind: 'recordCompensationStep', sagaId: SAGA_ID, step: STEP.orderCreated, eventId },
    ] as const;
  const cancelled = () => ({ state: order('CANCELLED'), events: [appended('e-cancel', 'OrderCancelled')] });
  const saga = sagaRecord('COMPENSATING');

  test('payment failed: cancels with the reason, steps 3 and 0 undone with the cancel', async () => {
    await participantSpec(orderParticipant, 'PaymentFailed', null)
      .given({ saga })
      .when(paymentFailed('declined'), { command: cancelled })
      .then([cancelOrder('Payment failed: declined'), ...undone('e-cancel')]);
  });

  test('stock failed: cancels with the reservation failure', async () => {
    await participantSpec(orderParticipant, 'StockReservationFailed', null)
      .given({ saga })
      .when(stockReservationFailed(), { command: cancelled })
      .then([
        cancelOrder('Stock reservation failed: Insufficient stock for product p-b: requested 1, available 0'),
        ...undone('e-cancel'),
      ]);
  });

  const timedOut = participantSpec(orderParticipant, 'SagaTimedOut', null);

  test('timeout: cancels "Saga timed out"', async () => {
    await timedOut
      .given({ saga: sagaRecord('TIMED_OUT') })
      .when(sagaTimedOut(), { command: cancelled })
      .then([cancelOrder('Saga timed out'), ...undone('e-cancel')]);
  });

  test('a redelivery finds the order cancelled already: the steps are recorded, nothing cancelled twice', async () => {
    await timedOut
      .given({ saga: sagaRecord('TIMED_OUT') })
      .when(sagaTimedOut(), { command: () => refused })
      .then([cancelOrder('Saga timed out'), ...undone(null)]);
  });

  test('a saga record without its context (gone) cancels nothing and only records', async () => {
    await timedOut.given({ saga: undefined }).when(sagaTimedOut()).then(undone(null));
  });
});

describe("order participant: a user's cancel unwinds the saga", () => {
  const spec = participantSpec(orderParticipant, 'OrderCancelled', null);
  const started = {
    kind: 'recordCompensationStarted',
    sagaId: SAGA_ID,
    reason: 'Order cancelled by customer: changed my mind',
  } as const;

  test('cancelledBy customer: the saga starts compensating and step 0 is undone', async () => {
    const cancel = orderCancelled('customer');
    await spec
      .given(undefined)
      .when(cancel, { saga: () => sagaRecord('COMPENSATING') })
      .then([
        started,
        { kind: 'recordCompensationStep', sagaId: SAGA_ID, step: STEP.orderCreated, eventId: cancel.eventId },
      ]);
  });

  test('cancelledBy system: its own cancels recorded their compensation already, so nothing', async () => {
    await spec.given(undefined).when(orderCancelled('system')).thenNothing();
  });

  test('a user cancel that names itself "system" (no causing event) is recorded like any user cancel', async () => {
    const { causationId: _none, ...cancel } = orderCancelled('system');
    await spec
      .given(undefined)
      .when(cancel, { saga: () => sagaRecord('COMPENSATING') })
      .then([
        { ...started, reason: 'Order cancelled by system: changed my mind' },
        { kind: 'recordCompensationStep', sagaId: SAGA_ID, step: STEP.orderCreated, eventId: cancel.eventId },
      ]);
  });

  test('a cancel after the saga COMPLETED leaves the record COMPLETED', async () => {
    await spec
      .given(undefined)
      .when(orderCancelled('customer'), { saga: () => sagaRecord('COMPLETED') })
      .then([started]);
  });

  test('malformed payload: an OrderCancelled without cancelledBy is refused', async () => {
    await spec
      .given(undefined)
      .when(sagaEvent('OrderCancelled', { reason: 'changed my mind' }))
      .thenRejects(/OrderCancelled .* cancelledBy: /);
  });
});
