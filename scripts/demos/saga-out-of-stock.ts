import { Checks, ENDED, narrate, runDemo, showFinalState } from './demo-kit';

/**
 * The saga failing at its first participant: one line of the order asks for more than is on hand, so
 * inventory reserves nothing at all (it gives back the line it had already taken), the order is cancelled,
 * and payment is never asked.
 */
runDemo(async ({ api, shop }) => {
  narrate.title(
    'Saga demo: out of stock',
    'Inventory reserves all the lines of an order or none. Here the second line asks for more than is on\n' +
      'hand: the first line’s reservation is given back, step 1 fails, the order is cancelled, payment never\n' +
      'charges.',
  );

  narrate.step('Check that the four services answer.');
  await api.checkServices();

  narrate.step('Create a customer.');
  const customerId = await shop.createCustomer('Alan Turing');

  narrate.step('Create two products: one with plenty of stock (100), one with a single unit.');
  const plenty = await shop.createProduct('Demo bolts', '1.50', 100);
  const scarce = await shop.createProduct('Demo rare part', '80.00', 1);

  narrate.step('Order 3 bolts and 2 rare parts: the second line asks for more than is on hand.');
  const order = await shop.placeOrder(customerId, [
    { productId: plenty.productId, quantity: 3 },
    { productId: scarce.productId, quantity: 2 },
  ]);

  narrate.step('Follow the saga: the reservation fails and the order is cancelled.');
  await shop.waitForSaga(order.sagaId, (saga) => ENDED.includes(saga.status), 'it has ended', 30_000);

  narrate.step(
    'Payment reacts to the cancellation too: it has nothing to refund, so it marks its step SKIPPED.',
  );
  await shop.waitForSaga(
    order.sagaId,
    (saga) => saga.steps[2]?.status !== 'PENDING',
    'payment has recorded its step',
    15_000,
  );

  narrate.step('Read the final state from the services.');
  const final = await shop.finalState(order.orderId, order.sagaId, [plenty.productId, scarce.productId]);
  showFinalState(final);

  const [bolts, rare] = final.products;
  new Checks()
    .equal('order is CANCELLED', final.order.status, 'CANCELLED')
    .that(
      'cancellation reason names the stock',
      final.order.cancellationReason?.startsWith('Stock reservation failed: Insufficient stock') ?? false,
      final.order.cancellationReason,
    )
    .equal('saga is COMPENSATED', final.saga.status, 'COMPENSATED')
    .equal('saga failed at step 1', final.saga.failedAtStep, 1)
    .that(
      'saga failure reason says insufficient stock',
      final.saga.failureReason?.startsWith('Insufficient stock') ?? false,
      final.saga.failureReason,
    )
    .equal(
      'steps: order compensated, reservation failed, payment skipped, confirmation skipped',
      final.saga.steps.map((step) => step.status),
      ['COMPENSATED', 'FAILED', 'SKIPPED', 'SKIPPED'],
    )
    .equal('nothing reserved of the plentiful product (its line was given back)', bolts?.quantityReserved, 0)
    .equal('nothing reserved of the scarce product', rare?.quantityReserved, 0)
    .equal('no payment for the order', final.payment, null)
    .report(
      'The out-of-stock order ended as expected: COMPENSATED at step 1 / nothing reserved / no payment.',
    );
});
