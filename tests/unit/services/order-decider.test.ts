import {
  orderDecider,
  type Order,
  type OrderCreatedPayload,
  type OrderEvent,
  type OrderStatus,
} from '../../../services/order/order-decider';
import { AGGREGATE_ID, deciderSpec, timestampOf } from '../../support/decider-spec';

const spec = deciderSpec(orderDecider);

const payload: OrderCreatedPayload = {
  customerId: 'c-1',
  customerName: 'Ada Lovelace',
  customerEmail: 'ada@example.com',
  lineItems: [
    {
      productId: 'p-1',
      productName: 'Widget',
      sku: 'SKU-1',
      quantity: 3,
      unitPrice: '19.99',
      lineTotal: '59.97',
    },
  ],
  shippingAddress: '1 Analytical St',
  subtotal: '59.97',
  tax: '6.00',
  total: '65.97',
  sagaId: 'saga-1',
};

const created: OrderEvent = { type: 'OrderCreated', payload };
const confirmed: OrderEvent = { type: 'OrderConfirmed', payload: { confirmationNumber: 'CNF-1' } };
const cancelled: OrderEvent = {
  type: 'OrderCancelled',
  payload: { reason: 'changed my mind', cancelledBy: 'customer' },
};

const order = (changes: Partial<Order>): Order => ({
  orderId: AGGREGATE_ID,
  ...payload,
  status: 'PENDING',
  confirmationNumber: null,
  cancellationReason: null,
  cancelledBy: null,
  createdAt: timestampOf(1),
  updatedAt: timestampOf(1),
  ...changes,
});

const histories: Record<'PENDING' | 'CONFIRMED' | 'CANCELLED', OrderEvent[]> = {
  PENDING: [created],
  CONFIRMED: [created, confirmed],
  CANCELLED: [created, cancelled],
};

describe('order decider', () => {
  describe('CreateOrder', () => {
    it('creates a PENDING order carrying the priced lines, totals and saga id', () => {
      spec
        .when({ type: 'CreateOrder', ...payload })
        .then([created])
        .thenState(order({}));
    });

    it('refuses to create an order twice', () => {
      const error = spec
        .given([created])
        .when({ type: 'CreateOrder', ...payload })
        .thenThrows('ORDER_EXISTS');
      expect(error.kind).toBe('conflict');
    });
  });

  describe('ConfirmOrder', () => {
    it('confirms a PENDING order with its confirmation number', () => {
      spec
        .given([created])
        .when({ type: 'ConfirmOrder', confirmationNumber: 'CNF-1' })
        .then([confirmed])
        .thenState(order({ status: 'CONFIRMED', confirmationNumber: 'CNF-1', updatedAt: timestampOf(2) }));
    });

    it.each(['CONFIRMED', 'CANCELLED'] as const)(
      'answers INVALID_ORDER_STATE for a %s order, with id, currentStatus and requestedOperation',
      (status) => {
        const error = spec
          .given(histories[status])
          .when({ type: 'ConfirmOrder', confirmationNumber: 'CNF-2' })
          .thenThrows('INVALID_ORDER_STATE');
        expect(error.kind).toBe('conflict');
        expect(error.details).toEqual({
          id: AGGREGATE_ID,
          currentStatus: status,
          requestedOperation: 'confirm',
        });
      },
    );

    it('answers ORDER_NOT_FOUND for an unknown order', () => {
      const error = spec
        .when({ type: 'ConfirmOrder', confirmationNumber: 'CNF-1' })
        .thenThrows('ORDER_NOT_FOUND');
      expect(error.kind).toBe('not-found');
    });
  });

  describe('CancelOrder', () => {
    it.each(['PENDING', 'CONFIRMED'] as const)('cancels a %s order with reason and who', (status) => {
      const history = histories[status];
      const { state } = spec
        .given(history)
        .when({ type: 'CancelOrder', reason: 'changed my mind', cancelledBy: 'customer' })
        .then([cancelled]);
      expect(state).toMatchObject({
        status: 'CANCELLED',
        cancellationReason: 'changed my mind',
        cancelledBy: 'customer',
        updatedAt: timestampOf(history.length + 1),
      });
    });

    it('keeps the confirmation number of a cancelled confirmed order', () => {
      spec
        .given([created, confirmed])
        .when({ type: 'CancelOrder', reason: 'Saga timed out', cancelledBy: 'system' })
        .then([{ type: 'OrderCancelled', payload: { reason: 'Saga timed out', cancelledBy: 'system' } }])
        .thenState(
          order({
            status: 'CANCELLED',
            confirmationNumber: 'CNF-1',
            cancellationReason: 'Saga timed out',
            cancelledBy: 'system',
            updatedAt: timestampOf(3),
          }),
        );
    });

    it('answers INVALID_ORDER_STATE for a CANCELLED order', () => {
      const error = spec
        .given([created, cancelled])
        .when({ type: 'CancelOrder', reason: 'again', cancelledBy: 'customer' })
        .thenThrows('INVALID_ORDER_STATE');
      expect(error.details).toEqual({
        id: AGGREGATE_ID,
        currentStatus: 'CANCELLED',
        requestedOperation: 'cancel',
      });
    });

    it('answers ORDER_NOT_FOUND for an unknown order', () => {
      spec.when({ type: 'CancelOrder', reason: 'x', cancelledBy: 'y' }).thenThrows('ORDER_NOT_FOUND');
    });
  });

  describe('the reserved statuses PROCESSING, SHIPPED, DELIVERED', () => {
    // No event leads there yet; the rules must still hold for a view in those states.
    it.each(['PROCESSING', 'SHIPPED', 'DELIVERED'] as const satisfies readonly OrderStatus[])(
      'neither confirms nor cancels a %s order',
      (status) => {
        const state = order({ status });
        for (const [command, operation] of [
          [{ type: 'ConfirmOrder', confirmationNumber: 'CNF-9' }, 'confirm'],
          [{ type: 'CancelOrder', reason: 'r', cancelledBy: 'c' }, 'cancel'],
        ] as const) {
          expect(() => orderDecider.decide(command, state)).toThrow(
            expect.objectContaining({
              code: 'INVALID_ORDER_STATE',
              details: { id: AGGREGATE_ID, currentStatus: status, requestedOperation: operation },
            }),
          );
        }
      },
    );
  });

  describe('evolve', () => {
    it('ignores confirmations and cancellations of an order it never saw created', () => {
      expect(spec.given([confirmed, cancelled]).state).toBeNull();
    });
  });
});
