import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Client } from 'hazelcast-client';
import { Pool } from 'pg';
import type { EmbeddedPostgres } from '../../../scripts/local-postgres/embedded-postgres';
import { startEmbeddedPostgres } from '../../../scripts/local-postgres/embedded-postgres';
import { Naming } from '../../../src/core/naming';
import type { Commit } from '../../../src/eventsourcing/commit';
import { connectHazelcast } from '../../../src/hazelcast/client';
import { projectRoot, startMember, type HazelcastMember } from '../../../src/hazelcast/member';
import { silentLogger } from '../../../src/logging/logger';
import { tableName } from '../../../src/postgres/map-tables';
import { openDurableStore, storeFor, type DurableStore } from '../../../src/runtime/service-storage';
import { SERVICE_NAMES } from '../../../src/local/service-process';
import { startTestPostgres, stopTestPostgres } from '../../support/postgres';
import { withPolicy, type Json } from '../../support/saga-fixtures';
import { call, eventually, startTestSystem, type TestSystem } from '../../support/system';

const TERMINAL = ['COMPLETED', 'COMPENSATED'];
const INITIAL_STOCK = 100_000;

interface OrderRow {
  readonly orderId: string;
  readonly status: string;
  readonly total: string | number;
  readonly lineItems: ReadonlyArray<{ productId: string; quantity: number }>;
}

interface PaymentRow {
  readonly orderId: string;
  readonly status: string;
  readonly amount: string | number;
}

interface Accepted {
  readonly orderId: string;
  readonly sagaId: string;
  readonly lines: ReadonlyArray<{ productId: string; quantity: number }>;
}

/**
 * Issue 11 item 3: SIGKILL every process at once under load — the member, the four services and
 * PostgreSQL — then start them again. What got a 201 is there, sagas end, stock and money balance.
 */
