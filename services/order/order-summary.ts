import { money, moneyNumber, sum } from '../../src/events/money';
import type { Order } from './order-decider';

export interface OrderSummary {
  readonly customerId: string;
  readonly totalOrders: number;
  /** What the customer paid for: confirmed orders and beyond, not pending or cancelled ones. */
  readonly totalSpent: number;
  readonly pendingOrders: number;
  readonly confirmedOrders: number;
  readonly cancelledOrders: number;
  readonly firstOrderAt: string | null;
  readonly lastOrderAt: string | null;
}

const SPENT = new Set(['CONFIRMED', 'PROCESSING', 'SHIPPED', 'DELIVERED']);

/** Derived from the customer's orders in the order view, so it is exact and never drifts. */
export function summarize(customerId: string, orders: readonly Order[]): OrderSummary {
  const created = orders.map((order) => order.createdAt).sort();
  return {
    customerId,
    totalOrders: orders.length,
    totalSpent: moneyNumber(
      sum(orders.filter((order) => SPENT.has(order.status)).map((order) => money(order.total))),
    ),
    pendingOrders: orders.filter((order) => order.status === 'PENDING').length,
    confirmedOrders: orders.filter((order) => order.status === 'CONFIRMED').length,
    cancelledOrders: orders.filter((order) => order.status === 'CANCELLED').length,
    firstOrderAt: created[0] ?? null,
    lastOrderAt: created[created.length - 1] ?? null,
  };
}
