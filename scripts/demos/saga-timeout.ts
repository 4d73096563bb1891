import { formatDuration } from '../../src/sagas/duration';
import { describePolicy, type EffectivePolicy } from '../../src/sagas/saga-policy';
import { Checks, DemoError, narrate, runDemo, say, showFinalState, sleep, type Api } from './demo-kit';
import { paymentControl } from './payment-control';
import { PolicyControl } from './policy-control';

/**
 * The saga running out of time: with a short SagaPolicy and the payment service stopped, the order's saga
 * passes its deadline after the stock was reserved; a timeout detector (any replica of any service) moves
 * it to TIMED_OUT, inventory releases the stock and order cancels the order. When payment comes back it
 * handles what it missed and charges nothing. The policy is put back at the end.
 *
 * DEMO_SAGA_TIMEOUT (default 5s) and DEMO_CHECK_INTERVAL (default 1s) set the demo's policy.
 */
const SAGA_TYPE = 'OrderFulfillment';

runDemo(async ({ api, shop, defer }) => {
  const timeout = process.env.DEMO_SAGA_TIMEOUT?.trim() || '5s';
  const checkInterval = process.env.DEMO_CHECK_INTERVAL?.trim() || '1s';
  narrate.title(
    'Saga demo: a saga that times out',
    'Every saga has a deadline (the SagaPolicy’s timeout). Here payment is stopped, so the saga stalls after\n' +
      'the stock is reserved; a timeout detector marks it TIMED_OUT and the services that completed steps undo\n' +
      'them. When payment is back, it must not charge an order that is already cancelled.',
  );

  // Find out how payment will be stopped before anything is changed, so a refusal changes nothing.
  const payment = paymentControl(api.urls.payment);
  narrate.info(`payment is stopped and started with PAYMENT_CONTROL=${payment.how}`);

  narrate.step('Check that the four services answer.');
  await api.checkServices();
  await payment.check();

  narrate.step(
    `Apply a short SagaPolicy (timeout ${timeout}, checkInterval ${checkInterval}), as the CLI would.`,
  );
  const policies = await PolicyControl.connect();
  defer('disconnect from Hazelcast', () => policies.close());
  const previous = await policies.current(SAGA_TYPE);
  narrate.info(`connected to the Hazelcast ${policies.where}`);
  narrate.info(`current policy: ${describePolicy(previous)}`);
  narrate.info(
    `same as: npx hms policy apply -f <file> with spec {sagaType: ${SAGA_TYPE}, timeout: ${timeout}, checkInterval: ${checkInterval}}`,
  );
  let restored = false;
  const restore = async (): Promise<EffectivePolicy> => {
    restored = true;
    return policies.restore(previous);
  };
  defer('restore the SagaPolicy', async () => {
    if (restored) return;
    const back = await restore();
    say(`  SagaPolicy put back: ${describePolicy(back)}`);
  });
  const short = await policies.apply(SAGA_TYPE, timeout, checkInterval);
  narrate.info(`applied: ${describePolicy(short)}`);
  if (!(await policies.waitApplied(short, ['account', 'inventory', 'order', 'payment'], 20_000))) {
    throw new DemoError(
      `Not every service applied policy generation ${short.generation} within 20 s (they poll it every second). ` +
        'Are all four services running and connected to this cluster?',
    );
  }

  narrate.step('Create a customer and a product with 10 in stock.');
  const customerId = await shop.createCustomer('Edsger Dijkstra');
  const product = await shop.createProduct('Demo gadget', '40.00', 10);

  narrate.step('Stop the payment service.');
  defer('start the payment service again', () => payment.start());
  await payment.stop();

  narrate.step(
    `Order 3 gadgets. Its saga gets a deadline of now + ${formatDuration(short.timeoutMs)}; inventory reserves the stock,\n` +
      '        but nobody is there to charge the payment.',
  );
  const order = await shop.placeOrder(customerId, [{ productId: product.productId, quantity: 3 }]);

  narrate.step('Follow the saga: stock reserved, then TIMED_OUT, then compensated.');
  const waitMs = short.timeoutMs + short.checkIntervalMs + 30_000;
  const ended = await shop.waitForSaga(
    order.sagaId,
    (saga) => saga.status === 'COMPENSATED' || saga.status === 'FAILED',
    'it has been compensated',
    waitMs,
  );
  narrate.info(
    `timedOut=${ended.timedOut} failureReason="${ended.failureReason}" failedAtStep=${ended.failedAtStep}`,
  );

  narrate.step('Look at the order and the stock (payment is still stopped).');
  const cancelled = await shop.order(order.orderId);
  narrate.answer(200, {
    status: cancelled.status,
    cancellationReason: cancelled.cancellationReason,
    cancelledBy: cancelled.cancelledBy,
  });
  const released = await shop.waitFor(
    () => shop.product(product.productId, false),
    (stock) => stock.quantityReserved === 0,
    'the stock release',
    15_000,
  );
  narrate.request('GET', api.url('inventory', `/api/products/${product.productId}`));
  narrate.answer(200, {
    quantityOnHand: released.quantityOnHand,
    quantityReserved: released.quantityReserved,
    availableQuantity: released.availableQuantity,
  });

  narrate.step(
    'Start the payment service again. It now receives what it missed: the completed reservation (which\n' +
      '        would normally make it charge) and the SagaTimedOut event.',
  );
  await payment.start();
  await waitHealthy(api, 120_000);

  narrate.step(
    'Wait until payment has handled those events: it finds the saga over, charges nothing, and marks its step SKIPPED.',
  );
  await shop.waitForSaga(
    order.sagaId,
    (saga) => saga.steps[2]?.status !== 'PENDING',
    'payment has recorded its step',
    60_000,
  );
  await paymentCaughtUp(api, 30_000);

  narrate.step('Read the final state from the services.');
  const final = await shop.finalState(order.orderId, order.sagaId, [product.productId]);
  showFinalState(final);

  narrate.step('Put the SagaPolicy back.');
  const back = await restore();
  narrate.info(`applied: ${describePolicy(back)}`);
  if (!(await policies.waitApplied(back, ['account', 'inventory', 'order', 'payment'], 20_000))) {
    narrate.info(
      '(the services pick it up within a second or two of being reachable; check with `npx hms policy get`)',
    );
  }

  const stock = final.products[0]!;
  new Checks()
    .equal('order is CANCELLED', final.order.status, 'CANCELLED')
    .equal('cancellation reason', final.order.cancellationReason, 'Saga timed out')
    .equal('cancelled by the system', final.order.cancelledBy, 'system')
    .equal('saga is COMPENSATED', final.saga.status, 'COMPENSATED')
    .equal('saga timed out', final.saga.timedOut, true)
    .equal('saga failure reason', final.saga.failureReason, 'Saga timed out')
    .equal('saga stopped at step 2 (the payment)', final.saga.failedAtStep, 2)
    .equal(
      'steps: order and stock compensated, payment skipped, confirmation skipped',
      final.saga.steps.map((step) => step.status),
      ['COMPENSATED', 'COMPENSATED', 'SKIPPED', 'SKIPPED'],
    )
    .equal('stock back: nothing reserved', stock.quantityReserved, 0)
    .equal('all 10 available again', stock.availableQuantity, 10)
    .equal('payment back, and no payment for the order', final.payment, null)
    .report(
      'The timeout ended as expected: CANCELLED "Saga timed out" / COMPENSATED, timedOut / stock back / nothing charged.',
    );
});

