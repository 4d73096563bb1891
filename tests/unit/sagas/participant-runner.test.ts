import type { ManualClock } from '../../../src/core/clock';
import { SequentialIds } from '../../../src/core/ids';
import type { EventEnvelope } from '../../../src/events/envelope';
import { MalformedPayloadError } from '../../../src/events/parse-payload';
import type { EventSourcingRuntime } from '../../../src/runtime/event-sourcing-runtime';
import type { SagaState } from '../../../src/sagas/saga-state';
import { SagaStateStore } from '../../../src/sagas/saga-state-store';
import { InMemoryKeyValueMap } from '../../../src/storage/in-memory-key-value';
import { paymentDecider } from '../../../services/payment/payment-decider';
import { paymentSagaHandlers } from '../../../services/payment/payment-saga-handlers';
import { orderFulfillment, paymentIdFor } from '../../../services/order-fulfillment/order-fulfillment';
import { context, SAGA_ID, sagaEvent, stockReserved } from '../../support/saga-event-fixtures';
import { inMemoryRuntime } from '../../support/in-memory-runtime';

/** The runner's own part, on the in-memory ports: the payload's schema fences the decision. */
describe('participant runner', () => {
  let runtime: EventSourcingRuntime;
  let sagas: SagaStateStore;
  let deliver: (event: EventEnvelope) => Promise<void>;
  const payments = () => runtime.repository('Payment', paymentDecider);

  beforeEach(async () => {
    runtime = inMemoryRuntime({ service: 'payment' });
    const clock = runtime.options.clock as ManualClock;
    sagas = new SagaStateStore(new InMemoryKeyValueMap<SagaState>('saga.state', clock), clock);
    await sagas.startSaga(orderFulfillment, {
      sagaId: SAGA_ID,
      correlationId: 'c-1',
      timeoutMs: 60_000,
      context,
    });
    const handle = paymentSagaHandlers({ payments: payments(), sagas, ids: new SequentialIds() });
    deliver = (event) => handle(event, { group: 'payment-saga', logger: runtime.options.logger });
  });
  afterEach(() => runtime.close());

  test('carries out the decision: the completing StockReserved charges the saga and records step 2', async () => {
    await deliver(stockReserved(true));
    expect((await payments().load(paymentIdFor(SAGA_ID)))?.state?.status).toBe('CAPTURED');
    expect((await sagas.getSagaState(SAGA_ID))?.steps[2]?.status).toBe('COMPLETED');
  });

  test('a payload that fails its schema is thrown with the field named, and nothing is done', async () => {
    // Before the schemas, a truthy completesReservation ("yes") was taken as true and charged.
    const malformed = sagaEvent(
      'StockReserved',
      { orderId: 'o-1', quantity: 1, completesReservation: 'yes' },
      { key: 'p-b', source: 'Product' },
    );
    const refused = deliver(malformed);
    await expect(refused).rejects.toBeInstanceOf(MalformedPayloadError);
    await expect(refused).rejects.toThrow(
      /^StockReserved p-b-event-1 \(Product p-b v1\) does not match its schema: completesReservation: /,
    );
    expect(await payments().load(paymentIdFor(SAGA_ID))).toBeUndefined();
    expect((await sagas.getSagaState(SAGA_ID))?.steps[2]?.status).toBe('PENDING');
  });

  test('an event type the participant does not handle is ignored, whatever its payload', async () => {
    await expect(deliver(sagaEvent('OrderConfirmed', 'not even an object'))).resolves.toBeUndefined();
  });
});
