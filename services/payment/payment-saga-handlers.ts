import type { IdSource } from '../../src/core/ids';
import type { EventEnvelope } from '../../src/events/envelope';
import { ACTIVE } from '../../src/sagas/saga-state';
import type { SagaStateStore } from '../../src/sagas/saga-state-store';
import type { EventHandler } from '../../src/subscriptions/delivery';
import {
  causedBy,
  fulfillmentContextSchema,
  paymentIdFor,
  STEP,
} from '../order-fulfillment/order-fulfillment';
import type { Payments } from './payment-routes';

/** The event types the handlers act on: the group's `handles`, and the only cases of their switch. */
export const PAYMENT_SAGA_EVENTS = ['StockReserved', 'OrderCancelled', 'SagaTimedOut'] as const;

/**
 * Payment's part of OrderFulfillment: charge an order exactly once when its whole reservation is in
 * (one payment id per saga), refund when the order is cancelled or the saga times out, and never leave
 * money captured for a saga that is over.
 */
export function paymentSagaHandlers(deps: {
  payments: Payments;
  sagas: SagaStateStore;
  ids: IdSource;
}): EventHandler {
  const { payments, sagas, ids } = deps;

  const refund = async (sagaId: string, reason: string, cause: EventEnvelope): Promise<void> => {
    const paymentId = paymentIdFor(sagaId);
    const payment = (await payments.load(paymentId))?.state;
    let eventId: string | null = null;
    if (payment?.status === 'CAPTURED') {
      const refunded = await payments.handle(
        paymentId,
        { type: 'RefundPayment', reason, refundTransactionId: `RFD-${ids.uuid()}` },
        causedBy(cause, STEP.paymentProcessed, true),
      );
      eventId = refunded.events[0]?.eventId ?? null;
    }
    await sagas.recordCompensationStep(sagaId, STEP.paymentProcessed, eventId);
  };

  const charge = async (event: EventEnvelope): Promise<void> => {
    const sagaId = event.sagaId;
    if (!sagaId) return;
    const saga = await sagas.getSagaState(sagaId);
    if (!saga || !ACTIVE.includes(saga.status)) return;
    const context = fulfillmentContextSchema.parse(saga.context);
    const result = await payments.handle(
      paymentIdFor(sagaId),
      {
        type: 'ProcessPayment',
        orderId: context.orderId,
        customerId: context.customerId,
        amount: context.total,
        currency: context.currency,
        method: 'CREDIT_CARD',
        transactionId: `TXN-${ids.uuid()}`,
      },
      causedBy(event, STEP.paymentProcessed),
    );
    const payment = result.state;
    if (!payment) return;
    if (payment.status === 'FAILED') {
      await sagas.recordStepFailed(sagaId, STEP.paymentProcessed, payment.failureReason ?? 'Payment failed');
      return;
    }
    const eventId =
      result.events[0]?.eventId ?? (await payments.events(payment.paymentId, 1))[0]?.eventId ?? event.eventId;
    // The saga may have timed out while we charged (the record as the update found it says so): then the
    // money goes back at once.
    const after = (await sagas.recordStepCompleted(sagaId, STEP.paymentProcessed, eventId)).state;
    if (after && !ACTIVE.includes(after.status) && after.status !== 'COMPLETED') {
      await refund(sagaId, `Saga ${after.status.toLowerCase()}`, event);
    }
  };

  return async (event) => {
    switch (event.eventType as (typeof PAYMENT_SAGA_EVENTS)[number]) {
      case 'StockReserved':
        if ((event.payload as { completesReservation?: boolean }).completesReservation) await charge(event);
        return;
      case 'OrderCancelled':
        if (event.sagaId)
          await refund(
            event.sagaId,
            `Order cancelled: ${(event.payload as { reason?: string }).reason ?? ''}`,
            event,
          );
        return;
      case 'SagaTimedOut':
        if (event.sagaId) await refund(event.sagaId, 'Saga timed out', event);
        return;
    }
  };
}
