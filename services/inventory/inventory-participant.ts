import type { Done, Intent, SagaParticipant } from '../../src/sagas/participant';
import { eachInTurn } from '../../src/sagas/participant';
import { ACTIVE, type SagaState } from '../../src/sagas/saga-state';
import { STEP } from '../order-fulfillment/order-fulfillment';
import { sagaEvents, type SagaEvent, type SagaEvents } from '../order-fulfillment/saga-events';
import type { Line } from './order-facts';
import type { ProductCommand, ProductState } from './product-decider';

/** A cancellation whose stock every product has given back: the mark that lets the products forget it. */
export interface CancellationDone {
  /** The OrderCancelled event handled. */
  readonly eventId: string;
}

export type InventoryIntent = Intent<ProductCommand, ProductState, CancellationDone>;
type InventoryIntents = readonly InventoryIntent[];

/** What inventory knows when it decides, per event. */
export interface InventoryKnowledge {
  readonly OrderCreated: { readonly saga: SagaState | undefined; /** ISO */ readonly now: string };
  readonly SagaCompleted: undefined;
  /** From the order's own OrderCreated (undefined: nobody created it) and the durable mark. */
  readonly OrderCancelled: {
    readonly lines: readonly Line[] | undefined;
    readonly cancellationDone: boolean;
    /** The Saga stream says SagaCompleted: the order's stock was, or will be, settled. */
    readonly sagaCompleted: boolean;
  };
  readonly PaymentFailed: { readonly lines: readonly Line[] | undefined };
  readonly SagaTimedOut: undefined;
}

/** One reservation per order and product: the same product on two lines is reserved once, summed. */
export function byProduct(lines: readonly Line[]): Line[] {
  const totals = new Map<string, number>();
  for (const { productId, quantity } of lines) totals.set(productId, (totals.get(productId) ?? 0) + quantity);
  return [...totals].map(([productId, quantity]) => ({ productId, quantity }));
}

/** A product that does not exist has nothing to reserve, release or settle. */
const NO_PRODUCT = ['PRODUCT_NOT_FOUND'];

const lastEventIdOf = (outcomes: ReadonlyArray<Done<ProductState>>): string | null =>
  outcomes.reduce<string | null>((last, outcome) => outcome.events.at(-1)?.eventId ?? last, null);

/**
 * A command on each line's product, one after the other (a product that does not exist has nothing to
 * do), then `done` with what they did.
 */
function onEachProduct(
  lines: readonly Line[],
  commandFor: (line: Line) => ProductCommand,
  done: (outcomes: ReadonlyArray<Done<ProductState>>) => InventoryIntents,
  compensating = false,
): InventoryIntents {
  return eachInTurn<Line, ProductCommand, ProductState, CancellationDone>(
    lines,
    (line) => ({
      kind: 'command',
      aggregateId: line.productId,
      command: commandFor(line),
      step: STEP.stockReserved,
      ...(compensating ? { compensating: true as const } : {}),
      tolerating: NO_PRODUCT,
    }),
    done,
  );
}

/** Gives back what the order holds of each line's product, then `done` with the last event appended. */
function releaseAll(
  orderId: string,
  lines: readonly Line[],
  reason: string,
  done: (lastEventId: string | null) => InventoryIntents,
): InventoryIntents {
  return onEachProduct(
    lines,
    () => ({ type: 'ReleaseStock', orderId, reason }),
    (outcomes) => done(lastEventIdOf(outcomes)),
    true,
  );
}

/** Releases the order's stock and records step 1 compensated (when the event names its saga). */
function compensate(sagaId: string | undefined, orderId: string, lines: readonly Line[], reason: string) {
  return releaseAll(orderId, byProduct(lines), reason, (released) =>
    sagaId ? [{ kind: 'recordCompensationStep', sagaId, step: STEP.stockReserved, eventId: released }] : [],
  );
}

/**
 * OrderCreated: reserve every line or none, only while the saga is active. A line short of stock (or an
 * unknown product) gives back what the earlier lines took and fails the step. If the saga ended while
 * the lines were reserved (the step's record says so), everything goes back at once.
 */
