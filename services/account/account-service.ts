import { IdempotencyGuard, type IdempotencyRecord } from '../../src/idempotency/idempotency-guard';
import type { ServiceDefinition } from '../../src/runtime/run-service';
import { customerDecider } from './customer-decider';
import { customerRoutes } from './customer-routes';

export const accountService: ServiceDefinition = {
  name: 'account',
  title: 'Account service',
  defaultPort: 8081,
  wire: ({ runtime, kv, naming, clock, ids }) => {
    const customers = runtime.repository('Customer', customerDecider);
    const idempotency = new IdempotencyGuard(kv.map<IdempotencyRecord>(naming.idempotency('account')), clock);
    return { routes: customerRoutes({ customers, idempotency, ids }) };
  },
};
