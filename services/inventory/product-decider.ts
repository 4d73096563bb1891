import type { Decider } from '../../src/eventsourcing/decider';
import { conflict, notFound } from '../../src/eventsourcing/domain-error';

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
  /** Open reservations by order: what makes reserve idempotent per orderId and release exact. */
  readonly reservations: Readonly<Record<string, number>>;
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
  | {
      readonly type: 'StockReserved';
      readonly payload: { orderId: string; quantity: number; completesReservation?: true };
    }
  | {
      readonly type: 'StockReleased';
      readonly payload: { orderId: string; quantity: number; reason: string };
    }
  | {
      readonly type: 'StockReplenished';
      readonly payload: { quantityAdded: number; newQuantityOnHand: number; reason: string };
    }
  | {
      readonly type: 'StockReservationFailed';
      readonly payload: {
        orderId: string;
        productId: string;
        requestedQuantity: number;
        availableQuantity: number;
        reason: string;
      };
    };

export const availableQuantity = (product: Product): number =>
  product.quantityOnHand - product.quantityReserved;

/** What an order holds of this product; own keys only, so an orderId like "toString" holds nothing. */
export const heldBy = (product: Product, orderId: string): number =>
  Object.hasOwn(product.reservations, orderId) ? (product.reservations[orderId] ?? 0) : 0;

const statusOf = (product: Product): ProductStatus =>
  product.status === 'DISCONTINUED'
    ? 'DISCONTINUED'
    : availableQuantity(product) > 0
      ? 'ACTIVE'
      : 'OUT_OF_STOCK';

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
        const product = state ?? missing();
        // One reservation per order and product: a repeat is a no-op (API.md).
        if (Object.hasOwn(product.reservations, command.orderId)) return [];
        const available = availableQuantity(product);
        if (available < command.quantity) {
          throw conflict('INSUFFICIENT_STOCK', `Insufficient stock for product ${product.productId}`, {
            productId: product.productId,
            requestedQuantity: command.quantity,
            availableQuantity: available,
          });
        }
        const payload = { orderId: command.orderId, quantity: command.quantity };
        return [
          {
            type: 'StockReserved',
            payload: command.completesReservation
              ? { ...payload, completesReservation: true as const }
              : payload,
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
      case 'ReplenishStock': {
        const product = state ?? missing();
        return [
          {
            type: 'StockReplenished',
            payload: {
              quantityAdded: command.quantity,
              newQuantityOnHand: product.quantityOnHand + command.quantity,
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
          createdAt: event.timestamp,
          updatedAt: event.timestamp,
        });
      case 'StockReserved':
        return state
          ? withStatus({
              ...state,
              quantityReserved: state.quantityReserved + event.payload.quantity,
              reservations: { ...state.reservations, [event.payload.orderId]: event.payload.quantity },
            })
          : state;
      case 'StockReleased': {
        if (!state) return state;
        const held = heldBy(state, event.payload.orderId);
        const reservations = { ...state.reservations };
        if (held - event.payload.quantity > 0)
          reservations[event.payload.orderId] = held - event.payload.quantity;
        else delete reservations[event.payload.orderId];
        return withStatus({
          ...state,
          quantityReserved: state.quantityReserved - event.payload.quantity,
          reservations,
        });
      }
      case 'StockReplenished':
        return state ? withStatus({ ...state, quantityOnHand: event.payload.newQuantityOnHand }) : state;
      case 'StockReservationFailed':
        // A fact for the saga; the stock itself did not change.
        return state;
    }
  },
};
