import type { Client } from 'hazelcast-client';
import { closeTestHazelcast, testHazelcast } from '../../support/hazelcast';
import { Shop, withPolicy, type Json } from '../../support/saga-fixtures';
import { call, eventually, startTestSystem, type TestSystem } from '../../support/system';

const ALL = ['account', 'inventory', 'order', 'payment'] as const;

/** SAGA.md's OrderFulfillment, end to end: four real service processes, a real Hazelcast member. */
describe('OrderFulfillment saga', () => {
  let system: TestSystem;
  let client: Client;
  let shop: Shop;
  let customerId: string;

  beforeAll(async () => {
    ({ client } = await testHazelcast());
    system = await startTestSystem();
    shop = new Shop(system);
    customerId = await shop.customer();
  });
  afterAll(async () => {
    await system?.stop();
    await closeTestHazelcast(client);
  });

  test('happy path: order CONFIRMED, saga COMPLETED with 4 steps, stock settled, payment CAPTURED', async () => {
    const productId = await shop.product('25.00', 10);
    const order = await shop.order(customerId, [{ productId, quantity: 2 }]);
    const saga = await shop.ended(order.sagaId as string);

    expect(saga).toMatchObject({
      status: 'COMPLETED',
      sagaType: 'OrderFulfillment',
      totalSteps: 4,
      progressPercentage: 100,
      timedOut: false,
    });
    expect((saga.steps as Json[]).map((step) => [step.stepName, step.status])).toEqual([
      ['Order Created', 'COMPLETED'],
      ['Stock Reserved', 'COMPLETED'],
      ['Payment Processed', 'COMPLETED'],
      ['Order Confirmed', 'COMPLETED'],
    ]);
    expect(await shop.getOrder(order.orderId as string)).toMatchObject({
      status: 'CONFIRMED',
      confirmationNumber: expect.any(String),
    });
    await shop.settled(productId, { quantityOnHand: 8, quantityReserved: 0 });
    const payment = await shop.paymentOf(order.orderId as string);
    expect(payment.body).toMatchObject({ status: 'CAPTURED', amount: 55 });
    // Every event of the saga carries its metadata.
    const events = await call<Json[]>('GET', system.url('order', `/api/orders/${order.orderId}/events`));
    expect(
      events.body.every((event) => event.sagaId === order.sagaId && event.sagaType === 'OrderFulfillment'),
    ).toBe(true);
  });

  test('payment declined: order CANCELLED, saga COMPENSATED at step 2 with the reason, stock back, nothing captured', async () => {
    const productId = await shop.product('6000.00', 5);
    const order = await shop.order(customerId, [{ productId, quantity: 2 }]);
    const saga = await shop.ended(order.sagaId as string);

    expect(saga).toMatchObject({
      status: 'COMPENSATED',
      failedAtStep: 2,
      failureReason: 'Payment declined by processor',
    });
    expect(await shop.getOrder(order.orderId as string)).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'Payment failed: Payment declined by processor',
      cancelledBy: 'system',
    });
    await eventually(async () => (await shop.getProduct(productId)).quantityReserved === 0);
    expect((await shop.paymentOf(order.orderId as string)).body).toMatchObject({ status: 'FAILED' });
  });

  test('out of stock: saga COMPENSATED at step 1 with the reason, nothing reserved, no payment', async () => {
    const plenty = await shop.product('1.00', 100);
    const scarce = await shop.product('1.00', 1);
    const order = await shop.order(customerId, [
      { productId: plenty, quantity: 3 },
      { productId: scarce, quantity: 2 },
    ]);
    const saga = await shop.ended(order.sagaId as string);

    expect(saga).toMatchObject({ status: 'COMPENSATED', failedAtStep: 1 });
    expect(saga.failureReason).toContain('Insufficient stock');
    expect((await shop.getOrder(order.orderId as string)).cancellationReason).toContain(
      'Stock reservation failed',
    );
    expect(await shop.getProduct(plenty)).toMatchObject({ quantityReserved: 0 });
    expect(await shop.getProduct(scarce)).toMatchObject({ quantityReserved: 0 });
    expect((await shop.paymentOf(order.orderId as string)).status).toBe(404);
  });

  test('multi-item order: one charge for the whole order', async () => {
    const lines = [
      { productId: await shop.product('10.00', 10), quantity: 1 },
      { productId: await shop.product('20.00', 10), quantity: 2 },
      { productId: await shop.product('0.50', 10), quantity: 3 },
    ];
    const order = await shop.order(customerId, lines);
    expect((await shop.ended(order.sagaId as string)).status).toBe('COMPLETED');
    const payments = await call<Json[]>('GET', system.url('payment', '/api/payments?limit=1000'));
    const mine = payments.body.filter((payment) => payment.orderId === order.orderId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ status: 'CAPTURED', amount: order.total });
  });

  test('the same product on two lines is reserved once, for the sum, and the saga completes', async () => {
    const productId = await shop.product('4.00', 10);
    const order = await shop.order(customerId, [
      { productId, quantity: 2 },
      { productId, quantity: 3 },
    ]);
    expect((await shop.ended(order.sagaId as string)).status).toBe('COMPLETED');
    await shop.settled(productId, { quantityOnHand: 5, quantityReserved: 0 });
  });

  test('PATCH cancel of a confirmed order restocks what it took and refunds it', async () => {
    const productId = await shop.product('30.00', 5);
    const order = await shop.order(customerId, [{ productId, quantity: 1 }]);
    expect((await shop.ended(order.sagaId as string)).status).toBe('COMPLETED');
    await shop.settled(productId, { quantityOnHand: 4, quantityReserved: 0 });
    expect((await shop.cancel(order.orderId as string)).status).toBe('CANCELLED');
    await eventually(async () => (await shop.paymentOf(order.orderId as string)).body.status === 'REFUNDED');
    await shop.settled(productId, { quantityOnHand: 5, quantityReserved: 0 });
  });

  test('many concurrent orders on scarce stock: no oversell, every saga ends, the stock balances', async () => {
    const productId = await shop.product('2.00', 15);
    const orders = await Promise.all(
      Array.from({ length: 40 }, () => shop.order(customerId, [{ productId, quantity: 1 }])),
    );
    const sagas = await Promise.all(orders.map((order) => shop.ended(order.sagaId as string, 60_000)));
    const completed = sagas.filter((saga) => saga.status === 'COMPLETED').length;
    expect(sagas.every((saga) => saga.status === 'COMPLETED' || saga.status === 'COMPENSATED')).toBe(true);
    expect(completed).toBe(15);
    const confirmed = (
      await Promise.all(orders.map((order) => shop.getOrder(order.orderId as string)))
    ).filter((order) => order.status === 'CONFIRMED').length;
    expect(confirmed).toBe(15);
    await shop.settled(productId, { quantityOnHand: 0, quantityReserved: 0 });
  }, 120_000);

  test('timeout with the payment service down: order CANCELLED, stock back, saga timed out; payment back later charges nothing', async () => {
    await withPolicy(client, system, { timeout: '2s', checkInterval: '200ms' }, [
      'account',
      'inventory',
      'order',
      'payment',
    ]);
    try {
      await system.services.payment.stop();
      const productId = await shop.product('40.00', 10);
      const order = await shop.order(customerId, [{ productId, quantity: 3 }]);
      const saga = await shop.ended(order.sagaId as string);

      expect(saga).toMatchObject({
        status: 'COMPENSATED',
        timedOut: true,
        failureReason: 'Saga timed out',
        failedAtStep: 2,
      });
      expect(await shop.getOrder(order.orderId as string)).toMatchObject({
        status: 'CANCELLED',
        cancellationReason: 'Saga timed out',
      });
      await eventually(async () => (await shop.getProduct(productId)).quantityReserved === 0);

      await system.restart('payment');
      // Payment catches up on everything it missed (the completed reservation included) and charges nothing.
      await eventually(async () => {
        const metrics = await (await fetch(system.url('payment', '/metrics'))).text();
        return /events_consumed_total\{[^}]*consumer_group="payment-saga",event_type="SagaTimedOut"\} [1-9]/.test(
          metrics,
        );
      });
      expect((await shop.paymentOf(order.orderId as string)).status).toBe(404);
    } finally {
      await withPolicy(client, system, {}, ALL);
    }
  }, 90_000);
});
