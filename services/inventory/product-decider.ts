import type { Decider } from '../../src/eventsourcing/decider';
import { INPUT_LIMITS } from '../../src/api/input-limits';
import { conflict, invalid, notFound } from '../../src/eventsourcing/domain-error';
import type {
  StockReleasedPayload,
  StockReservationFailedPayload,
  StockReservedPayload,
} from '../order-fulfillment/saga-events';

export const productStatuses = ['ACTIVE', 'DISCONTINUED', 'OUT_OF_STOCK'] as const;
export type ProductStatus = (typeof productStatuses)[number];

export interface Product {
  readonly productId: string;
  readonly sku: string;
  readonly name: string;
  readonly description: string | null;
  /** Decimal string, e.g. "10.00". */
  readonly price: string;
  readonly category: string | null;
  readonly quantityOnHand: number;
  readonly quantityReserved: number;
  readonly status: ProductStatus;
  /**
   * Open reservations by order: what makes reserve idempotent per orderId and release and settle exact.
   * Only open ones: a completed order's is settled, a direct one lapses (holds), so this is bounded by
   * the orders in flight, not by the product's history.
   */
  readonly reservations: Readonly<Record<string, number>>;
  /** When each direct reservation (POST …/stock/reserve, no saga) lapses, ISO time; a saga's has none. */
  readonly holds: Readonly<Record<string, string>>;
  /**
   * Orders whose cancellation gave stock back here (released or restocked), until the cancelling handler
   * has recorded that it is done: what makes a redelivered cancellation give nothing back twice.
   */
  readonly cancellations: Readonly<Record<string, number>>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type ProductState = Product | null;

export type ProductCommand =
  | {
      readonly type: 'CreateProduct';
      readonly sku: string;
      readonly name: string;
      readonly description?: string | undefined;
      readonly price: string;
      readonly quantityOnHand: number;
      readonly category?: string | undefined;
    }
  | {
      readonly type: 'ReserveStock';
      readonly orderId: string;
      readonly quantity: number;
      /** Set on an order's last line item in the saga: its event tells payment the reservation is whole. */
      readonly completesReservation?: boolean;
      /** Now (ISO): holds that lapsed by then are released first, so lapsed holds never pile up. */
      readonly at?: string;
      /** A direct reservation: held until then (ISO), then released. Absent: until settled or released. */
      readonly holdUntil?: string;
    }
  | {
      /** The order's saga completed: what it holds becomes sold (on hand and reserved both go down). */
      readonly type: 'SettleStock';
      readonly orderId: string;
    }
  | {
      /** The order was cancelled: give back what it took of this product, once. */
      readonly type: 'CancelOrderStock';
      readonly orderId: string;
      /** What the order's lines took of this product. */
      readonly quantity: number;
      /** The saga completed, so what the order no longer holds here was settled and comes back on hand. */
      readonly sagaCompleted: boolean;
      readonly reason: string;
    }
  | {
      /** The cancelling handler recorded its cancellation as done: this product may forget it. */
      readonly type: 'CloseCancellation';
      readonly orderId: string;
    }
  | {
      readonly type: 'ReleaseStock';
      readonly orderId: string;
      readonly quantity?: number;
      readonly reason: string;
    }
  | { readonly type: 'ReplenishStock'; readonly quantity: number; readonly reason: string }
  | {
      readonly type: 'RecordReservationFailure';
      readonly orderId: string;
      readonly productId: string;
      readonly requestedQuantity: number;
      readonly reason: string;
    };

/** The saga's events among these take their payloads from its contracts (saga-events.ts). */
export type ProductEvent =
  | {
      readonly type: 'ProductCreated';
      readonly payload: {
        sku: string;
        name: string;
        description: string | null;
        price: string;
        initialQuantity: number;
        category: string | null;
      };
    }
  | { readonly type: 'StockReserved'; readonly payload: StockReservedPayload }
  | { readonly type: 'StockReleased'; readonly payload: StockReleasedPayload }
  | {
      /** A completed order's reservation became a sale: on hand and reserved both down by quantity. */
      readonly type: 'StockSettled';
      readonly payload: { orderId: string; quantity: number };
    }
  | {
      /** A settled order was cancelled: what it took is back on hand. */
      readonly type: 'StockRestocked';
      readonly payload: { orderId: string; quantity: number; reason: string };
    }
  | {
      readonly type: 'CancellationClosed';
      readonly payload: { orderId: string };
    }
  | {
      readonly type: 'StockReplenished';
      readonly payload: { quantityAdded: number; newQuantityOnHand: number; reason: string };
    }
  | { readonly type: 'StockReservationFailed'; readonly payload: StockReservationFailedPayload };

export const availableQuantity = (product: Product): number =>
  product.quantityOnHand - product.quantityReserved;

const statusOf = (product: Product): ProductStatus =>
  product.status === 'DISCONTINUED'
    ? 'DISCONTINUED'
    : availableQuantity(product) > 0
      ? 'ACTIVE'
      : 'OUT_OF_STOCK';

/** What an order holds of this product; own keys only, so an orderId like "toString" holds nothing. */
export const heldBy = (product: Product, orderId: string): number =>
  Object.hasOwn(product.reservations, orderId) ? (product.reservations[orderId] ?? 0) : 0;

/** The reason of the release that ends a direct reservation nobody released in time. */
export const HOLD_LAPSED = 'Reservation hold lapsed';

const without = <V>(record: Readonly<Record<string, V>>, key: string): Record<string, V> => {
  if (!Object.hasOwn(record, key)) return record;
  const { [key]: _gone, ...rest } = record;
  return rest;
};

/** Gives back `quantity` of what the order holds; a reservation given back whole is gone, hold and all. */
const release = (product: Product, orderId: string, quantity: number): Product => {
  const left = heldBy(product, orderId) - quantity;
  return {
    ...product,
    quantityReserved: product.quantityReserved - quantity,
    reservations:
      left > 0 ? { ...product.reservations, [orderId]: left } : without(product.reservations, orderId),
    holds: left > 0 ? product.holds : without(product.holds, orderId),
  };
};

/** Direct reservations whose hold lapsed by `at`, with what each still holds. */
export function lapsedHolds(product: Product, at: string): Array<{ orderId: string; quantity: number }> {
  const now = Date.parse(at);
  return Object.entries(product.holds)
    .filter(([, until]) => Date.parse(until) <= now)
    .map(([orderId]) => ({ orderId, quantity: heldBy(product, orderId) }))
    .filter(({ quantity }) => quantity > 0);
}

/**
 * The product as it stands at `at`: holds that lapsed by then count as released (what reads show, and
 * what the next reservation records with one StockReleased each).
 */
export function asOf(product: Product, at: string): Product {
  const lapsed = lapsedHolds(product, at);
  if (lapsed.length === 0) return product;
  const released = lapsed.reduce((current, hold) => release(current, hold.orderId, hold.quantity), product);
  return { ...released, status: statusOf(released) };
}

const missing = (): never => {
  throw notFound('PRODUCT_NOT_FOUND', 'Product not found');
};

export const productDecider: Decider<ProductState, ProductCommand, ProductEvent> = {
  initialState: () => null,

  decide(command, state) {
    switch (command.type) {
      case 'CreateProduct':
        if (state) throw conflict('PRODUCT_EXISTS', 'Product already exists');
        return [
          {
            type: 'ProductCreated',
            payload: {
              sku: command.sku,
              name: command.name,
              description: command.description ?? null,
              price: command.price,
              initialQuantity: command.quantityOnHand,
              category: command.category ?? null,
            },
          },
        ];
      case 'ReserveStock': {
        const recorded = state ?? missing();
        const lapses: ProductEvent[] = (command.at ? lapsedHolds(recorded, command.at) : []).map(
          ({ orderId, quantity }) => ({
            type: 'StockReleased',
            payload: { orderId, quantity, reason: HOLD_LAPSED },
          }),
        );
        const product = command.at ? asOf(recorded, command.at) : recorded;
        // One reservation per order and product: a repeat is a no-op (API.md).
        if (Object.hasOwn(product.reservations, command.orderId)) return lapses;
        const available = availableQuantity(product);
        if (available < command.quantity) {
          throw conflict('INSUFFICIENT_STOCK', `Insufficient stock for product ${product.productId}`, {
            productId: product.productId,
            requestedQuantity: command.quantity,
            availableQuantity: available,
          });
        }
        return [
          ...lapses,
          {
            type: 'StockReserved',
            payload: {
              orderId: command.orderId,
              quantity: command.quantity,
              ...(command.completesReservation ? { completesReservation: true as const } : {}),
              ...(command.holdUntil ? { heldUntil: command.holdUntil } : {}),
            },
          },
        ];
      }
      case 'ReleaseStock': {
        const product = state ?? missing();
        const held = heldBy(product, command.orderId);
        // Releasing more than the order holds releases what it holds; nothing held, nothing to do.
        const quantity = Math.min(command.quantity ?? held, held);
        if (quantity <= 0) return [];
        return [
          { type: 'StockReleased', payload: { orderId: command.orderId, quantity, reason: command.reason } },
        ];
      }
      case 'SettleStock': {
        const product = state ?? missing();
        const quantity = heldBy(product, command.orderId);
        // Settled already, released, or never reserved here: nothing to settle.
        if (quantity <= 0) return [];
        return [{ type: 'StockSettled', payload: { orderId: command.orderId, quantity } }];
      }
      case 'CancelOrderStock': {
        const product = state ?? missing();
        const { orderId, reason } = command;
        // Given back already by an earlier delivery of this cancellation.
        if (Object.hasOwn(product.cancellations, orderId)) return [];
        const held = heldBy(product, orderId);
        if (held > 0)
          return [
            { type: 'StockReleased', payload: { orderId, quantity: held, reason, cancellation: true } },
          ];
        // Nothing held and the saga completed: the reservation was settled, so the stock comes back.
        if (command.sagaCompleted && command.quantity > 0)
          return [{ type: 'StockRestocked', payload: { orderId, quantity: command.quantity, reason } }];
        return [];
      }
      case 'CloseCancellation': {
        const product = state ?? missing();
        if (!Object.hasOwn(product.cancellations, command.orderId)) return [];
        return [{ type: 'CancellationClosed', payload: { orderId: command.orderId } }];
      }
      case 'ReplenishStock': {
        const product = state ?? missing();
        const newQuantityOnHand = product.quantityOnHand + command.quantity;
        if (newQuantityOnHand > INPUT_LIMITS.maxStockQuantity) {
          throw invalid('VALIDATION_ERROR', 'Request validation failed', {
            quantity: `would bring quantityOnHand to ${newQuantityOnHand}, above the limit of ${INPUT_LIMITS.maxStockQuantity}`,
          });
        }
        return [
          {
            type: 'StockReplenished',
            payload: {
              quantityAdded: command.quantity,
              newQuantityOnHand,
              reason: command.reason,
            },
          },
        ];
      }
      case 'RecordReservationFailure':
        return [
          {
            type: 'StockReservationFailed',
            payload: {
              orderId: command.orderId,
              productId: command.productId,
              requestedQuantity: command.requestedQuantity,
              availableQuantity: state ? availableQuantity(state) : 0,
              reason: command.reason,
            },
          },
        ];
    }
  },

  evolve(state, event) {
    const withStatus = (product: Product): Product => ({
      ...product,
      status: statusOf(product),
      updatedAt: event.timestamp,
    });
    switch (event.eventType) {
      case 'ProductCreated':
        return withStatus({
          productId: event.key,
          sku: event.payload.sku,
          name: event.payload.name,
          description: event.payload.description,
          price: event.payload.price,
          category: event.payload.category,
          quantityOnHand: event.payload.initialQuantity,
          quantityReserved: 0,
          status: 'ACTIVE',
          reservations: {},
          holds: {},
          cancellations: {},
          createdAt: event.timestamp,
          updatedAt: event.timestamp,
        });
      case 'StockReserved': {
        if (!state) return state;
        const { orderId, quantity, heldUntil } = event.payload;
        return withStatus({
          ...state,
          quantityReserved: state.quantityReserved + quantity,
          reservations: { ...state.reservations, [orderId]: quantity },
          holds: heldUntil ? { ...state.holds, [orderId]: heldUntil } : state.holds,
        });
      }
      case 'StockReleased': {
        if (!state) return state;
        const { orderId, quantity, cancellation } = event.payload;
        const released = release(state, orderId, quantity);
        return withStatus(
          cancellation
            ? { ...released, cancellations: { ...state.cancellations, [orderId]: quantity } }
            : released,
        );
      }
      case 'StockSettled': {
        if (!state) return state;
        const { orderId, quantity } = event.payload;
        const settled = release(state, orderId, quantity);
        return withStatus({ ...settled, quantityOnHand: state.quantityOnHand - quantity });
      }
      case 'StockRestocked': {
        if (!state) return state;
        const { orderId, quantity } = event.payload;
        return withStatus({
          ...state,
          quantityOnHand: state.quantityOnHand + quantity,
          cancellations: { ...state.cancellations, [orderId]: quantity },
        });
      }
      case 'CancellationClosed':
        return state
          ? withStatus({ ...state, cancellations: without(state.cancellations, event.payload.orderId) })
          : state;
      case 'StockReplenished':
        return state ? withStatus({ ...state, quantityOnHand: event.payload.newQuantityOnHand }) : state;
      case 'StockReservationFailed':
        // A fact for the saga; the stock itself did not change.
        return state;
    }
  },
};
