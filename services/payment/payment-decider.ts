import type { Decider } from '../../src/eventsourcing/decider';
import { conflict, notFound } from '../../src/eventsourcing/domain-error';
import { money } from '../../src/events/money';
import type {
  Charge,
  PaymentFailedPayload,
  PaymentProcessedPayload,
  PaymentRefundedPayload,
} from '../order-fulfillment/saga-events';

export const paymentStatuses = ['PENDING', 'AUTHORIZED', 'CAPTURED', 'FAILED', 'REFUNDED'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];
export const paymentMethods = ['CREDIT_CARD', 'DEBIT_CARD', 'BANK_TRANSFER', 'DIGITAL_WALLET'] as const;
export type PaymentMethod = (typeof paymentMethods)[number];

/** The simulated processor of API.md declines anything above this. */
export const DECLINE_ABOVE = money('10000.00');
export const DECLINE_REASON = 'Payment declined by processor';

export interface Payment {
  readonly paymentId: string;
  readonly orderId: string;
  readonly customerId: string;
  /** Decimal string. */
  readonly amount: string;
  readonly currency: string;
  readonly method: PaymentMethod;
  readonly status: PaymentStatus;
  readonly transactionId: string | null;
  readonly processedAt: string | null;
  readonly failureReason: string | null;
  readonly refundTransactionId: string | null;
  readonly refundReason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type PaymentState = Payment | null;

export type PaymentCommand =
  | ({ readonly type: 'ProcessPayment'; readonly transactionId: string } & Charge)
  | { readonly type: 'RefundPayment'; readonly reason: string; readonly refundTransactionId: string };

/** The payloads are the saga's event contracts (saga-events.ts): what payment writes is what others parse. */
export type PaymentEvent =
  | { readonly type: 'PaymentProcessed'; readonly payload: PaymentProcessedPayload }
  | { readonly type: 'PaymentFailed'; readonly payload: PaymentFailedPayload }
  | { readonly type: 'PaymentRefunded'; readonly payload: PaymentRefundedPayload };

export const paymentDecider: Decider<PaymentState, PaymentCommand, PaymentEvent> = {
  initialState: () => null,

  decide(command, state) {
    switch (command.type) {
      case 'ProcessPayment': {
        // A payment id is charged once: a repeat (redelivery, retry) changes nothing.
        if (state) return [];
        const { type: _type, transactionId, ...charge } = command;
        return money(charge.amount).greaterThan(DECLINE_ABOVE)
          ? [{ type: 'PaymentFailed', payload: { ...charge, failureReason: DECLINE_REASON } }]
          : [{ type: 'PaymentProcessed', payload: { ...charge, transactionId } }];
      }
      case 'RefundPayment': {
        if (!state) throw notFound('PAYMENT_NOT_FOUND', 'Payment not found');
        // The same refund again (a retry with its Idempotency-Key) finds it done.
        if (state.status === 'REFUNDED' && state.refundTransactionId === command.refundTransactionId)
          return [];
        if (state.status !== 'CAPTURED') {
          throw conflict(
            'INVALID_PAYMENT_STATE',
            `Payment ${state.paymentId} is ${state.status}; cannot refund`,
            {
              id: state.paymentId,
              currentStatus: state.status,
              requestedOperation: 'refund',
            },
          );
        }
        return [
          {
            type: 'PaymentRefunded',
            payload: {
              orderId: state.orderId,
              amount: state.amount,
              reason: command.reason,
              refundTransactionId: command.refundTransactionId,
            },
          },
        ];
      }
    }
  },

  evolve(state, event) {
    const base = (charge: Charge) => ({
      paymentId: event.key,
      ...charge,
      createdAt: event.timestamp,
      updatedAt: event.timestamp,
      processedAt: event.timestamp,
      refundTransactionId: null,
      refundReason: null,
    });
    switch (event.eventType) {
      case 'PaymentProcessed': {
        const { transactionId, ...charge } = event.payload;
        return { ...base(charge), status: 'CAPTURED', transactionId, failureReason: null };
      }
      case 'PaymentFailed': {
        const { failureReason, ...charge } = event.payload;
        return { ...base(charge), status: 'FAILED', transactionId: null, failureReason };
      }
      case 'PaymentRefunded':
        return state
          ? {
              ...state,
              status: 'REFUNDED',
              refundTransactionId: event.payload.refundTransactionId,
              refundReason: event.payload.reason,
              updatedAt: event.timestamp,
            }
          : state;
    }
  },
};