function reserve(
  event: SagaEvent<'OrderCreated'>,
  knows: InventoryKnowledge['OrderCreated'],
): InventoryIntents {
  const { saga, now } = knows;
  const sagaId = event.sagaId;
  // Late delivery (the saga is already over or unwinding): nothing to take.
  if (!sagaId || !saga || !ACTIVE.includes(saga.status)) return [];
  const orderId = event.key;
  const lines = byProduct(event.payload.lineItems);

  const reserved = (lastEventId: string): InventoryIntents => [
    {
      kind: 'recordStepCompleted',
      sagaId,
      step: STEP.stockReserved,
      eventId: lastEventId,
      then: (after) =>
        after && !ACTIVE.includes(after.status) && after.status !== 'COMPLETED'
          ? compensate(sagaId, orderId, lines, `Saga ${after.status.toLowerCase()}`)
          : [],
    },
  ];

  const failed = (index: number, code: string, details: Record<string, unknown> | null): InventoryIntents => {
    const line = lines[index]!;
    const reason =
      code === 'PRODUCT_NOT_FOUND'
        ? `Product ${line.productId} not found`
        : `Insufficient stock for product ${line.productId}: requested ${line.quantity}, available ${String(details?.availableQuantity ?? 0)}`;
    // All or nothing: give back what this order took before the failing line.
    return releaseAll(orderId, lines.slice(0, index), 'Stock reservation failed', () => [
      {
        kind: 'command',
        aggregateId: line.productId,
        command: {
          type: 'RecordReservationFailure',
          orderId,
          productId: line.productId,
          requestedQuantity: line.quantity,
          reason,
        },
        step: STEP.stockReserved,
      },
      { kind: 'recordStepFailed', sagaId, step: STEP.stockReserved, reason },
    ]);
  };

  const reserveFrom = (index: number, lastEventId: string): InventoryIntents => {
    const line = lines[index];
    if (!line) return reserved(lastEventId);
    return [
      {
        kind: 'command',
        aggregateId: line.productId,
        command: {
          type: 'ReserveStock',
          orderId,
          quantity: line.quantity,
          completesReservation: index === lines.length - 1,
          at: now,
        },
        step: STEP.stockReserved,
        tolerating: ['PRODUCT_NOT_FOUND', 'INSUFFICIENT_STOCK'],
        then: (outcome) =>
          outcome.refusal
            ? failed(index, outcome.refusal.code, outcome.refusal.details)
            : // The reservation's own event (a commit may also release lapsed holds of other orders).
              reserveFrom(
                index + 1,
                outcome.events.find((e) => e.eventType === 'StockReserved')?.eventId ?? lastEventId,
              ),
      },
    ];
  };

  return reserveFrom(0, event.eventId);
}

/**
 * OrderCancelled: each product gives back what the order took (its open reservation, or a restock of
 * what was settled), with the lines from the order's own OrderCreated, so this works however long ago
 * the saga ended. Once: a product remembers the cancellation until the durable mark says every product
 * gave back, then forgets it, so a redelivery (a crash before the group's ledger moved on) finds either
 * the product's memory or the mark.
 */
function giveBack(
  event: SagaEvent<'OrderCancelled'>,
  knows: InventoryKnowledge['OrderCancelled'],
): InventoryIntents {
  const { lines, cancellationDone, sagaCompleted } = knows;
  if (!lines) return [];
  const orderId = event.key;
  const sagaId = event.sagaId;
  const perProduct = byProduct(lines);
  const close = (lastEventId: string | null): InventoryIntents =>
    onEachProduct(
      perProduct,
      () => ({ type: 'CloseCancellation', orderId }),
      () =>
        sagaId
          ? [{ kind: 'recordCompensationStep', sagaId, step: STEP.stockReserved, eventId: lastEventId }]
          : [],
      true,
    );
  if (cancellationDone) return close(null);
  const reason = `Order cancelled: ${event.payload.reason}`;
  return onEachProduct(
    perProduct,
    (line) => ({ type: 'CancelOrderStock', orderId, quantity: line.quantity, sagaCompleted, reason }),
    (outcomes) => {
      const remembered = outcomes.some(
        ({ state }) => state !== null && Object.hasOwn(state.cancellations, orderId),
      );
      const mark: InventoryIntents = remembered
        ? [{ kind: 'note', key: orderId, value: { eventId: event.eventId } }]
        : [];
      return [...mark, ...close(lastEventIdOf(outcomes))];
    },
    true,
  );
}

/**
 * Inventory's part of OrderFulfillment: reserve every line of a new order or none; settle the order's
 * stock once its saga completed; release it when its payment fails or its saga times out; give back
 * what a cancelled order took (released, or restocked once settled), once; and never leave stock
 * reserved for a saga that is over.
 */
export const inventoryParticipant: SagaParticipant<SagaEvents, InventoryKnowledge, InventoryIntent> = {
  events: sagaEvents,
  decide: {
    OrderCreated: reserve,
    // Nothing unwinds the saga any more, so the order's reservations become sales.
    SagaCompleted: (event) =>
      onEachProduct(
        byProduct(event.payload.context.lineItems),
        () => ({ type: 'SettleStock', orderId: event.payload.context.orderId }),
        () => [],
      ),
    OrderCancelled: giveBack,
    PaymentFailed: (event, { lines }) =>
      lines ? compensate(event.sagaId, event.payload.orderId, lines, 'Payment failed') : [],
    SagaTimedOut: (event) =>
      compensate(
        event.sagaId,
        event.payload.context.orderId,
        event.payload.context.lineItems,
        'Saga timed out',
      ),
  },
};
