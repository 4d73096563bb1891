import { serviceIdempotency } from '../../src/idempotency/service-idempotency';
import type { ServiceDefinition } from '../../src/runtime/run-service';
import { productDecider } from './product-decider';
import { productRoutes } from './product-routes';
import {
  INVENTORY_SAGA_EVENTS,
  inventorySagaHandlers,
  type CancellationDone,
} from './inventory-saga-handlers';
import { orderFactsFrom } from './order-facts';
import { failSagaOf, reopenSagaOf } from '../order-fulfillment/fail-saga';
import { orderFulfillment } from '../order-fulfillment/order-fulfillment';
import { sagaSupport } from '../../src/sagas/saga-support';
import { SAGA_STREAM } from '../../src/sagas/saga-timed-out';
import { createEmbedder } from '../../src/vectors/embedding-model';
import { ProductVectors } from './product-vectors';
import { similarProductsRoute } from './similar-route';

export const inventoryService: ServiceDefinition = {
  name: 'inventory',
  title: 'Inventory service',
  defaultPort: 8082,
  wire: async (context) => {
    const { runtime, kv, naming, clock, logger, config } = context;
    const products = runtime.repository('Product', productDecider);
    const idempotency = serviceIdempotency(context, 'inventory');
    const saga = sagaSupport(context, orderFulfillment);
    runtime.consumerGroup({
      group: 'inventory-saga',
      streams: ['Order', 'Payment', SAGA_STREAM],
      handles: INVENTORY_SAGA_EVENTS,
      handle: inventorySagaHandlers({
        products,
        sagas: saga.store,
        // Read-only: the order's lines and how its saga ended outlive the saga record's retention.
        orders: orderFactsFrom({
          orders: runtime.eventStore('Order'),
          sagas: runtime.eventStore(SAGA_STREAM),
        }),
        // A ledger like the consumer groups' (durable, kept a week): cancellations given back in full.
        cancellations: kv.map<CancellationDone>(naming.ledger('inventory-cancellations')),
        clock,
      }),
      onParked: failSagaOf(saga.store),
      onReplay: reopenSagaOf(saga.store),
    });
    // Recommendations follow the SagaPolicy's vectorStore flag live (docs/guides/recommendations.md).
    // MiniLM when `npm run setup` installed it, else the hashing fallback; `implementation` says which.
    // Lazy: the model is only loaded while the flag is on.
    const embedder = await createEmbedder({ log: (line) => logger.warn(line), lazy: true });
    const vectors = new ProductVectors({ kv, naming, products, embedder, logger });
    vectors.follow(saga.policy);
    return {
      routes: [
        ...productRoutes({
          products,
          idempotency,
          clock,
          holdMs: config.DIRECT_RESERVATION_HOLD,
          onCreated: (product) => vectors.created(product),
        }),
        similarProductsRoute({ products, vectors, clock }),
      ],
      start: saga.start,
      stop: async () => {
        await saga.stop();
        await vectors.close();
      },
    };
  },
};
