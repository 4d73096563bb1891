import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalRun } from '../../support/local-run';
import { call, eventually } from '../../support/system';

type Json = Record<string, unknown>;

const RATE_PER_S = 20;
const STOCK = 10_000;
const PRICE = 3.5;
type Service = 'account' | 'inventory' | 'order' | 'payment';
/** Each in turn; the order service twice, as it takes the requests. */
const KILLS: readonly Service[] = ['order', 'account', 'inventory', 'order', 'payment'];
const TERMINAL = ['COMPLETED', 'COMPENSATED', 'FAILED'];

interface Placed {
  readonly key: string;
  readonly customerId: string;
  readonly lines: ReadonlyArray<{ productId: string; quantity: number }>;
  /** Every order id the key was answered with (exactly once: one). */
  readonly answers: Set<string>;
  attempts: number;
  sagaId?: string;
  error?: string;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The chaos test of issue 12: an open-loop order load against `npm start` while each service in turn is
 * SIGKILLed (and restarted by `npm start`), every client retrying with its Idempotency-Key until it is
 * answered. Then: every order accepted exactly once, every saga ended, stock and money balance exactly.
 */
describe('an order load while every service in turn is SIGKILLed', () => {
  let run: LocalRun | undefined;
  let runDir: string;

  beforeAll(() => {
    runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hms-chaos-'));
    fs.chmodSync(runDir, 0o755);
  });
  afterAll(async () => {
    await run?.terminate();
    run?.killGroup();
    fs.rmSync(runDir, { recursive: true, force: true });
  });

  test('every order once, every saga ended, stock and money exact', async () => {
    run = new LocalRun(runDir, { HMS_PERSISTENCE: 'memory', IDEMPOTENCY_CLAIM_MS: '5000' });
    await run.up();
    const local = run;
    const url = (service: Service, route: string) => `${local.service(service).url}${route}`;

    const customers: string[] = [];
    for (let n = 0; n < 4; n++) {
      const created = await call('POST', url('account', '/api/customers'), {
        email: `chaos-${n}@example.com`,
        name: `Chaos ${n}`,
      });
      customers.push(created.body.customerId as string);
    }
    const products: string[] = [];
    for (let n = 0; n < 3; n++) {
      const created = await call('POST', url('inventory', '/api/products'), {
        sku: `CHAOS-${n}`,
        name: `Chaos ${n}`,
        price: PRICE,
        quantityOnHand: STOCK,
      });
      products.push(created.body.productId as string);
    }

    /** A client: the same key and body until it is answered 201, through refused connections and 5xx. */
    const place = async (order: Placed): Promise<void> => {
      const body = { customerId: order.customerId, lineItems: order.lines, shippingAddress: '1 Chaos Lane' };
      const deadline = Date.now() + 150_000;
      while (Date.now() < deadline) {
        order.attempts++;
        try {
          const answer = await call('POST', url('order', '/api/orders'), body, {
            'Idempotency-Key': order.key,
          });
          if (answer.status === 201) {
            order.answers.add(answer.body.orderId as string);
            order.sagaId = answer.body.sagaId as string;
            return;
          }
          const retryable =
            answer.status >= 500 ||
            (answer.status === 409 && answer.body.errorCode === 'IDEMPOTENCY_KEY_IN_PROGRESS');
          if (!retryable) {
            order.error = `${answer.status} ${JSON.stringify(answer.body)}`;
            return;
          }
        } catch {
          // The service is down: connection refused or reset mid-request.
        }
        await pause(300);
      }
      order.error = `not answered 201 after ${order.attempts} attempts`;
    };

    const placed: Placed[] = [];
    const clients: Array<Promise<void>> = [];
    let loading = true;
    const load = (async () => {
      const started = Date.now();
      for (let n = 0; loading; n++) {
        const order: Placed = {
          key: randomUUID(),
          customerId: customers[n % customers.length]!,
          lines: [
            { productId: products[n % products.length]!, quantity: 1 + (n % 3) },
            ...(n % 2 === 0 ? [{ productId: products[(n + 1) % products.length]!, quantity: 1 }] : []),
          ],
          answers: new Set(),
          attempts: 0,
        };
        placed.push(order);
        clients.push(place(order));
        // Open loop: the next order leaves on the clock, whether or not earlier ones were answered.
        const due = started + ((n + 1) * 1000) / RATE_PER_S;
        await pause(Math.max(0, due - Date.now()));
      }
    })();

    await pause(3_000);
    for (const service of KILLS) {
      const { pid } = local.service(service);
      const backLines = (local.output.match(new RegExp(`^${service} is back`, 'gm')) ?? []).length;
      process.kill(pid, 'SIGKILL');
      await local.printed(new RegExp(`^${service} died \\(killed by SIGKILL\\)`, 'm'), 10_000);
      await eventually(
        async () => (local.output.match(new RegExp(`^${service} is back`, 'gm')) ?? []).length > backLines,
        60_000,
        `${service} restarted by npm start`,
      );
      await pause(3_000);
    }
    loading = false;
    await load;
    await Promise.all(clients);

    // Every order accepted, each key answered with one order id, and the store holds exactly those orders.
    expect(placed.filter((order) => order.error).map((order) => order.error)).toEqual([]);
    expect(placed.filter((order) => order.answers.size !== 1)).toEqual([]);
    const acceptedIds = new Set(placed.map((order) => [...order.answers][0]!));
    expect(acceptedIds.size).toBe(placed.length);
    const stored = await eventually(
      async () => {
        const lists = await Promise.all(
          customers.map(async (customerId) => {
            const listed = await call<Json[]>('GET', url('order', `/api/orders/customer/${customerId}`));
            return listed.status === 200 ? listed.body : [];
          }),
        );
        const all = lists.flat();
        return all.length >= placed.length && all;
      },
      60_000,
      'every accepted order in the order view',
    );
    expect(new Set(stored.map((order) => order.orderId as string))).toEqual(acceptedIds);

    // Every saga ended.
    const sagaStatus = new Map<string, string>();
    await eventually(
      async () => {
        for (const order of placed) {
          const sagaId = order.sagaId!;
          if (TERMINAL.includes(sagaStatus.get(sagaId) ?? '')) continue;
          const saga = await call('GET', url('order', `/api/sagas/${sagaId}`));
          if (saga.status === 200) sagaStatus.set(sagaId, saga.body.status as string);
        }
        return placed.every((order) => TERMINAL.includes(sagaStatus.get(order.sagaId!) ?? ''));
      },
      180_000,
      'every saga ended',
    );
    const statuses = [...sagaStatus.values()];
    process.stderr.write(
      `[chaos] ${placed.length} orders, ${placed.filter((order) => order.attempts > 1).length} retried ` +
        `(${placed.reduce((sum, order) => sum + order.attempts, 0)} attempts); sagas: ` +
        `${JSON.stringify(Object.fromEntries(TERMINAL.map((status) => [status, statuses.filter((s) => s === status).length])))}\n`,
    );
    expect(statuses.filter((status) => status === 'FAILED')).toEqual([]);
    expect(statuses.filter((status) => status === 'COMPLETED').length).toBeGreaterThan(0);

    // Each order agrees with its saga, and money balances: one capture per confirmed order, none kept otherwise.
    const settledOrders = await eventually(
      async () => {
        const current = await Promise.all(
          [...acceptedIds].map(
            async (orderId) => (await call('GET', url('order', `/api/orders/${orderId}`))).body,
          ),
        );
        const agree = current.every(
          (order) =>
            (sagaStatus.get(order.sagaId as string) === 'COMPLETED') === (order.status === 'CONFIRMED') &&
            (order.status === 'CONFIRMED' || order.status === 'CANCELLED'),
        );
        return agree && current;
      },
      60_000,
      'every order CONFIRMED with its saga COMPLETED, or CANCELLED',
    );
    const payments = await call<Json[]>('GET', url('payment', `/api/payments?limit=1000`));
    const paymentsOf = new Map<string, Json[]>();
    for (const payment of payments.body) {
      const list = paymentsOf.get(payment.orderId as string) ?? [];
      list.push(payment);
      paymentsOf.set(payment.orderId as string, list);
    }
    for (const order of settledOrders) {
      const charged = paymentsOf.get(order.orderId as string) ?? [];
      expect(charged.length).toBeLessThanOrEqual(1);
      if (order.status === 'CONFIRMED') {
        expect(charged.map((payment) => [payment.status, payment.amount])).toEqual([
          ['CAPTURED', order.total],
        ]);
      } else {
        expect(charged.filter((payment) => payment.status === 'CAPTURED')).toEqual([]);
      }
    }

    // Stock: on hand went down by exactly what the confirmed orders took, nothing stays reserved.
    const taken = new Map<string, number>(products.map((productId) => [productId, 0]));
    for (const order of settledOrders) {
      if (order.status !== 'CONFIRMED') continue;
      for (const line of order.lineItems as Array<{ productId: string; quantity: number }>)
        taken.set(line.productId, taken.get(line.productId)! + line.quantity);
    }
    for (const productId of products) {
      await eventually(
        async () => {
          const product = (await call('GET', url('inventory', `/api/products/${productId}`))).body;
          return (
            product.quantityReserved === 0 &&
            product.quantityOnHand === STOCK - taken.get(productId)! &&
            product
          );
        },
        60_000,
        `product ${productId} settled at ${STOCK - taken.get(productId)!} on hand, none reserved`,
      );
    }
  }, 900_000);
});
