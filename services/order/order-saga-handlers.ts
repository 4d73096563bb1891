import type { IdSource } from '../../src/core/ids';
import type { EventEnvelope } from '../../src/events/envelope';
import { DomainError } from '../../src/eventsourcing/domain-error';
import { ACTIVE, type SagaState } from '../../src/sagas/saga-state';
import type { SagaStateStore } from '../../src/sagas/saga-state-store';
import type { EventHandler } from '../../src/subscriptions/delivery';
import { causedBy, fulfillmentContextSchema, STEP } from '../order-fulfillment/order-fulfillment';
import type { Order } from './order-decider';
import { cancelReason, confirmationNumber, type Orders } from './order-routes';

/** Already in that state, or never created (its service died between the saga record and the order). */
const NOTHING_TO_DO = ['INVALID_ORDER_STATE', 'ORDER_NOT_FOUND'];

/** Runs a state change that may already have happened (a redelivery) or has nothing to act on. */
async function idempotent(change: () => Promise<unknown>): Promise<void> {
  try {
    await change();
  } catch (error) {
    if (!(error instanceof DomainError && NOTHING_TO_DO.includes(error.code))) throw error;
  }
}

/** The event types the handlers act on: the group's `handles`, and the only cases of their switch. */
export const ORDER_SAGA_EVENTS = [
  'OrderCancelled',
  'PaymentProcessed',
  'PaymentFailed',
  'StockReservationFailed',
  'SagaTimedOut',
] as const;

/**
 * A committed cancel in the saga record: an active saga starts compensating (from here on no forward step
 * records itself), and the order's step is undone. Idempotent: the cancel route runs it right after the
 * commit, and the order-saga group again when OrderCancelled arrives.
 */
export async function recordCancellation(
  sagas: SagaStateStore,
  sagaId: string,
  eventId: string,
  reason: string,
): Promise<void> {
  const started = await sagas.recordCompensationStarted(sagaId, reason);
  // A cancel after the saga COMPLETED leaves the record COMPLETED (docs/guides/sagas.md, "Known limits").
  if (started.state && started.state.status !== 'COMPLETED')
    await sagas.recordCompensationStep(sagaId, STEP.orderCreated, eventId);
}

/**
 * Order's part of OrderFulfillment: confirm when the payment went through (the last step), and announce
 * the completed saga; cancel when the stock or the payment failed or the saga timed out.
 */
export function orderSagaHandlers(deps: {
  orders: Orders;
  sagas: SagaStateStore;
  ids: IdSource;
  /** Appends SagaCompleted once per saga (see SagaSupport.announceCompleted). */
  announceCompleted: (saga: SagaState) => Promise<void>;
}): EventHandler {
  const { orders, sagas, ids, announceCompleted } = deps;

  const orderIdOf = async (sagaId: string): Promise<string | undefined> => {
    const parsed = fulfillmentContextSchema.safeParse((await sagas.getSagaState(sagaId))?.context);
    return parsed.success ? parsed.data.orderId : undefined;
  };

  const cancel = async (event: EventEnvelope, reason: string): Promise<void> => {
    const sagaId = event.sagaId;
    if (!sagaId) return;
    const orderId = await orderIdOf(sagaId);
    let eventId: string | null = null;
    if (orderId) {
      await idempotent(async () => {
        const cancelled = await orders.handle(
          orderId,
          { type: 'CancelOrder', reason, cancelledBy: 'system' },
          causedBy(event, STEP.orderCreated, true),
        );
        eventId = cancelled.events[0]?.eventId ?? null;
      });
    }
    // A cancelled order is not confirmed either: if a confirmation raced the timeout, its step is undone too
    // (or skipped), so the saga can settle.
    await sagas.recordCompensationStep(sagaId, STEP.orderConfirmed, eventId);
    await sagas.recordCompensationStep(sagaId, STEP.orderCreated, eventId);
  };

  /** The order after ConfirmOrder, and the event it appended (none on a redelivery). */
  const confirmOrder = async (
    orderId: string,
    event: EventEnvelope,
  ): Promise<{ order: Order | null; eventId: string | null }> => {
    try {
      const confirmed = await orders.handle(
        orderId,
        { type: 'ConfirmOrder', confirmationNumber: confirmationNumber(ids) },
        causedBy(event, STEP.orderConfirmed),
      );
      return { order: confirmed.state, eventId: confirmed.events[0]?.eventId ?? null };
    } catch (error) {
      if (!(error instanceof DomainError && NOTHING_TO_DO.includes(error.code))) throw error;
      return { order: (await orders.load(orderId))?.state ?? null, eventId: null };
    }
  };

  const confirm = async (event: EventEnvelope): Promise<void> => {
    const sagaId = event.sagaId;
    if (!sagaId) return;
    const saga = await sagas.getSagaState(sagaId);
    // Completed by a delivery that died before announcing it (this event is then redelivered).
    if (saga?.status === 'COMPLETED') return announceCompleted(saga);
    // Over already (timed out, cancelled): the payment's own handlers give the money back.
    if (!saga || !ACTIVE.includes(saga.status)) return;
    const orderId = fulfillmentContextSchema.parse(saga.context).orderId;
    const confirmed = await confirmOrder(orderId, event);
    // Not confirmed (cancelled by its user a moment ago, while the saga was not yet compensating): the
    // step did not happen, and OrderCancelled unwinds the saga.
    if (confirmed.order?.status !== 'CONFIRMED') return;
    const eventId = confirmed.eventId ?? event.eventId;
    const recorded = await sagas.recordStepCompleted(sagaId, STEP.orderConfirmed, eventId);
    // Only once the record says COMPLETED: a confirmation that raced the timeout is unwound instead.
    if (recorded.state?.status === 'COMPLETED') await announceCompleted(recorded.state);
  };

  return async (event) => {
    switch (event.eventType as (typeof ORDER_SAGA_EVENTS)[number]) {
      case 'OrderCancelled': {
        const cancel = event.payload as { reason?: string; cancelledBy?: string };
        // The system's own cancels (below) have recorded their compensation already.
        if (!event.sagaId || cancel.cancelledBy === 'system') return;
        return recordCancellation(
          sagas,
          event.sagaId,
          event.eventId,
          cancelReason({ reason: cancel.reason ?? '', cancelledBy: cancel.cancelledBy ?? 'unknown' }),
        );
      }
      case 'PaymentProcessed':
        return confirm(event);
      case 'PaymentFailed':
        return cancel(
          event,
          `Payment failed: ${(event.payload as { failureReason?: string }).failureReason ?? 'unknown'}`,
        );
      case 'StockReservationFailed':
        return cancel(
          event,
          `Stock reservation failed: ${(event.payload as { reason?: string }).reason ?? 'unknown'}`,
        );
      case 'SagaTimedOut':
        return cancel(event, 'Saga timed out');
    }
  };
}
