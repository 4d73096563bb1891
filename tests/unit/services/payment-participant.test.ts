import type { Payment } from '../../../services/payment/payment-decider';
import { paymentParticipant } from '../../../services/payment/payment-participant';
import { paymentIdFor, STEP } from '../../../services/order-fulfillment/order-fulfillment';
import { participantSpec } from '../../support/participant-spec';
import {
  appended,
  orderCancelled,
  SAGA_ID,
  sagaEvent,
  sagaRecord,
  sagaTimedOut,
  stockReserved,
} from '../../support/saga-event-fixtures';

const PAYMENT_ID = paymentIdFor(SAGA_ID);
const ids = { transactionId: 'TXN-1', refundTransactionId: 'RFD-1' };

const payment = (status: Payment['status']): Payment => ({
  paymentId: PAYMENT_ID,
  orderId: 'o-1',
  customerId: 'c-1',
  amount: '30.00',
  currency: 'USD',
  method: 'CREDIT_CARD',
  status,
  transactionId: status === 'FAILED' ? null : 'TXN-1',
  processedAt: 'then',
  failureReason: status === 'FAILED' ? 'Payment declined by processor' : null,
  refundTransactionId: null,
  refundReason: null,
  createdAt: 'then',
  updatedAt: 'then',
});

const processPayment = {
  kind: 'command',
  aggregateId: PAYMENT_ID,
  command: {
    type: 'ProcessPayment',
    orderId: 'o-1',
    customerId: 'c-1',
    amount: '30.00',
    currency: 'USD',
    method: 'CREDIT_CARD',
    transactionId: 'TXN-1',
  },
  step: STEP.paymentProcessed,
} as const;
const refundPayment = (reason: string) =>
  ({
    kind: 'command',
    aggregateId: PAYMENT_ID,
    command: { type: 'RefundPayment', reason, refundTransactionId: 'RFD-1' },
    step: STEP.paymentProcessed,
    compensating: true,
  }) as const;
const stepCompleted = (eventId: string) =>
  ({ kind: 'recordStepCompleted', sagaId: SAGA_ID, step: STEP.paymentProcessed, eventId }) as const;
const compensated = (eventId: string | null) =>
  ({ kind: 'recordCompensationStep', sagaId: SAGA_ID, step: STEP.paymentProcessed, eventId }) as const;

