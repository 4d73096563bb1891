import type { AggregateView } from '../../../src/eventsourcing/aggregate-view';
import type { Product } from '../../../services/inventory/product-decider';
import { startSagaBed, withPolicy, type Json, type SagaBed } from '../../support/saga-fixtures';
import { call, eventually } from '../../support/system';

const ALL = ['account', 'inventory', 'order', 'payment'] as const;
/** Short, so a direct reservation's lapse is seen within the test. */
const HOLD_MS = 3_000;

/**
 * Settlement on the real processes: whatever happens to an order (completed, declined, cancelled after its
 * confirmation, timed out) or a direct reservation, on hand and reserved end exact, and the product's state
 * keeps nothing of what is over.
 */
describe('settlement: a product keeps only open reservations, and its stock balances exactly', () => {
  let bed: SagaBed;
  beforeAll(async () => {
    bed = await startSagaBed({ env: { inventory: { DIRECT_RESERVATION_HOLD: `${HOLD_MS}ms` } } });
  });
  afterAll(() => bed?.stop());

  /** The product's stored state (the inventory service's view), bookkeeping included. */
  const stateOf = async (productId: string): Promise<Product> => {
    const stored = await bed.kv.map<AggregateView<Product>>(bed.naming.view('Product')).get(productId);
    if (!stored?.value.state) throw new Error(`no view of product ${productId}`);
    return stored.value.state;
  };
  /** Nothing reserved, and the product's state keeps no order, hold or cancellation. */
  const expectNothingKept = async (productId: string, quantityOnHand: number): Promise<void> => {
    expect(await stateOf(productId)).toMatchObject({
      quantityOnHand,
      quantityReserved: 0,
      reservations: {},
      holds: {},
      cancellations: {},
    });
  };
  const count = (types: readonly string[], type: string): number =>
    types.filter((each) => each === type).length;
  const eventTypesOf = async (productId: string): Promise<string[]> =>
    (
      await call<Json[]>('GET', bed.system.url('inventory', `/api/products/${productId}/events?limit=1000`))
    ).body.map((event) => event.eventType as string);
  const stockCall = (productId: string, action: 'reserve' | 'release', body: Json) =>
    call('POST', bed.system.url('inventory', `/api/products/${productId}/stock/${action}`), body);

  test('completed orders are settled: on hand and reserved both go down, and the product forgets them', async () => {
    const productId = await bed.shop.product('1.00', 100);
    const orders = await Promise.all(
      Array.from({ length: 12 }, (_, n) =>
        bed.shop.order(bed.customerId, [{ productId, quantity: 1 + (n % 3) }]),
      ),
    );
    const sagas = await Promise.all(orders.map((order) => bed.shop.ended(order.sagaId as string, 60_000)));
    expect(sagas.every((saga) => saga.status === 'COMPLETED')).toBe(true);
    // 4 orders each of 1, 2 and 3 units: 24 sold.
    await bed.shop.settled(productId, { quantityOnHand: 76, quantityReserved: 0 });
    await expectNothingKept(productId, 76);
    const types = await eventTypesOf(productId);
    expect([count(types, 'StockReserved'), count(types, 'StockSettled')]).toEqual([12, 12]);
  }, 90_000);

  test('one product through a completed, a declined, a cancelled-after-confirm order and direct reservations', async () => {
    const productId = await bed.shop.product('1000.00', 100);

    const completed = await bed.shop.order(bed.customerId, [{ productId, quantity: 3 }]);
    expect((await bed.shop.ended(completed.sagaId as string)).status).toBe('COMPLETED');
    await bed.shop.settled(productId, { quantityOnHand: 97, quantityReserved: 0 });

    // 11 × 1000.00 is over what the processor accepts: declined, compensated, stock released.
    const declined = await bed.shop.order(bed.customerId, [{ productId, quantity: 11 }]);
    expect((await bed.shop.ended(declined.sagaId as string)).status).toBe('COMPENSATED');
    await bed.shop.settled(productId, { quantityOnHand: 97, quantityReserved: 0 });

    const regretted = await bed.shop.order(bed.customerId, [{ productId, quantity: 2 }]);
    expect((await bed.shop.ended(regretted.sagaId as string)).status).toBe('COMPLETED');
    await bed.shop.settled(productId, { quantityOnHand: 95, quantityReserved: 0 });
    expect((await bed.shop.cancel(regretted.orderId as string)).status).toBe('CANCELLED');
    await bed.shop.settled(productId, { quantityOnHand: 97, quantityReserved: 0 });
    await eventually(
      async () => (await bed.shop.paymentOf(regretted.orderId as string)).body.status === 'REFUNDED',
    );

    // Direct reservations (no saga owns these order ids): API.md's rules, then a hold that lapses.
    expect((await stockCall(productId, 'reserve', { orderId: 'direct-1', quantity: 5 })).body).toMatchObject({
      quantityOnHand: 97,
      quantityReserved: 5,
    });
    expect((await stockCall(productId, 'reserve', { orderId: 'direct-1', quantity: 9 })).body).toMatchObject({
      quantityReserved: 5,
    });
    expect(
      (await stockCall(productId, 'release', { orderId: 'direct-1', quantity: 8, reason: 'done' })).body,
    ).toMatchObject({ quantityOnHand: 97, quantityReserved: 0 });
    expect((await stockCall(productId, 'reserve', { orderId: 'direct-2', quantity: 4 })).body).toMatchObject({
      quantityReserved: 4,
      availableQuantity: 93,
    });
    expect(await stateOf(productId)).toMatchObject({ reservations: { 'direct-2': 4 } });
    // Nobody releases it: once its hold lapsed, reads show it released …
    await bed.shop.settled(productId, { quantityOnHand: 97, quantityReserved: 0 }, HOLD_MS + 10_000);
    // … and the next reservation records the lapse, so the product does not keep it.
    expect((await stockCall(productId, 'reserve', { orderId: 'direct-3', quantity: 1 })).body).toMatchObject({
      quantityReserved: 1,
    });
    expect(await stateOf(productId)).toMatchObject({
      quantityOnHand: 97,
      quantityReserved: 1,
      reservations: { 'direct-3': 1 },
    });
    await stockCall(productId, 'release', { orderId: 'direct-3', quantity: 1, reason: 'done' });

    await expectNothingKept(productId, 97);
    const types = await eventTypesOf(productId);
    expect([count(types, 'StockSettled'), count(types, 'StockRestocked')]).toEqual([2, 1]);
  }, 120_000);

  test('a timed-out order is released, never settled, and a payment back later changes nothing', async () => {
    await withPolicy(bed.client, bed.system, { timeout: '2s', checkInterval: '200ms' }, ALL);
    try {
      await bed.system.services.payment.stop();
      const productId = await bed.shop.product('40.00', 10);
      const order = await bed.shop.order(bed.customerId, [{ productId, quantity: 3 }]);
      expect(await bed.shop.ended(order.sagaId as string)).toMatchObject({
        status: 'COMPENSATED',
        timedOut: true,
      });
      await bed.shop.settled(productId, { quantityOnHand: 10, quantityReserved: 0 });
      await bed.system.restart('payment');
      await eventually(async () => {
        const metrics = await (await fetch(bed.system.url('payment', '/metrics'))).text();
        return /events_consumed_total\{[^}]*consumer_group="payment-saga",event_type="SagaTimedOut"\} [1-9]/.test(
          metrics,
        );
      });
      expect((await bed.shop.paymentOf(order.orderId as string)).status).toBe(404);
      await expectNothingKept(productId, 10);
      expect(await eventTypesOf(productId)).not.toContain('StockSettled');
    } finally {
      await withPolicy(bed.client, bed.system, {}, ALL);
    }
  }, 90_000);
});
