import type { Client } from 'hazelcast-client';
import type { Pool } from 'pg';
import { Naming } from '../../../src/core/naming';
import { tableName } from '../../../src/postgres/map-tables';
import { closeTestHazelcast, testHazelcast } from '../../support/hazelcast';
import { testPool } from '../../support/postgres';
import { Shop } from '../../support/saga-fixtures';
import { startTestSystem, type TestSystem } from '../../support/system';

/** The four services in persistent mode: the saga runs as in memory mode, and its record is in PostgreSQL. */
describe('the saga in persistent mode', () => {
  let system: TestSystem;
  let client: Client;
  let pool: Pool;
  let shop: Shop;
  let customerId: string;

  const rows = async (map: string, key: string): Promise<unknown[]> =>
    (await pool.query(`SELECT body FROM ${tableName(map)} WHERE key LIKE $1 ORDER BY key`, [key])).rows.map(
      (row: { body: unknown }) => row.body,
    );

  beforeAll(async () => {
    ({ client } = await testHazelcast());
    pool = testPool();
    system = await startTestSystem({ persistence: 'postgres' });
    shop = new Shop(system);
    customerId = await shop.customer();
  });
  afterAll(async () => {
    await system?.stop();
    await pool?.end();
    await closeTestHazelcast(client);
  });

  test('a completed order: its events, view and saga record are rows in PostgreSQL', async () => {
    const naming = new Naming(system.prefix);
    const productId = await shop.product('25.00', 10);
    const order = await shop.order(customerId, [{ productId, quantity: 2 }]);
    const saga = await shop.ended(order.sagaId as string);
    expect(saga.status).toBe('COMPLETED');

    const commits = (await rows(naming.eventStore('Order'), `${String(order.orderId)}:%`)) as Array<{
      events: Array<{ eventType: string }>;
    }>;
    expect(commits.flatMap((commit) => commit.events.map((event) => event.eventType))).toEqual([
      'OrderCreated',
      'OrderConfirmed',
    ]);
    expect(await rows(naming.view('Order'), String(order.orderId))).toEqual([
      expect.objectContaining({ state: expect.objectContaining({ status: 'CONFIRMED' }) }),
    ]);
    expect(await rows(naming.sagaState(), String(order.sagaId))).toEqual([
      expect.objectContaining({ status: 'COMPLETED' }),
    ]);
    expect((await shop.paymentOf(order.orderId as string)).body).toMatchObject({
      status: 'CAPTURED',
      amount: 55,
    });
  });

  test('a declined payment is compensated: order cancelled, stock back', async () => {
    const productId = await shop.product('6000.00', 5);
    const order = await shop.order(customerId, [{ productId, quantity: 2 }]);
    expect(await shop.ended(order.sagaId as string)).toMatchObject({
      status: 'COMPENSATED',
      failedAtStep: 2,
    });
    expect(await shop.getOrder(order.orderId as string)).toMatchObject({ status: 'CANCELLED' });
    expect(await shop.getProduct(productId)).toMatchObject({ quantityReserved: 0, availableQuantity: 5 });
  });
});
