import { serviceIdempotency } from '../../src/idempotency/service-idempotency';
import type { ServiceDefinition } from '../../src/runtime/run-service';
import { paymentDecider } from './payment-decider';
import { paymentRoutes } from './payment-routes';
import { PAYMENT_SAGA_EVENTS, paymentSagaHandlers } from './payment-saga-handlers';
import { failSagaOf, reopenSagaOf } from '../order-fulfillment/fail-saga';
import { orderFulfillment } from '../order-fulfillment/order-fulfillment';
import { sagaSupport } from '../../src/sagas/saga-support';
import { SAGA_STREAM } from '../../src/sagas/saga-timed-out';

export const paymentService: ServiceDefinition = {
  name: 'payment',
  title: 'Payment service',
  defaultPort: 8084,
  wire: (context) => {
    const { runtime, ids } = context;
    const payments = runtime.repository('Payment', paymentDecider);
    const idempotency = serviceIdempotency(context, 'payment');
    const saga = sagaSupport(context, orderFulfillment);
    runtime.consumerGroup({
      group: 'payment-saga',
      streams: ['Product', 'Order', SAGA_STREAM],
      handles: PAYMENT_SAGA_EVENTS,
      handle: paymentSagaHandlers({ payments, sagas: saga.store, ids }),
      onParked: failSagaOf(saga.store),
      onReplay: reopenSagaOf(saga.store),
    });
    return { routes: paymentRoutes({ payments, idempotency }), start: saga.start, stop: saga.stop };
  },
};
