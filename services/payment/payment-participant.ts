import type { Intent, SagaParticipant } from '../../src/sagas/participant';
import { ACTIVE, type SagaState } from '../../src/sagas/saga-state';
import { fulfillmentContextSchema, paymentIdFor, STEP } from '../order-fulfillment/order-fulfillment';
import { sagaEvents, type SagaEvent, type SagaEvents } from '../order-fulfillment/saga-events';
import type { PaymentCommand, PaymentState } from './payment-decider';

export type PaymentIntent = Intent<PaymentCommand, PaymentState>;
type PaymentIntents = readonly PaymentIntent[];

/** Fresh ids a decision may use (the decision itself makes none). */
export interface FreshPaymentIds {
  readonly transactionId: string;
  readonly refundTransactionId: string;
}

/** What payment knows when it decides, per event. */
export interface PaymentKnowledge {
  /** The saga record, read only for the StockReserved that completes a reservation. */
  readonly StockReserved: { readonly saga: SagaState | undefined; readonly ids: FreshPaymentIds };
  /** The saga's payment as it stands (undefined: never charged). */
  readonly OrderCancelled: { readonly payment: PaymentState | undefined; readonly ids: FreshPaymentIds };
  readonly SagaTimedOut: { readonly payment: PaymentState | undefined; readonly ids: FreshPaymentIds };
}

/** Money back when it was captured; the step is compensated, or skipped when nothing was captured. */
function refund(
  sagaId: string,
  payment: PaymentState | undefined,
  reason: string,
  refundTransactionId: string,
): PaymentIntents {
  const recorded = (eventId: string | null): PaymentIntent => ({
    kind: 'recordCompensationStep',
    sagaId,
    step: STEP.paymentProcessed,
    eventId,
  });
  if (payment?.status !== 'CAPTURED') return [recorded(null)];
  return [
    {
      kind: 'command',
      aggregateId: paymentIdFor(sagaId),
      command: { type: 'RefundPayment', reason, refundTransactionId },
      step: STEP.paymentProcessed,
      compensating: true,
      then: (outcome) => [recorded(outcome.events[0]?.eventId ?? null)],
    },
  ];
}

/**
 * Charge an order exactly once when its whole reservation is in (one payment id per saga), only while
 * the saga is active; and if the saga ended while it charged (the step's record says so), refund at once.
 */
function charge(event: SagaEvent<'StockReserved'>, knows: PaymentKnowledge['StockReserved']): PaymentIntents {
  const { saga, ids } = knows;
  const sagaId = event.sagaId;
  if (!event.payload.completesReservation || !sagaId) return [];
  if (!saga || !ACTIVE.includes(saga.status)) return [];
  const context = fulfillmentContextSchema.parse(saga.context);
  const paymentId = paymentIdFor(sagaId);
  const recordCharge = (eventId: string): PaymentIntents => [
    {
      kind: 'recordStepCompleted',
      sagaId,
      step: STEP.paymentProcessed,
      eventId,
      then: (after) =>
        after && !ACTIVE.includes(after.status) && after.status !== 'COMPLETED'
          ? [
              {
                kind: 'load',
                aggregateId: paymentId,
                then: (payment) =>
                  refund(sagaId, payment, `Saga ${after.status.toLowerCase()}`, ids.refundTransactionId),
              },
            ]
          : [],
    },
  ];
  return [
    {
      kind: 'command',
      aggregateId: paymentId,
      command: {
        type: 'ProcessPayment',
        orderId: context.orderId,
        customerId: context.customerId,
        amount: context.total,
        currency: context.currency,
        method: 'CREDIT_CARD',
        transactionId: ids.transactionId,
      },
      step: STEP.paymentProcessed,
      then: ({ state: payment, events }): PaymentIntents => {
        if (!payment) return [];
        if (payment.status === 'FAILED')
          return [
            {
              kind: 'recordStepFailed',
              sagaId,
              step: STEP.paymentProcessed,
              reason: payment.failureReason ?? 'Payment failed',
            },
          ];
        const appended = events[0]?.eventId;
        if (appended) return recordCharge(appended);
        // A repeat appended nothing: the step records the payment's own first event.
        return [
          {
            kind: 'history',
            aggregateId: payment.paymentId,
            limit: 1,
            then: (history) => recordCharge(history[0]?.eventId ?? event.eventId),
          },
        ];
      },
    },
  ];
}

/**
 * Payment's part of OrderFulfillment: charge once per order when its reservation is whole, refund when the
 * order is cancelled or the saga times out, and never leave money captured for a saga that is over.
 */
export const paymentParticipant: SagaParticipant<SagaEvents, PaymentKnowledge, PaymentIntent> = {
  events: sagaEvents,
  decide: {
    StockReserved: charge,
    OrderCancelled: (event, { payment, ids }) =>
      event.sagaId
        ? refund(event.sagaId, payment, `Order cancelled: ${event.payload.reason}`, ids.refundTransactionId)
        : [],
    SagaTimedOut: (event, { payment, ids }) =>
      event.sagaId ? refund(event.sagaId, payment, 'Saga timed out', ids.refundTransactionId) : [],
  },
};
