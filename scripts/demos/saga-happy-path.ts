import { Checks, ENDED, narrate, runDemo, showFinalState } from './demo-kit';

/**
 * The OrderFulfillment saga when everything goes right: the order is CONFIRMED, the saga COMPLETED with its
 * four steps, the order's stock settled (on hand and reserved both down by what it took) and the payment
 * CAPTURED.
 */
runDemo(async ({ api, shop }) => {
  narrate.title(
    'Saga demo: the happy path',
    'An order goes through the choreographed OrderFulfillment saga: order (step 0) → inventory reserves the\n' +
      'stock (step 1) → payment charges the total (step 2) → order confirms (step 3). No service calls another;\n' +
      'each reacts to the previous one’s event.',
  );

  narrate.step('Check that the four services answer.');
  await api.checkServices();

  narrate.step('Create a customer in the account service.');
  const customerId = await shop.createCustomer('Ada Lovelace');

  narrate.step('Create a product with 10 in stock in the inventory service.');
  const product = await shop.createProduct('Demo widget', '25.00', 10);

  narrate.step(
    'Place an order for 2 of them. The order service answers at once with a PENDING order and the id of\n' +
      '        the saga it started; the rest happens asynchronously, through events.',
  );
  const order = await shop.placeOrder(customerId, [{ productId: product.productId, quantity: 2 }]);

  narrate.step('Follow the saga until it ends.');
  await shop.waitForSaga(order.sagaId, (saga) => ENDED.includes(saga.status), 'it has ended', 30_000);

  narrate.step('Wait for inventory to settle the completed order: its 2 units leave on hand and reserved.');
  await shop.waitFor(
    () => shop.product(product.productId, false),
    (stock) => stock.quantityReserved === 0 && stock.quantityOnHand === 8,
    'the settlement',
    15_000,
  );

  narrate.step('Read the final state from the services.');
  const final = await shop.finalState(order.orderId, order.sagaId, [product.productId]);
  showFinalState(final);

  const stock = final.products[0]!;
  new Checks()
    .equal('order is CONFIRMED', final.order.status, 'CONFIRMED')
    .that(
      'order has a confirmation number',
      final.order.confirmationNumber !== null,
      final.order.confirmationNumber,
    )
    .equal('saga is COMPLETED', final.saga.status, 'COMPLETED')
    .equal(
      'all four steps COMPLETED',
      final.saga.steps.map((step) => step.status),
      ['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED'],
    )
    .equal('saga did not time out', final.saga.timedOut, false)
    .equal('the 2 units sold are settled: 8 on hand', stock.quantityOnHand, 8)
    .equal('nothing left reserved for the order', stock.quantityReserved, 0)
    .equal('8 still available', stock.availableQuantity, 8)
    .equal('payment CAPTURED', final.payment?.status, 'CAPTURED')
    .equal('payment amount is the order total', final.payment?.amount, final.order.total)
    .report('The happy path ended as expected: CONFIRMED / COMPLETED / stock settled / payment CAPTURED.');
});
