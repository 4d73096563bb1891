import { Checks, ENDED, narrate, runDemo, showFinalState } from './demo-kit';

/**
 * The saga failing at its payment step: the simulated processor declines amounts over 10000.00, so the
 * stock reserved at step 1 is released and the order cancelled (compensation), and the saga ends
 * COMPENSATED at step 2.
 */
runDemo(async ({ api, shop }) => {
  narrate.title(
    'Saga demo: payment declined',
    'The payment service’s simulated processor declines amounts over 10000.00. The saga gets as far as the\n' +
      'reservation (step 1), fails at the payment (step 2), and the completed steps are compensated: inventory\n' +
      'releases the stock, order cancels the order.',
  );

  narrate.step('Check that the four services answer.');
  await api.checkServices();

  narrate.step('Create a customer.');
  const customerId = await shop.createCustomer('Grace Hopper');

  narrate.step('Create an expensive product (6000.00) with 5 in stock.');
  const product = await shop.createProduct('Demo mainframe', '6000.00', 5);

  narrate.step('Order 2 of them: 12000.00 + 10% tax = 13200.00, over the processor’s 10000.00 limit.');
  const order = await shop.placeOrder(customerId, [{ productId: product.productId, quantity: 2 }]);

  narrate.step('Follow the saga: reserved, then declined, then compensated.');
  await shop.waitForSaga(order.sagaId, (saga) => ENDED.includes(saga.status), 'it has ended', 30_000);

  narrate.step('Read the final state from the services.');
  const final = await shop.finalState(order.orderId, order.sagaId, [product.productId]);
  showFinalState(final);

  const stock = final.products[0]!;
  new Checks()
    .equal('order is CANCELLED', final.order.status, 'CANCELLED')
    .equal(
      'cancellation reason names the payment',
      final.order.cancellationReason,
      'Payment failed: Payment declined by processor',
    )
    .equal('cancelled by the system', final.order.cancelledBy, 'system')
    .equal('saga is COMPENSATED', final.saga.status, 'COMPENSATED')
    .equal('saga failed at step 2', final.saga.failedAtStep, 2)
    .equal('saga failure reason', final.saga.failureReason, 'Payment declined by processor')
    .equal(
      'steps: order and stock compensated, payment failed, confirmation skipped',
      final.saga.steps.map((step) => step.status),
      ['COMPENSATED', 'COMPENSATED', 'FAILED', 'SKIPPED'],
    )
    .equal('stock back: nothing reserved', stock.quantityReserved, 0)
    .equal('all 5 available again', stock.availableQuantity, 5)
    .equal('payment FAILED (nothing captured)', final.payment?.status, 'FAILED')
    .report(
      'The payment failure ended as expected: CANCELLED / COMPENSATED at step 2 / stock back / payment FAILED.',
    );
});
