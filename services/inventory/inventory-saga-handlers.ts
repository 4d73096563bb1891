import { isoTime, type Clock } from '../../src/core/clock';
import { handledBy } from '../../src/sagas/participant';
import { participantHandler } from '../../src/sagas/participant-runner';
import type { SagaStateStore } from '../../src/sagas/saga-state-store';
import type { KeyValueMap } from '../../src/storage/key-value';
import type { EventHandler } from '../../src/subscriptions/delivery';
import { causedBy } from '../order-fulfillment/order-fulfillment';
import { inventoryParticipant, type CancellationDone } from './inventory-participant';
import type { OrderFacts } from './order-facts';
import type { Products } from './product-routes';

export { byProduct, type CancellationDone } from './inventory-participant';

/** The event types the participant acts on: the group's `handles`. */
export const INVENTORY_SAGA_EVENTS = handledBy(inventoryParticipant);

/**
 * Inventory's part of OrderFulfillment (inventory-participant.ts decides) with what it reads: the saga
 * record before reserving, and for a cancellation or a declined payment the order's own lines, how its
 * saga ended, and the durable mark of a cancellation given back in full.
 */
export function inventorySagaHandlers(deps: {
  products: Products;
  sagas: SagaStateStore;
  orders: OrderFacts;
  /** Durable marks of cancellations given back in full (see inventory-participant.ts, giveBack). */
  cancellations: KeyValueMap<CancellationDone>;
  clock: Clock;
}): EventHandler {
  const { products, sagas, orders, cancellations, clock } = deps;
  return participantHandler(
    inventoryParticipant,
    {
      OrderCreated: async (event) => ({
        saga: event.sagaId ? await sagas.getSagaState(event.sagaId) : undefined,
        now: isoTime(clock.now()),
      }),
      SagaCompleted: async () => undefined,
      OrderCancelled: async (event) => {
        const lines = await orders.lines(event.key);
        if (!lines) return { lines, cancellationDone: false, sagaCompleted: false };
        const cancellationDone = (await cancellations.get(event.key)) !== undefined;
        // Only asked when it matters: a cancellation given back in full restocks nothing more.
        const sagaCompleted =
          !cancellationDone && event.sagaId ? await orders.sagaCompleted(event.sagaId) : false;
        return { lines, cancellationDone, sagaCompleted };
      },
      PaymentFailed: async (event) => ({ lines: await orders.lines(event.payload.orderId) }),
      SagaTimedOut: async () => undefined,
    },
    { aggregate: products, sagas, causedBy, notes: cancellations },
  );
}
