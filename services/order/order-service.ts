import { sleep } from '../../src/core/sleep';
import { IdempotencyGuard, type IdempotencyRecord } from '../../src/idempotency/idempotency-guard';
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
import { orderRoutes, type ReferenceData } from './order-routes';

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
  wire: ({ runtime, kv, naming, clock, ids, metrics }) => {
    const orders = runtime.repository('Order', orderDecider);
    const customers = kv.map<ProjectedRow<CustomerRow>>(naming.view('order-customer-cache'));
    const products = kv.map<ProjectedRow<ProductRow>>(naming.view('order-product-availability'));
    const keepCustomers = projection({ view: customers, apply: applyCustomerEvent, clock, metrics });
    const keepProducts = projection({ view: products, apply: applyProductEvent, clock, metrics });
    runtime.consumerGroup({
      group: 'order-views',
      streams: ['Customer', 'Product'],
      handle: (event, context) =>
        (event.source === 'Customer' ? keepCustomers : keepProducts)(event, context),
    });
    const reference: ReferenceData = {
      customer: async (customerId) =>
        (await rowsWithin(customers, [customerId], [customerId])).get(customerId),
      products: (productIds, mustHave) => rowsWithin(products, productIds, mustHave),
    };
    const idempotency = new IdempotencyGuard(kv.map<IdempotencyRecord>(naming.idempotency('order')), clock);
    return { routes: orderRoutes({ orders, reference, idempotency, ids }) };
  },
};
