import { sleep } from '../../src/core/sleep';
import { serviceIdempotency } from '../../src/idempotency/service-idempotency';
import type { ServiceDefinition } from '../../src/runtime/run-service';
import type { KeyValueMap } from '../../src/storage/key-value';
import { projection, type ProjectedRow } from '../../src/views/projection';
import {
  applyCustomerEvent,
  applyProductEvent,
  type CustomerRow,
  type ProductRow,
} from './cross-service-views';
import { orderDecider } from './order-decider';
import { orderRoutes, type OrderSagaHooks, type ReferenceData } from './order-routes';
import {
  ORDER_SAGA_EVENTS,
  orderSagaHandlers,
  orderSagaPorts,
  recordCancellation,
} from './order-saga-handlers';
import { orderFulfillment, STEP } from '../order-fulfillment/order-fulfillment';
import { failSagaOf, reopenSagaOf } from '../order-fulfillment/fail-saga';
import { sagaSupport } from '../../src/sagas/saga-support';
import { currentTraceparent } from '../../src/telemetry';
import { SAGA_STREAM } from '../../src/sagas/saga-timed-out';
import { sagaRoutes } from '../../src/sagas/saga-routes';

/** A row another service just created may not have reached our copy yet; wait this long for it. */
const REFERENCE_WAIT_MS = 2_000;

async function rowsWithin<V>(
  view: KeyValueMap<ProjectedRow<V>>,
  ids: readonly string[],
  mustHave: readonly string[],
): Promise<Map<string, V>> {
  const unique = [...new Set(ids)];
  const deadline = Date.now() + REFERENCE_WAIT_MS;
  for (;;) {
    const rows = new Map<string, V>();
    for (const [id, stored] of await view.getAll(unique)) rows.set(id, stored.value.row);
    if (mustHave.every((id) => rows.has(id)) || Date.now() >= deadline) return rows;
    await sleep(50);
  }
}

export const orderService: ServiceDefinition = {
  name: 'order',
  title: 'Order service',
  defaultPort: 8083,
  wire: (context) => {
    const { runtime, kv, naming, clock, ids, metrics } = context;
    const orders = runtime.repository('Order', orderDecider);
    const customers = kv.map<ProjectedRow<CustomerRow>>(naming.view('order-customer-cache'));
    const products = kv.map<ProjectedRow<ProductRow>>(naming.view('order-product-availability'));
    const keepCustomers = projection({ view: customers, apply: applyCustomerEvent, clock, metrics });
    const keepProducts = projection({ view: products, apply: applyProductEvent, clock, metrics });
    runtime.consumerGroup({
      group: 'order-views',
      streams: ['Customer', 'Product'],
      // Both projections skip events at or below their row's version.
      idempotentHandler: true,
      handle: (event, context) =>
        (event.source === 'Customer' ? keepCustomers : keepProducts)(event, context),
    });
    const reference: ReferenceData = {
      customer: async (customerId) =>
        (await rowsWithin(customers, [customerId], [customerId])).get(customerId),
      products: (productIds, mustHave) => rowsWithin(products, productIds, mustHave),
    };
    const idempotency = serviceIdempotency(context, 'order');
    const saga = sagaSupport(context, orderFulfillment);
    const sagas = saga.store;
    runtime.consumerGroup({
      group: 'order-saga',
      // Order: a user's OrderCancelled starts the saga's unwinding even if the cancel's answer never came.
      streams: ['Order', 'Payment', 'Product', SAGA_STREAM],
      handles: ORDER_SAGA_EVENTS,
      handle: orderSagaHandlers({ orders, sagas, ids, announceCompleted: saga.announceCompleted }),
      onParked: failSagaOf(sagas),
      onReplay: reopenSagaOf(sagas),
    });
    const hooks: OrderSagaHooks = {
      starting: async (order) => {
        await sagas.startSaga(orderFulfillment, {
          sagaId: order.sagaId,
          correlationId: order.correlationId,
          timeoutMs: saga.policy.policy.timeoutMs,
          // The order POST's trace: the timeout, if it comes, continues it.
          traceparent: currentTraceparent(),
          context: {
            orderId: order.orderId,
            customerId: order.customerId,
            total: order.total,
            currency: 'USD',
            lineItems: order.lineItems.map(({ productId, quantity }) => ({ productId, quantity })),
          },
        });
      },
      created: async (sagaId, eventId) => {
        await sagas.recordStepCompleted(sagaId, STEP.orderCreated, eventId);
      },
      cancelled: (order, eventId, reason) =>
        recordCancellation(orderSagaPorts({ orders, sagas }), order.sagaId, eventId, reason),
    };
    return {
      routes: [
        ...orderRoutes({ orders, reference, idempotency, ids, saga: hooks }),
        ...sagaRoutes({ sagas, counters: context.counters }),
      ],
      start: saga.start,
      stop: saga.stop,
    };
  },
};
