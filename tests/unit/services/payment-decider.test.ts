import {
  DECLINE_REASON,
  paymentDecider,
  type Payment,
  type PaymentCommand,
  type PaymentEvent,
} from '../../../services/payment/payment-decider';
import { AGGREGATE_ID, deciderSpec, timestampOf } from '../../support/decider-spec';

const spec = deciderSpec(paymentDecider);

const charge = {
  orderId: 'o-1',
  customerId: 'c-1',
  amount: '65.97',
  currency: 'USD',
  method: 'CREDIT_CARD',
} as const;

const process = (amount: string, transactionId = 'TXN-1'): PaymentCommand => ({
  type: 'ProcessPayment',
  ...charge,
  amount,
  transactionId,
});

const processed: PaymentEvent = { type: 'PaymentProcessed', payload: { ...charge, transactionId: 'TXN-1' } };
const failed: PaymentEvent = {
  type: 'PaymentFailed',
  payload: { ...charge, amount: '10000.01', failureReason: DECLINE_REASON },
};
const refunded: PaymentEvent = {
  type: 'PaymentRefunded',
  payload: { orderId: 'o-1', amount: '65.97', reason: 'order cancelled', refundTransactionId: 'RFD-1' },
};

const captured: Payment = {
  paymentId: AGGREGATE_ID,
  ...charge,
  status: 'CAPTURED',
  transactionId: 'TXN-1',
  processedAt: timestampOf(1),
  failureReason: null,
  refundTransactionId: null,
  refundReason: null,
  createdAt: timestampOf(1),
  updatedAt: timestampOf(1),
};

describe('payment decider', () => {
  describe('ProcessPayment', () => {
    it('captures a payment within the limit', () => {
      spec.when(process('65.97')).then([processed]).thenState(captured);
    });

    it.each(['10000.00', '9999.99', '0.01'])('captures %s (not greater than 10000.00)', (amount) => {
      const { state } = spec
        .when(process(amount))
        .then([{ type: 'PaymentProcessed', payload: { ...charge, amount, transactionId: 'TXN-1' } }]);
      expect(state?.status).toBe('CAPTURED');
    });

    it('declines an amount greater than 10000.00 as FAILED with the processor reason', () => {
      spec
        .when(process('10000.01'))
        .then([failed])
        .thenState({
          paymentId: AGGREGATE_ID,
          ...charge,
          amount: '10000.01',
          status: 'FAILED',
          transactionId: null,
          processedAt: timestampOf(1),
          failureReason: 'Payment declined by processor',
          refundTransactionId: null,
          refundReason: null,
          createdAt: timestampOf(1),
          updatedAt: timestampOf(1),
        });
    });

    it('declines a large amount, compared as a decimal and not as text', () => {
      const { state } = spec.when(process('250000.00')).then([
        {
          type: 'PaymentFailed',
          payload: { ...charge, amount: '250000.00', failureReason: DECLINE_REASON },
        },
      ]);
      expect(state?.status).toBe('FAILED');
    });

    it('charges a payment id once: a second ProcessPayment on a captured payment is a no-op', () => {
      spec.given([processed]).when(process('65.97', 'TXN-2')).thenNothing().thenState(captured);
    });

    it('does not retry a declined payment id either', () => {
      const { state } = spec.given([failed]).when(process('10.00', 'TXN-2')).thenNothing();
      expect(state?.status).toBe('FAILED');
    });

    it('does not charge a refunded payment id again', () => {
      spec.given([processed, refunded]).when(process('65.97', 'TXN-2')).thenNothing();
    });
  });

  describe('RefundPayment', () => {
    it('refunds a CAPTURED payment for its own order and amount', () => {
      spec
        .given([processed])
        .when({ type: 'RefundPayment', reason: 'order cancelled', refundTransactionId: 'RFD-1' })
        .then([refunded])
        .thenState({
          ...captured,
          status: 'REFUNDED',
          refundTransactionId: 'RFD-1',
          refundReason: 'order cancelled',
          updatedAt: timestampOf(2),
        });
    });

    it.each([
      ['FAILED', [failed]],
      ['REFUNDED', [processed, refunded]],
    ] as const)('answers INVALID_PAYMENT_STATE for a %s payment, with details', (status, history) => {
      const error = spec
        .given(history)
        .when({ type: 'RefundPayment', reason: 'again', refundTransactionId: 'RFD-2' })
        .thenThrows('INVALID_PAYMENT_STATE');
      expect(error.kind).toBe('conflict');
      expect(error.details).toEqual({
        id: AGGREGATE_ID,
        currentStatus: status,
        requestedOperation: 'refund',
      });
    });

    it.each(['PENDING', 'AUTHORIZED'] as const)('does not refund a %s payment', (status) => {
      expect(() =>
        paymentDecider.decide(
          { type: 'RefundPayment', reason: 'r', refundTransactionId: 'RFD-1' },
          { ...captured, status },
        ),
      ).toThrow(expect.objectContaining({ code: 'INVALID_PAYMENT_STATE' }));
    });

    it('answers PAYMENT_NOT_FOUND for an unknown payment', () => {
      const error = spec
        .when({ type: 'RefundPayment', reason: 'r', refundTransactionId: 'RFD-1' })
        .thenThrows('PAYMENT_NOT_FOUND');
      expect(error.kind).toBe('not-found');
    });
  });

  describe('evolve', () => {
    it('ignores a refund of a payment it never saw processed', () => {
      expect(spec.given([refunded]).state).toBeNull();
    });
  });
});
