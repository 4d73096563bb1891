import type { Decider } from '../../src/eventsourcing/decider';
import { conflict, notFound } from '../../src/eventsourcing/domain-error';
import type {
  LineItem,
  OrderCancelledPayload,
  OrderConfirmedPayload,
  OrderCreatedPayload,
} from '../order-fulfillment/saga-events';

export const orderStatuses = [
  'PENDING',
  'CONFIRMED',
  'CANCELLED',
  'PROCESSING',
  'SHIPPED',
  'DELIVERED',
] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/** The saga's contracts (saga-events.ts) are the payloads' source; re-exported for the order's own code. */
export type { LineItem, OrderCreatedPayload };

export interface Order {
  readonly orderId: string;
  readonly customerId: string;
  readonly customerName: string | null;
  readonly customerEmail: string | null;
  readonly lineItems: readonly LineItem[];
  readonly subtotal: string;
  readonly tax: string;
  readonly total: string;
  readonly shippingAddress: string;
  readonly status: OrderStatus;
  readonly sagaId: string;
  readonly confirmationNumber: string | null;
  readonly cancellationReason: string | null;
  readonly cancelledBy: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type OrderState = Order | null;

export type OrderCommand =
  | ({ readonly type: 'CreateOrder' } & OrderCreatedPayload)
  | { readonly type: 'ConfirmOrder'; readonly confirmationNumber: string }
  | { readonly type: 'CancelOrder'; readonly reason: string; readonly cancelledBy: string };

export type OrderEvent =
  | { readonly type: 'OrderCreated'; readonly payload: OrderCreatedPayload }
  | { readonly type: 'OrderConfirmed'; readonly payload: OrderConfirmedPayload }
  | { readonly type: 'OrderCancelled'; readonly payload: OrderCancelledPayload };

const missing = (): never => {
  throw notFound('ORDER_NOT_FOUND', 'Order not found');
};

const invalidState = (order: Order, requestedOperation: string): never => {
  throw conflict(
    'INVALID_ORDER_STATE',
    `Order ${order.orderId} is ${order.status}; cannot ${requestedOperation}`,
    {
      id: order.orderId,
      currentStatus: order.status,
      requestedOperation,
    },
  );
};

export const orderDecider: Decider<OrderState, OrderCommand, OrderEvent> = {
  initialState: () => null,

  decide(command, state) {
    switch (command.type) {
      case 'CreateOrder': {
        if (state) throw conflict('ORDER_EXISTS', 'Order already exists');
        const { type: _type, ...payload } = command;
        return [{ type: 'OrderCreated', payload }];
      }
      case 'ConfirmOrder': {
        const order = state ?? missing();
        if (order.status !== 'PENDING') return invalidState(order, 'confirm');
        return [{ type: 'OrderConfirmed', payload: { confirmationNumber: command.confirmationNumber } }];
      }
      case 'CancelOrder': {
        const order = state ?? missing();
        if (order.status !== 'PENDING' && order.status !== 'CONFIRMED') return invalidState(order, 'cancel');
        return [
          { type: 'OrderCancelled', payload: { reason: command.reason, cancelledBy: command.cancelledBy } },
        ];
      }
    }
  },

  evolve(state, event) {
    switch (event.eventType) {
      case 'OrderCreated':
        return {
          orderId: event.key,
          ...event.payload,
          status: 'PENDING',
          confirmationNumber: null,
          cancellationReason: null,
          cancelledBy: null,
          createdAt: event.timestamp,
          updatedAt: event.timestamp,
        };
      case 'OrderConfirmed':
        return state
          ? {
              ...state,
              status: 'CONFIRMED',
              confirmationNumber: event.payload.confirmationNumber,
              updatedAt: event.timestamp,
            }
          : state;
      case 'OrderCancelled':
        return state
          ? {
              ...state,
              status: 'CANCELLED',
              cancellationReason: event.payload.reason,
              cancelledBy: event.payload.cancelledBy,
              updatedAt: event.timestamp,
            }
          : state;
    }
  },
};
