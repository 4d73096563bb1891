import { isoTime, type Clock } from '../../src/core/clock';
import type { CommandMetadata, EventEnvelope } from '../../src/events/envelope';
import type { HandleResult } from '../../src/eventsourcing/aggregate-repository';
import { DomainError } from '../../src/eventsourcing/domain-error';
import { ACTIVE } from '../../src/sagas/saga-state';
import type { SagaStateStore } from '../../src/sagas/saga-state-store';
import type { KeyValueMap } from '../../src/storage/key-value';
import type { EventHandler } from '../../src/subscriptions/delivery';
import { causedBy, fulfillmentContextSchema, STEP } from '../order-fulfillment/order-fulfillment';
import type { Line, OrderFacts } from './order-facts';
import type { ProductCommand, ProductState } from './product-decider';
import type { Products } from './product-routes';

/** One reservation per order and product: the same product on two lines is reserved once, summed. */
export function byProduct(lines: readonly Line[]): Line[] {
  const totals = new Map<string, number>();
  for (const { productId, quantity } of lines) totals.set(productId, (totals.get(productId) ?? 0) + quantity);
  return [...totals].map(([productId, quantity]) => ({ productId, quantity }));
}

/** A cancellation whose stock every product has given back: the mark that lets the products forget it. */
export interface CancellationDone {
  /** The OrderCancelled event handled. */
  readonly eventId: string;
}

const lastEventIdOf = (results: ReadonlyArray<HandleResult<ProductState>>): string | null =>
  results.reduce<string | null>((last, result) => result.events.at(-1)?.eventId ?? last, null);

/** The event types the handlers act on: the group's `handles`, and the only cases of their switch. */
export const INVENTORY_SAGA_EVENTS = [
  'OrderCreated',
  'SagaCompleted',
  'OrderCancelled',
  'PaymentFailed',
  'SagaTimedOut',
] as const;

/**
 * Inventory's part of OrderFulfillment: reserve every line of a new order or none; settle the order's
 * stock once its saga completed; release it when its payment fails or its saga times out; give back
 * what a cancelled order took (released, or restocked once settled), once; and never leave stock
 * reserved for a saga that is over.
 */
export function inventorySagaHandlers(deps: {
  products: Products;
  sagas: SagaStateStore;
  orders: OrderFacts;
  /** Durable marks of cancellations given back in full (see `cancel`). */
  cancellations: KeyValueMap<CancellationDone>;
  clock: Clock;
}): EventHandler {
  const { products, sagas, orders, cancellations, clock } = deps;

  /** Runs a command on each line's product, in order; a product that does not exist has nothing to do. */
  const onEachProduct = async (
    lines: readonly Line[],
    command: (line: Line) => ProductCommand,
    metadata: CommandMetadata,
  ): Promise<Array<HandleResult<ProductState>>> => {
    const results: Array<HandleResult<ProductState>> = [];
    for (const line of lines) {
      try {
        results.push(await products.handle(line.productId, command(line), metadata));
      } catch (error) {
        if (!(error instanceof DomainError && error.code === 'PRODUCT_NOT_FOUND')) throw error;
      }
    }
    return results;
  };

  const releaseAll = async (
    orderId: string,
    lines: readonly Line[],
    reason: string,
    cause: EventEnvelope,
  ): Promise<string | null> =>
    lastEventIdOf(
      await onEachProduct(
        lines,
        () => ({ type: 'ReleaseStock', orderId, reason }),
        causedBy(cause, STEP.stockReserved, true),
      ),
    );

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
            at: isoTime(clock.now()),
          },
          causedBy(event, STEP.stockReserved),
        );
        // The reservation's own event (a commit may also release lapsed holds of other orders).
        lastEventId = reserved.events.find((e) => e.eventType === 'StockReserved')?.eventId ?? lastEventId;
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
    // The saga may have ended while we reserved (a timeout): the record as the update found it says so,
    // and then we undo, so nothing stays reserved.
    const after = (await sagas.recordStepCompleted(sagaId, STEP.stockReserved, lastEventId)).state;
    if (after && !ACTIVE.includes(after.status) && after.status !== 'COMPLETED') {
      const released = await releaseAll(orderId, lines, `Saga ${after.status.toLowerCase()}`, event);
      await sagas.recordCompensationStep(sagaId, STEP.stockReserved, released);
    }
  };

  /** SagaCompleted: nothing unwinds the saga any more, so the order's reservations become sales. */
  const settle = async (event: EventEnvelope): Promise<void> => {
    const parsed = fulfillmentContextSchema.safeParse((event.payload as { context?: unknown }).context);
    if (!parsed.success) return;
    const { orderId, lineItems } = parsed.data;
    await onEachProduct(
      byProduct(lineItems),
      () => ({ type: 'SettleStock', orderId }),
      causedBy(event, STEP.stockReserved),
    );
  };

  /**
   * OrderCancelled: each product gives back what the order took (its open reservation, or a restock of
   * what was settled), with the lines from the order's own OrderCreated, so this works however long ago
   * the saga ended. Once: a product remembers the cancellation until the durable mark in `cancellations`
   * says every product gave back, then forgets it, so a redelivery (a crash before the group's ledger
   * moved on) finds either the product's memory or the mark.
   */
  const cancel = async (event: EventEnvelope): Promise<void> => {
    const orderId = event.key;
    const lines = await orders.lines(orderId);
    if (!lines) return;
    const perProduct = byProduct(lines);
    const metadata = causedBy(event, STEP.stockReserved, true);
    let lastEventId: string | null = null;
    if (!(await cancellations.get(orderId))) {
      const reason = `Order cancelled: ${(event.payload as { reason?: string }).reason ?? ''}`;
      const sagaCompleted = event.sagaId ? await orders.sagaCompleted(event.sagaId) : false;
      const results = await onEachProduct(
        perProduct,
        (line) => ({ type: 'CancelOrderStock', orderId, quantity: line.quantity, sagaCompleted, reason }),
        metadata,
      );
      lastEventId = lastEventIdOf(results);
      const remembered = results.some(
        ({ state }) => state !== null && Object.hasOwn(state.cancellations, orderId),
      );
      if (remembered) await cancellations.set(orderId, { eventId: event.eventId });
    }
    await onEachProduct(perProduct, () => ({ type: 'CloseCancellation', orderId }), metadata);
    if (event.sagaId) await sagas.recordCompensationStep(event.sagaId, STEP.stockReserved, lastEventId);
  };

  const compensate = async (
    event: EventEnvelope,
    orderId: string,
    lines: readonly Line[],
    reason: string,
  ) => {
    const released = await releaseAll(orderId, byProduct(lines), reason, event);
    if (event.sagaId) await sagas.recordCompensationStep(event.sagaId, STEP.stockReserved, released);
  };

  return async (event) => {
    switch (event.eventType as (typeof INVENTORY_SAGA_EVENTS)[number]) {
      case 'OrderCreated':
        return reserve(event);
      case 'SagaCompleted':
        return settle(event);
      case 'OrderCancelled':
        return cancel(event);
      case 'PaymentFailed': {
        const orderId = (event.payload as { orderId?: unknown }).orderId;
        const lines = typeof orderId === 'string' ? await orders.lines(orderId) : undefined;
        if (typeof orderId === 'string' && lines) await compensate(event, orderId, lines, 'Payment failed');
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