describe('a whole-system SIGKILL in persistent mode', () => {
  const clusterName = `crash-${randomBytes(4).toString('hex')}`;
  let postgres: EmbeddedPostgres;
  let member: HazelcastMember;
  let system: TestSystem;
  let pool: Pool;

  const startOwnMember = (port = 0) =>
    startMember({
      clusterName,
      host: '127.0.0.1',
      port,
      heap: '512m',
      logFile: path.join(projectRoot(), '.run', 'tests', `${clusterName}-member.log`),
      stopTimeoutMs: 5_000,
    });

  beforeAll(async () => {
    postgres = await startTestPostgres(() => undefined);
    member = await startOwnMember();
    pool = new Pool({ connectionString: postgres.url, max: 2 });
  });
  afterAll(async () => {
    await system?.stop().catch(() => undefined);
    await member?.stop().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    if (postgres) await stopTestPostgres(postgres);
  });

  /** The services' own view of where maps live, for writing the policy as the CLI would. */
  const withStores = async <T>(work: (client: Client, durable: DurableStore) => Promise<T>): Promise<T> => {
    const client = await connectHazelcast({
      clusterName,
      addresses: [member.address],
      connectTimeoutMs: 15_000,
    });
    const durable = await openDurableStore(
      { HMS_PERSISTENCE: 'postgres', DATABASE_URL: postgres.url, DATABASE_POOL_SIZE: 2 },
      silentLogger(),
    );
    try {
      return await work(client, durable);
    } finally {
      await durable.close();
      await client.shutdown();
    }
  };

  test('every acknowledged order, its saga, its stock and its money survive', async () => {
    system = await startTestSystem({
      persistence: 'postgres',
      databaseUrl: postgres.url,
      hazelcast: { address: member.address, clusterName },
    });
    const naming = new Naming(system.prefix);
    // A short saga timeout, so sagas whose step was in flight at the crash end soon either way.
    await withStores((client, durable) =>
      withPolicy(
        client,
        system,
        { timeout: '15s', checkInterval: '1s' },
        ['order'],
        storeFor(durable, client),
      ),
    );

    const customers: string[] = [];
    for (let index = 0; index < 3; index++) {
      const created = await call('POST', system.url('account', '/api/customers'), {
        email: `crash${index}@example.com`,
        name: 'Crash Tester',
      });
      customers.push(created.body.customerId as string);
    }
    const products: string[] = [];
    for (let index = 0; index < 4; index++) {
      const created = await call('POST', system.url('inventory', '/api/products'), {
        sku: `CRASH-${index}`,
        name: 'Crash product',
        price: '3.00',
        quantityOnHand: INITIAL_STOCK,
      });
      products.push(created.body.productId as string);
    }

    // Open-ended load from 8 clients; only answers that came back 201 count as acknowledged.
    const accepted: Accepted[] = [];
    let loading = true;
    const clients = Array.from({ length: 8 }, async (_, client) => {
      for (let n = 0; loading; n++) {
        const lines = [
          { productId: products[(client + n) % products.length]!, quantity: 1 + (n % 3) },
          { productId: products[(client + n + 1) % products.length]!, quantity: 1 },
        ];
        try {
          const response = await call('POST', system.url('order', '/api/orders'), {
            customerId: customers[n % customers.length],
            lineItems: lines,
            shippingAddress: '1 Crash Road',
          });
          if (response.status === 201) {
            accepted.push({
              orderId: response.body.orderId as string,
              sagaId: response.body.sagaId as string,
              lines,
            });
          }
        } catch {
          // The connection died with the service: not acknowledged.
        }
      }
    });
    await eventually(async () => accepted.length >= 150, 60_000, '150 orders accepted under load');

    // SIGKILL everything at once, mid-load.
    const memberPort = member.port;
    process.kill(member.pid, 'SIGKILL');
    process.kill(postgres.pid, 'SIGKILL');
    await Promise.all(SERVICE_NAMES.map((name) => system.services[name].kill()));
    loading = false;
    await Promise.all(clients);
    await Promise.all([member.exited, postgres.exited]);
    const acknowledged = [...accepted];

    // Start again: the database on its data, an empty member on the same address, the services.
    postgres = await startEmbeddedPostgres({
      dataDir: postgres.dataDir,
      port: postgres.port,
      logFile: postgres.logFile,
    });
    member = await startOwnMember(memberPort);
    for (const name of SERVICE_NAMES) await system.restart(name);

    // Every 201 is there with its creation event.
    for (const order of acknowledged) {
      const found = await call<Json>('GET', system.url('order', `/api/orders/${order.orderId}`));
      expect(found.status).toBe(200);
    }
    const history = await call<Json[]>(
      'GET',
      system.url('order', `/api/orders/${acknowledged[0]!.orderId}/events`),
    );
    expect(history.body[0]).toMatchObject({ eventType: 'OrderCreated', version: 1 });

    // Every saga — of the acknowledged orders and of those whose 201 died with the service — ends.
    const sagaTable = tableName(naming.sagaState());
    await eventually(
      async () => {
        const open = await pool.query(
          `SELECT count(*) AS n FROM ${sagaTable} WHERE body->>'status' NOT IN ('COMPLETED', 'COMPENSATED')`,
        );
        return Number((open.rows[0] as { n: string }).n) === 0;
      },
      120_000,
      'every saga ended',
    );
    for (const order of acknowledged) {
      const saga = await call<Json>('GET', system.url('order', `/api/sagas/${order.sagaId}`));
      expect(TERMINAL).toContain(saga.body.status);
    }

    // Money: a confirmed order is charged its total once; a cancelled one keeps nothing.
    const orders = (
      await pool.query<{ body: { state: OrderRow } }>(`SELECT body FROM ${tableName(naming.view('Order'))}`)
    ).rows.map((row) => row.body.state);
    const payments = new Map(
      (
        await pool.query<{ body: { state: PaymentRow } }>(
          `SELECT body FROM ${tableName(naming.view('Payment'))}`,
        )
      ).rows.map((row) => [row.body.state.orderId, row.body.state]),
    );
    const taken = new Map<string, number>();
    let confirmed = 0;
    for (const order of orders) {
      const payment = payments.get(order.orderId);
      if (order.status === 'CONFIRMED') {
        confirmed += 1;
        expect(payment?.status).toBe('CAPTURED');
        expect(Number(payment?.amount)).toBe(Number(order.total));
        for (const line of order.lineItems) {
          taken.set(line.productId, (taken.get(line.productId) ?? 0) + line.quantity);
        }
      } else {
        expect(order.status).toBe('CANCELLED');
        if (payment) expect(['REFUNDED', 'FAILED']).toContain(payment.status);
      }
    }
    expect(confirmed).toBeGreaterThan(0);
    expect(orders.length).toBeGreaterThanOrEqual(acknowledged.length);

    // Stock balances exactly: what is not available is what the confirmed orders took.
    await eventually(
      async () => {
        for (const productId of products) {
          const product = (await call<Json>('GET', system.url('inventory', `/api/products/${productId}`)))
            .body;
          if (product.availableQuantity !== INITIAL_STOCK - (taken.get(productId) ?? 0)) return false;
        }
        return true;
      },
      30_000,
      'stock to balance with the confirmed orders',
    );

    // No effect repeated: one charge per order, one reservation per order and product.
    const charges = await pool.query<{ order_id: string; n: string }>(
      `SELECT body #>> '{state,orderId}' AS order_id, count(*) AS n FROM ${tableName(naming.view('Payment'))}
       GROUP BY 1 HAVING count(*) > 1`,
    );
    expect(charges.rows).toEqual([]);
    const commits = await pool.query<{ body: Commit }>(
      `SELECT body FROM ${tableName(naming.eventStore('Product'))}`,
    );
    const reservations = new Map<string, number>();
    for (const { body } of commits.rows) {
      for (const event of body.events) {
        if (event.eventType !== 'StockReserved') continue;
        const key = `${body.aggregateId}/${String((event.payload as { orderId: string }).orderId)}`;
        reservations.set(key, (reservations.get(key) ?? 0) + 1);
      }
    }
    expect([...reservations].filter(([, count]) => count > 1)).toEqual([]);
  }, 300_000);
});
