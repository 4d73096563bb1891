import { IdempotencyGuard, type IdempotencyRecord } from '../../src/idempotency/idempotency-guard';
import type { ServiceDefinition } from '../../src/runtime/run-service';
import { productDecider } from './product-decider';
import { productRoutes } from './product-routes';

export const inventoryService: ServiceDefinition = {
  name: 'inventory',
  title: 'Inventory service',
  defaultPort: 8082,
  wire: ({ runtime, kv, naming, clock, ids }) => {
    const products = runtime.repository('Product', productDecider);
    const idempotency = new IdempotencyGuard(
      kv.map<IdempotencyRecord>(naming.idempotency('inventory')),
      clock,
    );
    return { routes: productRoutes({ products, idempotency, ids }) };
  },
};
