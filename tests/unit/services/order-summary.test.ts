import type { Order, OrderStatus } from '../../../services/order/order-decider';
import { summarize } from '../../../services/order/order-summary';

let sequence = 0;
const order = (status: OrderStatus, total: string, createdAt: string): Order => ({
  orderId: `o-${++sequence}`,
  customerId: 'c-1',
  customerName: 'Ada',
  customerEmail: 'ada@example.com',
  lineItems: [],
  subtotal: total,
  tax: '0.00',
  total,
  shippingAddress: '1 Analytical St',
  status,
  sagaId: `s-${sequence}`,
  confirmationNumber: null,
  cancellationReason: null,
  cancelledBy: null,
  createdAt,
  updatedAt: createdAt,
});

describe('summarize', () => {
  it('summarizes a customer with no orders as zeros and nulls', () => {
    expect(summarize('c-1', [])).toEqual({
      customerId: 'c-1',
      totalOrders: 0,
      totalSpent: 0,
      pendingOrders: 0,
      confirmedOrders: 0,
      cancelledOrders: 0,
      firstOrderAt: null,
      lastOrderAt: null,
    });
  });

  it('counts by status and spends only on confirmed orders and beyond', () => {
    const orders = [
      order('PENDING', '100.00', '2026-01-03T00:00:00.000Z'),
      order('CONFIRMED', '65.97', '2026-01-01T00:00:00.000Z'),
      order('CONFIRMED', '0.03', '2026-01-05T00:00:00.000Z'),
      order('CANCELLED', '1000.00', '2026-01-02T00:00:00.000Z'),
      order('SHIPPED', '10.00', '2026-01-04T00:00:00.000Z'),
    ];
    expect(summarize('c-1', orders)).toEqual({
      customerId: 'c-1',
      totalOrders: 5,
      totalSpent: 76,
      pendingOrders: 1,
      confirmedOrders: 2,
      cancelledOrders: 1,
      firstOrderAt: '2026-01-01T00:00:00.000Z',
      lastOrderAt: '2026-01-05T00:00:00.000Z',
    });
  });

  it.each(['CONFIRMED', 'PROCESSING', 'SHIPPED', 'DELIVERED'] as const)(
    'counts a %s order as spent',
    (status) => {
      expect(summarize('c-1', [order(status, '12.34', '2026-01-01T00:00:00.000Z')]).totalSpent).toBe(12.34);
    },
  );

  it.each(['PENDING', 'CANCELLED'] as const)('does not count a %s order as spent', (status) => {
    expect(summarize('c-1', [order(status, '12.34', '2026-01-01T00:00:00.000Z')]).totalSpent).toBe(0);
  });

  it('adds totals exactly in decimal', () => {
    const orders = [
      order('CONFIRMED', '0.10', '2026-01-01T00:00:00.000Z'),
      order('CONFIRMED', '0.20', '2026-01-02T00:00:00.000Z'),
    ];
    // 0.1 + 0.2 in binary floating point is 0.30000000000000004.
    expect(summarize('c-1', orders).totalSpent).toBe(0.3);
  });

  it('takes first and last order times from createdAt, whatever the order of the list', () => {
    const summary = summarize('c-1', [
      order('PENDING', '1.00', '2026-03-01T00:00:00.000Z'),
      order('PENDING', '1.00', '2025-12-31T23:59:59.999Z'),
      order('PENDING', '1.00', '2026-02-01T00:00:00.000Z'),
    ]);
    expect(summary).toMatchObject({
      firstOrderAt: '2025-12-31T23:59:59.999Z',
      lastOrderAt: '2026-03-01T00:00:00.000Z',
      pendingOrders: 3,
    });
  });
});
