import type { Client } from 'hazelcast-client';
import { Naming } from '../../../src/core/naming';
import type { Commit } from '../../../src/eventsourcing/commit';
import { HazelcastKeyValueStore } from '../../../src/storage/hazelcast-key-value';
import { closeTestHazelcast, testHazelcast } from '../../support/hazelcast';
import { Shop, type Json } from '../../support/saga-fixtures';
import { call, eventually, startTestSystem, type TestSystem } from '../../support/system';

/**
 * An Idempotency-Key makes one order however its first attempt ends: killed right after the commit, or
 * answered 503 after it. Real processes; the fault points are FAULT_CRASH_AT's.
 */
describe('POST /api/orders with an Idempotency-Key under faults', () => {
  let client: Client;
  let kv: HazelcastKeyValueStore;

  beforeAll(async () => {
    ({ client } = await testHazelcast());
    kv = new HazelcastKeyValueStore(client);
  });
  afterAll(() => closeTestHazelcast(client));

  /**
   * The ids of every order the event store holds for the customer, once every commit is published (a
   * commit whose answer was lost is published by the outbox sweeper and runs its saga like any other).
   */
  const committedOrderIds = async (system: TestSystem, customerId: string): Promise<string[]> => {
    const commits = kv.map<Commit>(new Naming(system.prefix).eventStore('Order'));
    const all = await eventually(
      async () => {
        const found = [...(await commits.getAll(await commits.keys())).values()].map(
          (stored) => stored.value,
        );
        return found.every((commit) => commit.published) && found;
      },
      20_000,
      'every order commit published',
    );
    return all
      .flatMap((commit) => commit.events)
      .filter((event) => event.eventType === 'OrderCreated')
      .filter((event) => (event.payload as { customerId?: string }).customerId === customerId)
      .map((event) => event.key);
  };
  const placeWithKey = (system: TestSystem, key: string, body: Json) =>
    call('POST', system.url('order', '/api/orders'), body, { 'Idempotency-Key': key });

  /** Retries as a client would (through 409 in-progress and 503) until the order is accepted. */
  const retryUntilAccepted = (system: TestSystem, key: string, body: Json) =>
    eventually(
      async () => {
        const response = await placeWithKey(system, key, body);
        return response.status === 201 && response.body;
      },
      30_000,
      'the retried order accepted',
    );

  /** The customer's orders once every one is CONFIRMED, with their payments. */
  const confirmedOrders = async (system: TestSystem, shop: Shop, customerId: string) => {
    const orders = await eventually(
      async () => {
        const { body } = await call<Json[]>('GET', system.url('order', `/api/orders/customer/${customerId}`));
        return body.length > 0 && body.every((order) => order.status === 'CONFIRMED') && body;
      },
      30_000,
      'every order CONFIRMED',
    );
    const payments = await Promise.all(orders.map((order) => shop.paymentOf(order.orderId as string)));
    return { orders, payments };
  };

  test.each([
    ['killed right after OrderCreated is committed', 'after-append:OrderCreated'],
    ['answered 503 after OrderCreated is committed', 'timeout-after-append:OrderCreated'],
  ])('a first attempt %s: the retry with its key makes no second order', async (_case, fault) => {
    const system = await startTestSystem({
      env: { order: { FAULT_CRASH_AT: fault, IDEMPOTENCY_CLAIM_MS: '1000' } },
    });
    try {
      const shop = new Shop(system);
      const customerId = await shop.customer();
      const productId = await shop.product('5.00', 10);
      const key = `fault-${Math.random()}`;
      const body = { customerId, lineItems: [{ productId, quantity: 2 }], shippingAddress: '1 Retry Road' };

      if (fault.startsWith('after-append')) {
        await expect(placeWithKey(system, key, body)).rejects.toThrow(); // the process died mid-request
        await system.restart('order', { FAULT_CRASH_AT: '' });
      } else {
        expect((await placeWithKey(system, key, body)).status).toBe(503);
      }
      const accepted = await retryUntilAccepted(system, key, body);

      expect(await committedOrderIds(system, customerId)).toEqual([accepted.orderId]);
      const { orders, payments } = await confirmedOrders(system, shop, customerId);
      expect(orders.map((order) => order.orderId)).toEqual([accepted.orderId]);
      expect(payments.map((payment) => payment.body.status)).toEqual(['CAPTURED']);
      expect(await shop.saga(accepted.sagaId as string)).toMatchObject({ status: 'COMPLETED' });
      await shop.settled(productId, { quantityOnHand: 8, quantityReserved: 0 });
      // And the key answers the same order from now on.
      expect((await placeWithKey(system, key, body)).body).toMatchObject({ orderId: accepted.orderId });
    } finally {
      await system.stop();
    }
  });
});
