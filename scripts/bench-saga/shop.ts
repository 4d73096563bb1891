import {
  Aggregators,
  Predicates,
  type Client as HazelcastClient,
  type HazelcastJsonValue,
  type IMap,
} from 'hazelcast-client';
import { Naming } from '../../src/core/naming';
import { sleep } from '../../src/core/sleep';
import type { KeyValueStore } from '../../src/storage/key-value';
import type { HttpLoadClient } from '../bench/http-scenario';
import { forEachLimited, mix32 } from '../bench/workload';

/**
 * The shop the saga bench orders from: customers and products created through the services' own REST
 * APIs, deterministic order bodies spread over the products, and the saga records read back from the
 * member (after the load, so reading them costs the measured window nothing).
 */
export interface Shop {
  readonly customerIds: readonly string[];
  readonly productIds: readonly string[];
}

/** Enough stock that no order of the run can fail for want of it, whatever the spread. */
export const STOCK_PER_PRODUCT = 100_000_000;

export async function createShop(
  clients: { readonly account: HttpLoadClient; readonly inventory: HttpLoadClient },
  options: { readonly customers: number; readonly products: number; readonly tag: string },
): Promise<Shop> {
  const customerIds = new Array<string>(options.customers);
  const productIds = new Array<string>(options.products);
  await forEachLimited(options.customers, 16, async (index) => {
    const response = await clients.account.post(
      '/api/customers',
      JSON.stringify({ email: `bench-${options.tag}-${index}@example.com`, name: `Bench customer ${index}` }),
    );
    if (response.status !== 201) {
      throw new Error(`POST /api/customers answered ${response.status}: ${response.body.slice(0, 300)}`);
    }
    customerIds[index] = (JSON.parse(response.body) as { customerId: string }).customerId;
  });
  await forEachLimited(options.products, 16, async (index) => {
    const response = await clients.inventory.post(
      '/api/products',
      JSON.stringify({
        sku: `SB-${options.tag}-${index}`,
        name: `Saga bench product ${index}`,
        // 5.00 .. 49.50 (exact in binary): an order of a few lines stays far below the payment decline.
        price: 5 + (index % 90) * 0.5,
        quantityOnHand: STOCK_PER_PRODUCT,
      }),
    );
    if (response.status !== 201) {
      throw new Error(`POST /api/products answered ${response.status}: ${response.body.slice(0, 300)}`);
    }
    productIds[index] = (JSON.parse(response.body) as { productId: string }).productId;
  });
  return { customerIds, productIds };
}

/**
 * Waits until the order service's copies of customers and products hold every row, so the first orders
 * are not priced while the copies are still filling (the order API would wait up to 2 s for them). Reads
 * them through the storage port, so wherever the persistence mode keeps views.
 */
export async function waitForOrderViews(
  store: KeyValueStore,
  prefix: string,
  shop: Shop,
  timeoutMs: number,
): Promise<void> {
  const naming = new Naming(prefix);
  const customers = store.map(naming.view('order-customer-cache'));
  const products = store.map(naming.view('order-product-availability'));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [haveCustomers, haveProducts] = await Promise.all([customers.size(), products.size()]);
    if (haveCustomers >= shop.customerIds.length && haveProducts >= shop.productIds.length) return;
    if (Date.now() > deadline) {
      throw new Error(
        `the order service's copies hold ${haveCustomers}/${shop.customerIds.length} customers and ` +
          `${haveProducts}/${shop.productIds.length} products after ${timeoutMs} ms`,
      );
    }
    await sleep(200);
  }
}

/** Order `seq`'s body: a customer, minLines..maxLines distinct products (uniform spread), quantities 1..3. */
export function orderBody(seq: number, shop: Shop, maxLines: number, salt: number, minLines = 1): string {
  const h = mix32(seq * 2 + salt);
  const customerId = shop.customerIds[h % shop.customerIds.length]!;
  const lines = minLines + (mix32(h ^ 0x5bd1e995) % (maxLines - minLines + 1));
  const picked = new Set<number>();
  const lineItems: Array<{ productId: string; quantity: number }> = [];
  for (let line = 0; lineItems.length < Math.min(lines, shop.productIds.length); line++) {
    const index = mix32(h + line * 0x9e3779b9) % shop.productIds.length;
    if (picked.has(index)) continue;
    picked.add(index);
    lineItems.push({ productId: shop.productIds[index]!, quantity: 1 + ((h >>> (line % 24)) % 3) });
  }
  return JSON.stringify({ customerId, lineItems, shippingAddress: `${seq} Benchmark Street` });
}

/** What the bench needs of a saga record (src/sagas/saga-state.ts), times in epoch ms. */
export interface SagaRecord {
  readonly sagaId: string;
  readonly status: string;
  readonly startedAt: number;
  readonly completedAt: number | null;
  readonly timedOut: boolean;
  readonly failureReason: string | null;
  /** Per step (0 order created, 1 stock reserved, 2 payment processed, 3 order confirmed). */
  readonly stepTimes: ReadonlyArray<number | null>;
}

export const TERMINAL_STATUSES: readonly string[] = ['COMPLETED', 'COMPENSATED', 'FAILED'];

interface StoredSaga {
  readonly sagaId: string;
  readonly status: string;
  readonly startedAt: number;
  readonly completedAt: number | null;
  readonly timedOut: boolean;
  readonly failureReason: string | null;
  readonly steps: ReadonlyArray<{ readonly timestamp: number | null }>;
}

export class SagaRecords {
  private constructor(private readonly map: IMap<string, HazelcastJsonValue>) {}

  static async open(client: HazelcastClient, prefix: string): Promise<SagaRecords> {
    return new SagaRecords(await client.getMap<string, HazelcastJsonValue>(`${prefix}saga.state`));
  }

  /** Sagas of the whole map not ended yet (an indexed count on the member: cheap enough for progress lines). */
  async unfinished(): Promise<number> {
    const counted = await this.map.aggregateWithPredicate(
      Aggregators.count(),
      Predicates.inPredicate('status', 'STARTED', 'IN_PROGRESS', 'COMPENSATING', 'TIMED_OUT'),
    );
    return Number(counted);
  }

  /** The records of these sagas (absent ones are left out), read in chunks. */
  async read(sagaIds: readonly string[], chunk = 1_000): Promise<Map<string, SagaRecord>> {
    const found = new Map<string, SagaRecord>();
    for (let start = 0; start < sagaIds.length; start += chunk) {
      const entries = await this.map.getAll(sagaIds.slice(start, start + chunk));
      for (const [sagaId, value] of entries) {
        const stored = JSON.parse(value.toString()) as StoredSaga;
        found.set(sagaId, {
          sagaId,
          status: stored.status,
          startedAt: stored.startedAt,
          completedAt: stored.completedAt,
          timedOut: stored.timedOut,
          failureReason: stored.failureReason,
          stepTimes: stored.steps.map((step) => step.timestamp),
        });
      }
    }
    return found;
  }
}
