import { Shop } from '../../support/saga-fixtures';
import { call, eventually, startTestSystem, type TestSystem } from '../../support/system';

/**
 * PATCH /cancel under faults, on a saga held at its payment step (no payment service runs): a cancel that
 * failed changes nothing, and one whose answer was lost to a crash after its commit still unwinds the saga.
 */
describe('cancelling an order under faults', () => {
  const cancel = (system: TestSystem, orderId: string) =>
    call('PATCH', system.url('order', `/api/orders/${orderId}/cancel`), {
      reason: 'changed my mind',
      cancelledBy: 'customer',
    });

  /** An order whose saga reserved its stock and waits for a payment that is not coming. */
  const orderWaitingForPayment = async (shop: Shop) => {
    const customerId = await shop.customer();
    const productId = await shop.product('5.00', 10);
    const order = await shop.order(customerId, [{ productId, quantity: 3 }]);
    await shop.settled(productId, { quantityOnHand: 10, quantityReserved: 3 });
    return { order, productId, sagaId: order.sagaId as string, orderId: order.orderId as string };
  };

  test('a cancel whose append fails (503) leaves the order and its saga as they were', async () => {
    const system = await startTestSystem({
      only: ['account', 'inventory', 'order'],
      env: { order: { FAULT_CRASH_AT: 'timeout-before-append:OrderCancelled' } },
    });
    try {
      const shop = new Shop(system);
      const { orderId, sagaId, productId } = await orderWaitingForPayment(shop);
      const before = await shop.saga(sagaId);

      expect((await cancel(system, orderId)).status).toBe(503);
      expect(await shop.getOrder(orderId)).toMatchObject({ status: 'PENDING' });
      expect(await shop.saga(sagaId)).toMatchObject({ status: before.status, failureReason: null });

      // The client's retry is the cancel, whole: compensated, stock back.
      expect(await cancel(system, orderId)).toMatchObject({ status: 200, body: { status: 'CANCELLED' } });
      await eventually(async () => (await shop.saga(sagaId)).status === 'COMPENSATED');
      await shop.settled(productId, { quantityOnHand: 10, quantityReserved: 0 });
    } finally {
      await system.stop();
    }
  });

  test('the order service killed right after OrderCancelled is committed: the saga still unwinds', async () => {
    const system = await startTestSystem({
      only: ['account', 'inventory', 'order'],
      env: { order: { FAULT_CRASH_AT: 'after-append:OrderCancelled' } },
    });
    try {
      const shop = new Shop(system);
      const { orderId, sagaId, productId } = await orderWaitingForPayment(shop);

      await expect(cancel(system, orderId)).rejects.toThrow(); // the process died mid-request
      await system.restart('order', { FAULT_CRASH_AT: '' });

      // Committed before the crash; the view catches up by the outbox sweeper.
      await eventually(async () => (await shop.getOrder(orderId)).status === 'CANCELLED');
      const saga = await eventually(async () => {
        const current = await shop.saga(sagaId);
        return current.status === 'COMPENSATED' && current;
      });
      expect(saga.failureReason).toBe('Order cancelled by customer: changed my mind');
      await shop.settled(productId, { quantityOnHand: 10, quantityReserved: 0 });
    } finally {
      await system.stop();
    }
  });
});
