import { serviceIdempotency } from '../../src/idempotency/service-idempotency';
import type { ServiceDefinition } from '../../src/runtime/run-service';
import { customerDecider } from './customer-decider';
import { customerRoutes } from './customer-routes';
import { orderFulfillment } from '../order-fulfillment/order-fulfillment';
import { sagaSupport } from '../../src/sagas/saga-support';

export const accountService: ServiceDefinition = {
  name: 'account',
  title: 'Account service',
  defaultPort: 8081,
  wire: (context) => {
    const { runtime } = context;
    const customers = runtime.repository('Customer', customerDecider);
    const idempotency = serviceIdempotency(context, 'account');
    // Not a participant, but every replica of every service helps detect timed-out sagas.
    const saga = sagaSupport(context, orderFulfillment);
    return { routes: customerRoutes({ customers, idempotency }), start: saga.start, stop: saga.stop };
  },
};