/** Waits until payment answers its health check again (a resumed process reconnects to Hazelcast first). */
async function waitHealthy(api: Api, timeoutMs: number): Promise<void> {
  const url = api.url('payment', '/actuator/health');
  narrate.info(`waiting for GET ${url} to answer 200 (at most ${timeoutMs / 1000} s)`);
  const since = Date.now();
  const deadline = since + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) {
        narrate.info(`[${narrate.elapsed(since)}] payment is up: ${await response.text()}`);
        return;
      }
    } catch {
      // not yet
    }
    if (Date.now() > deadline) {
      throw new DemoError(
        `The payment service at ${api.urls.payment} did not come back within ${timeoutMs / 1000} s. ` +
          'Look at .run/payment.log (npm start) or the payment pods (Kubernetes).',
      );
    }
    await sleep(500);
  }
}

/** Best effort: payment's consumer group has no events left to handle (its lag metric is 0 everywhere). */
async function paymentCaughtUp(api: Api, timeoutMs: number): Promise<void> {
  const url = api.url('payment', '/metrics');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).text();
    const lags = [
      ...text.matchAll(/^subscription_lag_events\{[^}]*consumer_group="payment-saga"[^}]*\} (\S+)$/gm),
    ].map((match) => Number(match[1]));
    const total = lags.reduce((sum, lag) => sum + lag, 0);
    if (lags.length > 0 && total === 0) {
      narrate.info(
        `payment's consumer group "payment-saga" has caught up (subscription_lag_events = 0, ${url})`,
      );
      return;
    }
    if (Date.now() > deadline) {
      narrate.info(
        `(payment-saga still reports a lag of ${total} events after ${timeoutMs / 1000} s; going on)`,
      );
      return;
    }
    await sleep(500);
  }
}
