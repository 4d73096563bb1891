import type { EventEnvelope } from '../../src/events/envelope';

/** The order service's copy of what it needs of a customer, kept from the account service's events. */
export interface CustomerRow {
  readonly customerId: string;
  readonly name: string;
  readonly email: string;
  readonly status: string;
}

/** The order service's copy of a product's price and stock, kept from the inventory service's events. */
export interface ProductRow {
  readonly productId: string;
  readonly name: string;
  readonly sku: string;
  /** Decimal string. */
  readonly price: string;
  readonly quantityOnHand: number;
  readonly quantityReserved: number;
}

interface Payload {
  readonly [field: string]: unknown;
}

const payloadOf = (event: EventEnvelope): Payload => (event.payload ?? {}) as Payload;
const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
const count = (value: unknown): number => (typeof value === 'number' ? value : 0);

export function applyCustomerEvent(
  current: CustomerRow | undefined,
  event: EventEnvelope,
): CustomerRow | undefined {
  const payload = payloadOf(event);
  switch (event.eventType) {
    case 'CustomerCreated':
      return {
        customerId: event.key,
        name: text(payload.name, ''),
        email: text(payload.email, ''),
        status: 'ACTIVE',
      };
    case 'CustomerUpdated':
      return (
        current && {
          ...current,
          name: text(payload.name, current.name),
          email: text(payload.email, current.email),
        }
      );
    case 'CustomerStatusChanged':
      return current && { ...current, status: text(payload.newStatus, current.status) };
    default:
      return undefined;
  }
}

export function applyProductEvent(
  current: ProductRow | undefined,
  event: EventEnvelope,
): ProductRow | undefined {
  const payload = payloadOf(event);
  switch (event.eventType) {
    case 'ProductCreated':
      return {
        productId: event.key,
        name: text(payload.name, ''),
        sku: text(payload.sku, ''),
        price: text(payload.price, '0.00'),
        quantityOnHand: count(payload.initialQuantity),
        quantityReserved: 0,
      };
    case 'StockReserved':
      return current && { ...current, quantityReserved: current.quantityReserved + count(payload.quantity) };
    case 'StockReleased':
      return current && { ...current, quantityReserved: current.quantityReserved - count(payload.quantity) };
    case 'StockSettled':
      // A completed order's reservation became a sale: gone from on hand and from reserved.
      return (
        current && {
          ...current,
          quantityOnHand: current.quantityOnHand - count(payload.quantity),
          quantityReserved: current.quantityReserved - count(payload.quantity),
        }
      );
    case 'StockRestocked':
      return current && { ...current, quantityOnHand: current.quantityOnHand + count(payload.quantity) };
    case 'StockReplenished':
      return current && { ...current, quantityOnHand: count(payload.newQuantityOnHand) };
    default:
      return undefined;
  }
}
