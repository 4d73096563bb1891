import type { Client } from 'hazelcast-client';
import { Naming } from '../../src/core/naming';
import { HazelcastKeyValueStore } from '../../src/storage/hazelcast-key-value';
import { closeTestHazelcast, testHazelcast } from './hazelcast';
import type { KeyValueStore } from '../../src/storage/key-value';
import { applyPolicy } from '../../src/sagas/policy-admin';
import { sagaPolicySpecSchema, type EffectivePolicy, type PolicyAck } from '../../src/sagas/saga-policy';
import { call, eventually, startTestSystem, type TestSystem } from './system';

export type Json = Record<string, unknown>;

/** Business-level steps of the saga tests, over the services' real REST APIs. */
export class Shop {
  constructor(private readonly system: TestSystem) {}

  async customer(): Promise<string> {
    const response = await call('POST', this.system.url('account', '/api/customers'), {
      email: `c${Math.random().toString(36).slice(2, 8)}@example.com`,
      name: 'Saga Tester',
    });
    return response.body.customerId as string;
  }

  async product(price: string | number, quantityOnHand: number): Promise<string> {
    const response = await call('POST', this.system.url('inventory', '/api/products'), {
      sku: `S-${Math.random().toString(36).slice(2, 9)}`,
      name: 'Saga product',
      price,
      quantityOnHand,
    });
    return response.body.productId as string;
  }

  async order(customerId: string, lines: Array<{ productId: string; quantity: number }>): Promise<Json> {
    const response = await call('POST', this.system.url('order', '/api/orders'), {
      customerId,
      lineItems: lines,
      shippingAddress: '1 Saga Street',
    });
    if (response.status !== 201)
      throw new Error(`order not created: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  /** PATCH …/cancel as the customer would; the answer's body. */
  async cancel(orderId: string, reason = 'changed my mind'): Promise<Json> {
    return (
      await call('PATCH', this.system.url('order', `/api/orders/${orderId}/cancel`), {
        reason,
        cancelledBy: 'customer',
      })
    ).body;
  }

  async getOrder(orderId: string): Promise<Json> {
    return (await call('GET', this.system.url('order', `/api/orders/${orderId}`))).body;
  }

  async getProduct(productId: string): Promise<Json> {
    return (await call('GET', this.system.url('inventory', `/api/products/${productId}`))).body;
  }

  async paymentOf(orderId: string): Promise<{ status: number; body: Json }> {
    return call('GET', this.system.url('payment', `/api/payments/order/${orderId}`));
  }

  async saga(sagaId: string): Promise<Json> {
    return (await call('GET', this.system.url('order', `/api/sagas/${sagaId}`))).body;
  }

  /** Waits until the product's stock is exactly this (settling follows the saga asynchronously). */
  async settled(
    productId: string,
    expected: { quantityOnHand: number; quantityReserved: number },
    timeoutMs = 20_000,
  ): Promise<Json> {
    let last: Json | undefined;
    try {
      return await eventually(
        async () => {
          last = await this.getProduct(productId);
          return (
            last.quantityOnHand === expected.quantityOnHand &&
            last.quantityReserved === expected.quantityReserved &&
            last
          );
        },
        timeoutMs,
        `product ${productId} at ${JSON.stringify(expected)}`,
      );
    } catch (error) {
      throw new Error(`${String(error)}; last seen ${JSON.stringify(last)}`);
    }
  }

  /** Waits until the saga is over (COMPLETED, COMPENSATED or FAILED) and returns it. */
  async ended(sagaId: string, timeoutMs = 30_000): Promise<Json> {
    return eventually(
      async () => {
        const saga = await this.saga(sagaId);
        return ['COMPLETED', 'COMPENSATED', 'FAILED'].includes(saga.status as string) && saga;
      },
      timeoutMs,
      `saga ${sagaId} to end`,
    );
  }
}

/** Writes a SagaPolicy the way the CLI does and waits until every running service acknowledged it. */
export async function withPolicy(
  client: Client,
  system: TestSystem,
  spec: Record<string, unknown>,
  services: readonly string[],
  /** The system's stores when it is not the grid alone (persistent mode keeps the policy in PostgreSQL). */
  store?: KeyValueStore,
): Promise<EffectivePolicy> {
  const kv = store ?? new HazelcastKeyValueStore(client);
  const naming = new Naming(system.prefix);
  const applied = await applyPolicy(
    kv.map<EffectivePolicy>(naming.sagaPolicy()),
    sagaPolicySpecSchema.parse({ sagaType: 'OrderFulfillment', ...spec }),
    'test',
  );
  const acks = kv.map<PolicyAck>(naming.sagaPolicyAcks());
  await eventually(
    async () => {
      const all = (await acks.query([])).map(([, stored]) => stored.value);
      return services.every((service) =>
        all.some((ack) => ack.service === service && ack.generation === applied.generation),
      );
    },
    15_000,
    `policy generation ${applied.generation} acknowledged`,
  );
  return applied;
}

/** The four services, a client of their member with their names, and a customer to order with. */
export interface SagaBed {
  readonly system: TestSystem;
  readonly client: Client;
  readonly kv: HazelcastKeyValueStore;
  readonly naming: Naming;
  readonly shop: Shop;
  readonly customerId: string;
  stop(): Promise<void>;
}

export async function startSagaBed(options?: Parameters<typeof startTestSystem>[0]): Promise<SagaBed> {
  const { client } = await testHazelcast();
  const system = await startTestSystem(options);
  const shop = new Shop(system);
  return {
    system,
    client,
    kv: new HazelcastKeyValueStore(client),
    naming: new Naming(system.prefix),
    shop,
    customerId: await shop.customer(),
    stop: async () => {
      await system.stop();
      await closeTestHazelcast(client);
    },
  };
}
