import type { EventEnvelope } from '../../src/events/envelope';
import { DomainError } from '../../src/eventsourcing/domain-error';
import { ACTIVE } from '../../src/sagas/saga-state';
import type { SagaStateStore } from '../../src/sagas/saga-state-store';
import type { EventHandler } from '../../src/subscriptions/delivery';
import {
  causedBy,
  fulfillmentContextSchema,
  STEP,
  type FulfillmentContext,
} from '../order-fulfillment/order-fulfillment';
import type { Products } from './product-routes';

interface Line {
  readonly productId: string;
  readonly quantity: number;
}

/** One reservation per order and product: the same product on two lines is reserved once, summed. */
export function byProduct(lines: readonly Line[]): Line[] {
  const totals = new Map<string, number>();
  for (const { productId, quantity } of lines) totals.set(productId, (totals.get(productId) ?? 0) + quantity);
  return [...totals].map(([productId, quantity]) => ({ productId, quantity }));
}

/**
 * Inventory's part of OrderFulfillment: reserve every line of a new order or none, release the order's
 * stock when its payment fails, it is cancelled, or its saga times out, and never leave stock reserved
 * for a saga that is over.
 */
export function inventorySagaHandlers(deps: { products: Products; sagas: SagaStateStore }): EventHandler {
  const { products, sagas } = deps;

  const releaseAll = async (
    orderId: string,
    lines: readonly Line[],
    reason: string,
    cause: EventEnvelope,
  ) => {
    let lastEventId: string | null = null;
    for (const line of lines) {
      try {
        const released = await products.handle(
          line.productId,
          { type: 'ReleaseStock', orderId, reason },
          causedBy(cause, STEP.stockReserved, true),
        );
        lastEventId = released.events[0]?.eventId ?? lastEventId;
      } catch (error) {
        if (!(error instanceof DomainError && error.code === 'PRODUCT_NOT_FOUND')) throw error;
      }
    }
    return lastEventId;
  };

  const reserve = async (event: EventEnvelope): Promise<void> => {
    const sagaId = event.sagaId;
    if (!sagaId) return;
    const saga = await sagas.getSagaState(sagaId);
    // Late delivery (the saga is already over or unwinding): nothing to take.
    if (!saga || !ACTIVE.includes(saga.status)) return;
    const payload = event.payload as { lineItems: Line[] };
    const orderId = event.key;
    const lines = byProduct(payload.lineItems);
    let lastEventId = event.eventId;
    for (const [index, line] of lines.entries()) {
      try {
        const reserved = await products.handle(
          line.productId,
          {
            type: 'ReserveStock',
            orderId,
            quantity: line.quantity,
            completesReservation: index === lines.length - 1,
          },
          causedBy(event, STEP.stockReserved),
        );
        lastEventId = reserved.events[0]?.eventId ?? lastEventId;
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        if (error.code !== 'PRODUCT_NOT_FOUND' && error.code !== 'INSUFFICIENT_STOCK') throw error;
        const reason =
          error.code === 'PRODUCT_NOT_FOUND'
            ? `Product ${line.productId} not found`
            : `Insufficient stock for product ${line.productId}: requested ${line.quantity}, available ${String(error.details?.availableQuantity ?? 0)}`;
        // All or nothing: give back what this order took before the failing line.
        await releaseAll(orderId, lines.slice(0, index), 'Stock reservation failed', event);
        await products.handle(
          line.productId,
          {
            type: 'RecordReservationFailure',
            orderId,
            productId: line.productId,
            requestedQuantity: line.quantity,
            reason,
          },
          causedBy(event, STEP.stockReserved),
        );
        await sagas.recordStepFailed(sagaId, STEP.stockReserved, reason);
        return;
      }
    }
    await sagas.recordStepCompleted(sagaId, STEP.stockReserved, lastEventId);
    // The saga may have ended while we reserved (a timeout): then undo, so nothing stays reserved.
    const after = await sagas.getSagaState(sagaId);
    if (after && !ACTIVE.includes(after.status) && after.status !== 'COMPLETED') {
      const released = await releaseAll(orderId, lines, `Saga ${after.status.toLowerCase()}`, event);
      await sagas.recordCompensationStep(sagaId, STEP.stockReserved, released);
    }
  };

  const compensate = async (
    event: EventEnvelope,
    orderId: string,
    lines: readonly Line[],
    reason: string,
  ) => {
    const released = await releaseAll(orderId, lines, reason, event);
    if (event.sagaId) await sagas.recordCompensationStep(event.sagaId, STEP.stockReserved, released);
  };

  const linesOf = async (sagaId: string | undefined): Promise<FulfillmentContext | undefined> => {
    if (!sagaId) return undefined;
    const saga = await sagas.getSagaState(sagaId);
    const parsed = fulfillmentContextSchema.safeParse(saga?.context);
    return parsed.success ? parsed.data : undefined;
  };

  return async (event) => {
    switch (event.eventType) {
      case 'OrderCreated':
        return reserve(event);
      case 'OrderCancelled': {
        const payload = event.payload as { reason?: string };
        const context = await linesOf(event.sagaId);
        if (context)
          await compensate(
            event,
            context.orderId,
            context.lineItems,
            `Order cancelled: ${payload.reason ?? ''}`,
          );
        return;
      }
      case 'PaymentFailed': {
        const context = await linesOf(event.sagaId);
        if (context) await compensate(event, context.orderId, context.lineItems, 'Payment failed');
        return;
      }
      case 'SagaTimedOut': {
        const parsed = fulfillmentContextSchema.safeParse((event.payload as { context?: unknown }).context);
        if (parsed.success)
          await compensate(event, parsed.data.orderId, parsed.data.lineItems, 'Saga timed out');
        return;
      }
    }
  };
}
