import { parsePayload } from '../../src/events/parse-payload';
import type { EventStore } from '../../src/eventsourcing/event-store';
import { orderCreatedPayload } from '../order-fulfillment/saga-events';

export interface Line {
  readonly productId: string;
  readonly quantity: number;
}

/**
 * What inventory reads of an order from other services' event stores, which keep it for as long as the
 * order exists (saga records are purged after their retention).
 */
export interface OrderFacts {
  /** The order's line items as its OrderCreated recorded them; undefined for an order nobody created. */
  lines(orderId: string): Promise<readonly Line[] | undefined>;
  /** Whether the saga completed (SagaCompleted on the Saga stream): then its stock was, or will be, settled. */
  sagaCompleted(sagaId: string): Promise<boolean>;
}

export function orderFactsFrom(stores: { orders: EventStore; sagas: EventStore }): OrderFacts {
  return {
    lines: async (orderId) => {
      const [first] = await stores.orders.events(orderId, 0, 1);
      if (first?.eventType !== 'OrderCreated') return undefined;
      // Another service wrote it: checked against the saga's contract for OrderCreated.
      return parsePayload(orderCreatedPayload, first).payload.lineItems;
    },
    sagaCompleted: async (sagaId) => {
      // The Saga aggregate holds one event: how the saga ended (SagaTimedOut or SagaCompleted).
      const [outcome] = await stores.sagas.events(sagaId, 0, 1);
      return outcome?.eventType === 'SagaCompleted';
    },
  };
}
