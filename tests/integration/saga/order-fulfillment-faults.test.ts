import type { Client } from 'hazelcast-client';
import { Naming, partitionOf } from '../../../src/core/naming';
import type { Commit } from '../../../src/eventsourcing/commit';
import { HazelcastKeyValueStore } from '../../../src/storage/hazelcast-key-value';
import { HazelcastStreamLogStore } from '../../../src/storage/hazelcast-stream-log';
import type { Checkpoint } from '../../../src/subscriptions/partition-worker';
import { closeTestHazelcast, testHazelcast } from '../../support/hazelcast';
import { Shop, type Json } from '../../support/saga-fixtures';
import { call, eventually, startTestSystem, type TestSystem } from '../../support/system';

const STREAMS = ['Customer', 'Product', 'Order', 'Payment', 'Saga'];
/** The consumer groups of the four services and the streams each reads. */
const GROUP_STREAMS: Readonly<Record<string, readonly string[]>> = {
  'order-views': ['Customer', 'Product'],
  'order-saga': ['Order', 'Payment', 'Product', 'Saga'],
  'inventory-saga': ['Order', 'Payment', 'Saga'],
  'payment-saga': ['Product', 'Order', 'Saga'],
};
const GROUPS = Object.keys(GROUP_STREAMS);
const PARTITIONS = 8;

/** The saga under duplicate delivery and under a killed replica: no double effect, nothing left half done. */
describe('OrderFulfillment saga under faults', () => {
  let system: TestSystem;
  let client: Client;
  let shop: Shop;
  let customerId: string;
  let kv: HazelcastKeyValueStore;
  let logs: HazelcastStreamLogStore;
  let naming: Naming;

  beforeAll(async () => {
    ({ client } = await testHazelcast());
    kv = new HazelcastKeyValueStore(client);
    logs = new HazelcastStreamLogStore(client);
    system = await startTestSystem();
    naming = new Naming(system.prefix);
    shop = new Shop(system);
    customerId = await shop.customer();
  });
  afterAll(async () => {
    await system?.stop();
    await closeTestHazelcast(client);
  });

  /** Every consumer group has read every stream partition to its end. */
  const drained = () =>
    eventually(
      async () => {
        const checkpoints = kv.map<Checkpoint>(naming.checkpoints());
        for (const stream of STREAMS) {
          for (let partition = 0; partition < PARTITIONS; partition++) {
            const tail = await logs.log(naming.streamPartition(stream, partition)).tailSequence();
            if (tail < 0) continue;
            for (const group of GROUPS) {
              const at = (await checkpoints.get(`${group}|${stream}|${partition}`))?.value.sequence;
              if (GROUP_STREAMS[group]!.includes(stream) && at !== tail + 1) return false;
            }
          }
        }
        return true;
      },
      30_000,
      'every group to drain every stream',
    );

  /** Publishes every commit of every stream again, as a sweeper racing a live publisher would. */
  const republishEverything = async (): Promise<number> => {
    let count = 0;
    for (const stream of STREAMS) {
      for (const [, stored] of await kv.map<Commit>(naming.eventStore(stream)).query([])) {
        const commit = stored.value;
        const partition = partitionOf(commit.aggregateId, PARTITIONS);
        await logs.log(naming.streamPartition(stream, partition)).append(JSON.stringify(commit));
        count += 1;
      }
    }
    return count;
  };

  const snapshot = async (orders: Json[], productIds: string[]) => ({
    orders: await Promise.all(orders.map((order) => shop.getOrder(order.orderId as string))),
    sagas: await Promise.all(orders.map((order) => shop.saga(order.sagaId as string))),
    products: await Promise.all(productIds.map((id) => shop.getProduct(id))),
    payments: (await call<Json[]>('GET', system.url('payment', '/api/payments?limit=1000'))).body,
    commits: await Promise.all(STREAMS.map((stream) => kv.map<Commit>(naming.eventStore(stream)).size())),
  });

  test('every saga event delivered again, with and without the ledgers, changes nothing', async () => {
    const cheap = await shop.product('5.00', 10);
    const dear = await shop.product('9000.00', 10);
    const orders = [
      await shop.order(customerId, [{ productId: cheap, quantity: 2 }]), // completes
      await shop.order(customerId, [{ productId: dear, quantity: 2 }]), // declined, compensated
      await shop.order(customerId, [{ productId: cheap, quantity: 50 }]), // out of stock
    ];
    const cancelLater = await shop.order(customerId, [{ productId: cheap, quantity: 1 }]);
    await Promise.all([...orders, cancelLater].map((order) => shop.ended(order.sagaId as string)));
    await call('PATCH', system.url('order', `/api/orders/${cancelLater.orderId}/cancel`), {
      reason: 'r',
      cancelledBy: 'c',
    });
    orders.push(cancelLater);
    await eventually(
      async () => (await shop.paymentOf(cancelLater.orderId as string)).body.status === 'REFUNDED',
    );
    await drained();
    const before = await snapshot(orders, [cheap, dear]);

    expect(await republishEverything()).toBeGreaterThan(20);
    await drained();
    expect(await snapshot(orders, [cheap, dear])).toEqual(before);

    // As if every handler had died after its effects and before its ledger write: all handled again.
    for (const group of GROUPS) await kv.map(naming.ledger(group)).clear();
    await republishEverything();
    await drained();
    expect(await snapshot(orders, [cheap, dear])).toEqual(before);
  }, 120_000);

  test('a replica killed mid-saga under load: every saga ends consistent with stock and payments', async () => {
    const productId = await shop.product('3.00', 1000);
    const placed: Json[] = [];
    let killed = false;
    const worker = async (): Promise<void> => {
      while (placed.length < 60) {
        if (!killed && placed.length >= 20) {
          killed = true;
          await system.services.inventory.kill();
          void system.restart('inventory');
        }
        placed.push(await shop.order(customerId, [{ productId, quantity: 1 }]));
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    expect(killed).toBe(true);

    const sagas = await Promise.all(placed.map((order) => shop.ended(order.sagaId as string, 60_000)));
    expect(sagas.every((saga) => saga.status === 'COMPLETED')).toBe(true);
    for (const order of placed) {
      expect((await shop.getOrder(order.orderId as string)).status).toBe('CONFIRMED');
      expect((await shop.paymentOf(order.orderId as string)).body.status).toBe('CAPTURED');
    }
    await shop.settled(productId, { quantityOnHand: 1000 - placed.length, quantityReserved: 0 });
    const payments = (await call<Json[]>('GET', system.url('payment', '/api/payments?limit=1000'))).body;
    const mine = new Set(placed.map((order) => order.orderId));
    expect(payments.filter((payment) => mine.has(payment.orderId)).length).toBe(placed.length);
  }, 180_000);
});
