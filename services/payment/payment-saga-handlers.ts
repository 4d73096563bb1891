import type { IdSource } from '../../src/core/ids';
import { handledBy } from '../../src/sagas/participant';
import { participantHandler } from '../../src/sagas/participant-runner';
import type { SagaStateStore } from '../../src/sagas/saga-state-store';
import type { EventHandler } from '../../src/subscriptions/delivery';
import { causedBy, paymentIdFor } from '../order-fulfillment/order-fulfillment';
import type { FreshPaymentIds } from './payment-participant';
import { paymentParticipant } from './payment-participant';
import type { Payments } from './payment-routes';

/** The event types the participant acts on: the group's `handles`. */
export const PAYMENT_SAGA_EVENTS = handledBy(paymentParticipant);

/**
 * Payment's part of OrderFulfillment (payment-participant.ts decides) with what it reads: the saga record
 * before a charge, the saga's payment before a refund.
 */
export function paymentSagaHandlers(deps: {
  payments: Payments;
  sagas: SagaStateStore;
  ids: IdSource;
}): EventHandler {
  const { payments, sagas, ids } = deps;
  const fresh = (): FreshPaymentIds => ({
    transactionId: `TXN-${ids.uuid()}`,
    refundTransactionId: `RFD-${ids.uuid()}`,
  });
  const paymentOf = async (sagaId: string | undefined) =>
    sagaId ? (await payments.load(paymentIdFor(sagaId)))?.state : undefined;
  return participantHandler(
    paymentParticipant,
    {
      // Only the completing StockReserved is charged on: the others need nothing read.
      StockReserved: async (event) => ({
        saga:
          event.payload.completesReservation && event.sagaId
            ? await sagas.getSagaState(event.sagaId)
            : undefined,
        ids: fresh(),
      }),
      OrderCancelled: async (event) => ({ payment: await paymentOf(event.sagaId), ids: fresh() }),
      SagaTimedOut: async (event) => ({ payment: await paymentOf(event.sagaId), ids: fresh() }),
    },
    { aggregate: payments, sagas, causedBy },
  );
}
