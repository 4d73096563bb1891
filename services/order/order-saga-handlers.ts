import type { IdSource } from '../../src/core/ids';
import { handledBy } from '../../src/sagas/participant';
import {
  carryOut,
  intentExecutor,
  participantHandler,
  type ParticipantPorts,
} from '../../src/sagas/participant-runner';
import type { SagaState } from '../../src/sagas/saga-state';
import type { SagaStateStore } from '../../src/sagas/saga-state-store';
import type { EventHandler } from '../../src/subscriptions/delivery';
import { causedBy } from '../order-fulfillment/order-fulfillment';
import type { OrderCommand, OrderState } from './order-decider';
import { cancellationRecorded, orderParticipant } from './order-participant';
import { confirmationNumber, type Orders } from './order-routes';

/** The event types the participant acts on: the group's `handles`. */
export const ORDER_SAGA_EVENTS = handledBy(orderParticipant);

/** Where the order participant's intents go. */
export type OrderSagaPorts = ParticipantPorts<OrderCommand, OrderState, never>;

export function orderSagaPorts(deps: {
  orders: Orders;
  sagas: SagaStateStore;
  /** Appends SagaCompleted once per saga (see SagaSupport.announceCompleted). */
  announceCompleted?: (saga: SagaState) => Promise<void>;
}): OrderSagaPorts {
  return {
    aggregate: deps.orders,
    sagas: deps.sagas,
    causedBy,
    ...(deps.announceCompleted ? { announceCompleted: deps.announceCompleted } : {}),
  };
}

/** A user's committed cancel in the saga record, from the cancel route (see cancellationRecorded). */
export function recordCancellation(
  ports: OrderSagaPorts,
  sagaId: string,
  eventId: string,
  reason: string,
): Promise<void> {
  return carryOut(cancellationRecorded(sagaId, eventId, reason), intentExecutor(ports));
}

/**
 * Order's part of OrderFulfillment (order-participant.ts decides) with what it reads: the saga record,
 * whose context names the order.
 */
export function orderSagaHandlers(deps: {
  orders: Orders;
  sagas: SagaStateStore;
  ids: IdSource;
  /** Appends SagaCompleted once per saga (see SagaSupport.announceCompleted). */
  announceCompleted: (saga: SagaState) => Promise<void>;
}): EventHandler {
  const { sagas, ids } = deps;
  const sagaOf = async (sagaId: string | undefined) =>
    sagaId ? await sagas.getSagaState(sagaId) : undefined;
  const saga = async (event: { sagaId?: string | undefined }) => ({ saga: await sagaOf(event.sagaId) });
  return participantHandler(
    orderParticipant,
    {
      OrderCancelled: async () => undefined,
      PaymentProcessed: async (event) => ({
        saga: await sagaOf(event.sagaId),
        confirmationNumber: confirmationNumber(ids),
      }),
      PaymentFailed: saga,
      StockReservationFailed: saga,
      SagaTimedOut: saga,
    },
    orderSagaPorts(deps),
  );
}
