import type { Client } from 'hazelcast-client';
import { Naming } from '../../src/core/naming';
import type { Commit } from '../../src/eventsourcing/commit';
import { HazelcastKeyValueStore } from '../../src/storage/hazelcast-key-value';
import type { LedgerEntry } from '../../src/subscriptions/delivery';
import type { ProjectedRow } from '../../src/views/projection';
import type { ProductRow } from '../../services/order/cross-service-views';
import { closeTestHazelcast, testHazelcast } from '../support/hazelcast';
import { call, eventually, startTestSystem, type TestSystem } from '../support/system';

/** "Nothing committed is ever lost, whatever process dies": real processes, real SIGKILLs. */
describe('durability when service processes die', () => {
  let client: Client;
  let kv: HazelcastKeyValueStore;

  beforeAll(async () => {
    ({ client } = await testHazelcast());
    kv = new HazelcastKeyValueStore(client);
  });
  afterAll(() => closeTestHazelcast(client));

  const metric = async (
    system: TestSystem,
    service: 'inventory' | 'order',
    pattern: RegExp,
  ): Promise<number> => {
    const text = await (await fetch(system.url(service, '/metrics'))).text();
    const line = text.split('\n').find((candidate) => pattern.test(candidate));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  test('a crash right after the append: the view catches up and the event is still published', async () => {
    const system = await startTestSystem({
      only: ['inventory', 'order'],
      env: { inventory: { FAULT_CRASH_AT: 'after-append:StockReserved' } },
    });
    try {
      const naming = new Naming(system.prefix);
      const { body: product } = await call('POST', system.url('inventory', '/api/products'), {
        sku: 'DUR-1',
        name: 'Durable',
        price: 5,
        quantityOnHand: 10,
      });
      const productId = product.productId as string;
      await expect(
        call('POST', system.url('inventory', `/api/products/${productId}/stock/reserve`), {
          quantity: 4,
          orderId: 'o-crash',
        }),
      ).rejects.toThrow(); // the process died mid-request
      expect(await system.services.inventory.exited).toBeNull(); // killed by a signal, not an exit code

      // Committed before the crash, though the view never saw it.
      const commits = kv.map<Commit>(naming.eventStore('Product'));
      const orphan = (await commits.get(`${productId}:2`))?.value;
      expect(orphan?.events[0]?.eventType).toBe('StockReserved');
      expect(orphan?.published).toBe(false);

      await system.restart('inventory', { FAULT_CRASH_AT: '' });
      const repaired = await eventually(async () => {
        const { body } = await call('GET', system.url('inventory', `/api/products/${productId}`));
        return body.quantityReserved === 4 && body;
      });
      expect(repaired).toMatchObject({ quantityOnHand: 10, availableQuantity: 6 });
      await eventually(async () => (await commits.get(`${productId}:2`))?.value.published === true);
      // Published means consumed: the order service's copy of the product saw the reservation.
      const availability = kv.map<ProjectedRow<ProductRow>>(naming.view('order-product-availability'));
      await eventually(async () => (await availability.get(productId))?.value.row.quantityReserved === 4);
      expect(await metric(system, 'inventory', /^outbox_swept_commits_total\{/)).toBeGreaterThanOrEqual(1);
    } finally {
      await system.stop();
    }
  });

  test('a consumer killed mid-event gets it redelivered and handles it once', async () => {
    const system = await startTestSystem({
      only: ['account', 'inventory', 'order'],
      env: { order: { FAULT_CRASH_AT: 'in-handler:CustomerCreated' } },
    });
    try {
      const naming = new Naming(system.prefix);
      const { body: customer } = await call('POST', system.url('account', '/api/customers'), {
        email: 'k@example.com',
        name: 'Killed Midway',
      });
      expect(await system.services.order.exited).toBeNull();
      const ledger = kv.map<LedgerEntry>(naming.ledger('order-views'));
      expect(await ledger.get(`Customer:${customer.customerId}`)).toBeUndefined();

      // An order names a product the order service knows.
      const { body: product } = await call('POST', system.url('inventory', '/api/products'), {
        sku: 'KILLED-1',
        name: 'Ordered after the restart',
        price: 1,
        quantityOnHand: 1,
      });
      await system.restart('order', { FAULT_CRASH_AT: '' });
      const placed = await eventually(async () => {
        const response = await call('POST', system.url('order', '/api/orders'), {
          customerId: customer.customerId,
          lineItems: [{ productId: product.productId, quantity: 1 }],
          shippingAddress: 'here',
        });
        return response.status === 201 && response;
      });
      expect(placed.body.customerName).toBe('Killed Midway');
      expect((await ledger.get(`Customer:${customer.customerId}`))?.value.version).toBe(1);
      expect(
        await metric(
          system,
          'order',
          /^events_consumed_total\{service="order",consumer_group="order-views",event_type="CustomerCreated"\}/,
        ),
      ).toBe(1);
    } finally {
      await system.stop();
    }
  });

  test('killing inventory under load loses no acknowledged reservation and no event', async () => {
    const system = await startTestSystem({ only: ['inventory', 'order'] });
    try {
      const naming = new Naming(system.prefix);
      const { body: product } = await call('POST', system.url('inventory', '/api/products'), {
        sku: 'LOAD-1',
        name: 'Loaded',
        price: 1,
        quantityOnHand: 10_000,
      });
      const productId = product.productId as string;
      const acknowledged: string[] = [];
      let sent = 0;
      let killed = false;
      const worker = async (): Promise<void> => {
        while (sent < 300) {
          const orderId = `o-${sent++}`;
          if (!killed && acknowledged.length >= 60) {
            killed = true;
            await system.services.inventory.kill();
            void system.restart('inventory');
          }
          try {
            const response = await call(
              'POST',
              system.url('inventory', `/api/products/${productId}/stock/reserve`),
              {
                quantity: 1,
                orderId,
              },
            );
            if (response.status === 200) acknowledged.push(orderId);
          } catch {
            await new Promise((resolve) => setTimeout(resolve, 20)); // down: the client backs off and goes on
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      await eventually(
        async () =>
          system.services.inventory.running &&
          (await call('GET', system.url('inventory', '/health/ready'))).status === 200,
      );
      expect(killed).toBe(true);
      expect(acknowledged.length).toBeGreaterThan(60);

      const commits = kv.map<Commit>(naming.eventStore('Product'));
      // Every commit is eventually published, and the view agrees with the event store.
      await eventually(
        async () => (await commits.count([{ field: 'published', op: 'eq', value: false }])) === 0,
        30_000,
      );
      const reservedInStore = new Set(
        (await commits.query([]))
          .flatMap(([, stored]) => stored.value.events)
          .filter((event) => event.eventType === 'StockReserved')
          .map((event) => (event.payload as { orderId: string }).orderId),
      );
      for (const orderId of acknowledged) expect(reservedInStore.has(orderId)).toBe(true);
      const view = await eventually(async () => {
        const { body } = await call('GET', system.url('inventory', `/api/products/${productId}`));
        return body.quantityReserved === reservedInStore.size && body;
      });
      expect(view.quantityReserved).toBe(reservedInStore.size);
      const availability = kv.map<ProjectedRow<ProductRow>>(naming.view('order-product-availability'));
      await eventually(
        async () => (await availability.get(productId))?.value.row.quantityReserved === reservedInStore.size,
        30_000,
      );
    } finally {
      await system.stop();
    }
  }, 120_000);
});
