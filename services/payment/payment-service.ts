import { IdempotencyGuard, type IdempotencyRecord } from '../../src/idempotency/idempotency-guard';
import type { ServiceDefinition } from '../../src/runtime/run-service';
import { paymentDecider } from './payment-decider';
import { paymentRoutes } from './payment-routes';

export const paymentService: ServiceDefinition = {
  name: 'payment',
  title: 'Payment service',
  defaultPort: 8084,
  wire: ({ runtime, kv, naming, clock, ids }) => {
    const payments = runtime.repository('Payment', paymentDecider);
    const idempotency = new IdempotencyGuard(kv.map<IdempotencyRecord>(naming.idempotency('payment')), clock);
    return { routes: paymentRoutes({ payments, idempotency, ids }) };
  },
};