describe('payment participant: charge on the completing StockReserved', () => {
  const spec = participantSpec(paymentParticipant, 'StockReserved', null);

  test('happy path: charges the saga total once and records step 2 with PaymentProcessed', async () => {
    await spec
      .given({ saga: sagaRecord('IN_PROGRESS'), ids })
      .when(stockReserved(true), {
        command: () => ({ state: payment('CAPTURED'), events: [appended('e-paid', 'PaymentProcessed')] }),
        saga: () => sagaRecord('IN_PROGRESS'),
      })
      .then([processPayment, stepCompleted('e-paid')]);
  });

  test('a StockReserved that does not complete the reservation charges nothing', async () => {
    await spec.given({ saga: undefined, ids }).when(stockReserved(false)).thenNothing();
  });

  test("a redelivery appends nothing: the step records the payment's own first event", async () => {
    await spec
      .given({ saga: sagaRecord('IN_PROGRESS'), ids })
      .when(stockReserved(true), {
        command: () => ({ state: payment('CAPTURED'), events: [] }),
        history: () => [appended('e-paid', 'PaymentProcessed')],
      })
      .then([
        processPayment,
        { kind: 'history', aggregateId: PAYMENT_ID, limit: 1 },
        stepCompleted('e-paid'),
      ]);
  });

  test.each(['TIMED_OUT', 'COMPENSATING', 'COMPENSATED', 'FAILED', 'COMPLETED'] as const)(
    'a late StockReserved after the saga went %s charges nothing',
    async (status) => {
      await spec
        .given({ saga: sagaRecord(status), ids })
        .when(stockReserved(true))
        .thenNothing();
    },
  );

  test('a StockReserved whose saga record is gone (purged) charges nothing', async () => {
    await spec.given({ saga: undefined, ids }).when(stockReserved(true)).thenNothing();
  });

  test('payment failed: a declined charge fails step 2 with the reason', async () => {
    await spec
      .given({ saga: sagaRecord('IN_PROGRESS'), ids })
      .when(stockReserved(true), {
        command: () => ({ state: payment('FAILED'), events: [appended('e-failed', 'PaymentFailed')] }),
      })
      .then([
        processPayment,
        {
          kind: 'recordStepFailed',
          sagaId: SAGA_ID,
          step: STEP.paymentProcessed,
          reason: 'Payment declined by processor',
        },
      ]);
  });

  test('the refund-after-charge race: the saga timed out while it charged, so the money goes back at once', async () => {
    await spec
      .given({ saga: sagaRecord('IN_PROGRESS'), ids })
      .when(stockReserved(true), {
        command: (intent) =>
          intent.command.type === 'ProcessPayment'
            ? { state: payment('CAPTURED'), events: [appended('e-paid', 'PaymentProcessed')] }
            : { state: payment('REFUNDED'), events: [appended('e-refund', 'PaymentRefunded')] },
        saga: () => sagaRecord('TIMED_OUT'),
        load: () => payment('CAPTURED'),
      })
      .then([
        processPayment,
        stepCompleted('e-paid'),
        { kind: 'load', aggregateId: PAYMENT_ID },
        refundPayment('Saga timed_out'),
        compensated('e-refund'),
      ]);
  });

  test('the same race when the timeout refunded first: nothing is refunded twice', async () => {
    await spec
      .given({ saga: sagaRecord('IN_PROGRESS'), ids })
      .when(stockReserved(true), {
        command: () => ({ state: payment('CAPTURED'), events: [appended('e-paid', 'PaymentProcessed')] }),
        saga: () => sagaRecord('COMPENSATED'),
        load: () => payment('REFUNDED'),
      })
      .then([
        processPayment,
        stepCompleted('e-paid'),
        { kind: 'load', aggregateId: PAYMENT_ID },
        compensated(null),
      ]);
  });

  test('a charge that completes the saga in the same moment refunds nothing', async () => {
    await spec
      .given({ saga: sagaRecord('IN_PROGRESS'), ids })
      .when(stockReserved(true), {
        command: () => ({ state: payment('CAPTURED'), events: [appended('e-paid', 'PaymentProcessed')] }),
        saga: () => sagaRecord('COMPLETED'),
      })
      .then([processPayment, stepCompleted('e-paid')]);
  });

  test('malformed payload: refused with the field named, nothing decided', async () => {
    const malformed = sagaEvent(
      'StockReserved',
      { orderId: 'o-1', quantity: 'one', completesReservation: true },
      { key: 'p-b', source: 'Product' },
    );
    await spec
      .given({ saga: sagaRecord('IN_PROGRESS'), ids })
      .when(malformed)
      .thenRejects(/StockReserved .* does not match its schema: quantity: /);
  });
});

describe('payment participant: refund on a cancel or a timeout', () => {
  const cancelled = participantSpec(paymentParticipant, 'OrderCancelled', null);
  const timedOut = participantSpec(paymentParticipant, 'SagaTimedOut', null);
  const refunded = () => ({ state: payment('REFUNDED'), events: [appended('e-refund', 'PaymentRefunded')] });

  test.each(['customer', 'system'])(
    'user cancel (cancelledBy %s): a captured payment is refunded and step 2 compensated',
    async (cancelledBy) => {
      await cancelled
        .given({ payment: payment('CAPTURED'), ids })
        .when(orderCancelled(cancelledBy), { command: refunded })
        .then([refundPayment('Order cancelled: changed my mind'), compensated('e-refund')]);
    },
  );

  test.each([
    ['never charged', undefined],
    ['declined', payment('FAILED')],
    ['refunded already (a redelivery)', payment('REFUNDED')],
  ] as const)('a cancel when the payment was %s refunds nothing and skips the step', async (_, known) => {
    await cancelled
      .given({ payment: known, ids })
      .when(orderCancelled('customer'))
      .then([compensated(null)]);
  });

  test('timeout: a captured payment is refunded, "Saga timed out"', async () => {
    await timedOut
      .given({ payment: payment('CAPTURED'), ids })
      .when(sagaTimedOut(), { command: refunded })
      .then([refundPayment('Saga timed out'), compensated('e-refund')]);
  });

  test('malformed payload: an OrderCancelled without its reason is refused', async () => {
    await cancelled
      .given({ payment: payment('CAPTURED'), ids })
      .when(sagaEvent('OrderCancelled', { cancelledBy: 'customer' }))
      .thenRejects(/OrderCancelled .* reason: /);
  });
});
