import { z } from 'zod';

/**
 * What the saga demos share: where the services are, a narrating REST client, the business calls of the
 * OrderFulfillment saga (customer, product, order, saga, stock, payment), bounded waiting, the final
 * report, the checks of the expected outcome, and a runner that cleans up and sets the exit code.
 *
 * Only the REST contract (docs/api.md) is used, so the demos run the same against `npm start` and against
 * a cluster reached through `kubectl port-forward`.
 */

export const SERVICES = ['account', 'inventory', 'order', 'payment'] as const;
export type ServiceName = (typeof SERVICES)[number];

const URL_ENV: Readonly<Record<ServiceName, string>> = {
  account: 'ACCOUNT_URL',
  inventory: 'INVENTORY_URL',
  order: 'ORDER_URL',
  payment: 'PAYMENT_URL',
};
const DEFAULT_URL: Readonly<Record<ServiceName, string>> = {
  account: 'http://localhost:8081',
  inventory: 'http://localhost:8082',
  order: 'http://localhost:8083',
  payment: 'http://localhost:8084',
};

/** Base URLs from ACCOUNT_URL, INVENTORY_URL, ORDER_URL, PAYMENT_URL (no trailing slash). */
export function serviceUrls(): Readonly<Record<ServiceName, string>> {
  const urls = {} as Record<ServiceName, string>;
  for (const service of SERVICES) {
    const raw = process.env[URL_ENV[service]]?.trim() || DEFAULT_URL[service];
    try {
      new URL(raw);
    } catch {
      throw new DemoError(`${URL_ENV[service]}=${raw} is not a URL (expected e.g. ${DEFAULT_URL[service]})`);
    }
    urls[service] = raw.replace(/\/+$/, '');
  }
  return urls;
}

/** A failure the demo explains itself: printed as is, exit code 1. */
export class DemoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoError';
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------
// Narration

const started = Date.now();
let stepNumber = 0;

export const say = (line = ''): void => void process.stdout.write(`${line}\n`);

export const narrate = {
  title(title: string, what: string): void {
    say(`=== ${title} ===`);
    for (const line of what.split('\n')) say(line);
  },
  /** A numbered step: what the demo does next, in plain words. */
  step(text: string): void {
    stepNumber += 1;
    say();
    say(`Step ${stepNumber}. ${text}`);
  },
  info(text: string): void {
    say(`  ${text}`);
  },
  request(method: string, url: string, body?: unknown): void {
    say(`  → ${method} ${url}${body === undefined ? '' : ` ${JSON.stringify(body)}`}`);
  },
  answer(status: number, fields: Readonly<Record<string, unknown>>): void {
    const shown = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    say(`  ← ${status} ${shown}`);
  },
  /** Seconds since `since` (default: the start of the demo), for the progress lines of a wait. */
  elapsed(since = started): string {
    return `+${((Date.now() - since) / 1000).toFixed(1)}s`;
  },
};

export const money = (value: number): string => value.toFixed(2);
const quoted = (value: string | null | undefined): string =>
  value === null || value === undefined ? '-' : `"${value}"`;

// ---------------------------------------------------------------------------------------------------
// The REST client

export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

export interface CallOptions {
  readonly body?: unknown;
  /** Print the request line (default true). */
  readonly narrate?: boolean;
  readonly timeoutMs?: number;
}

export class Api {
  readonly urls: Readonly<Record<ServiceName, string>>;

  constructor(urls = serviceUrls()) {
    this.urls = urls;
  }

  url(service: ServiceName, path: string): string {
    return `${this.urls[service]}${path}`;
  }

  async call(service: ServiceName, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const url = this.url(service, path);
    if (options.narrate !== false) narrate.request(method, url, options.body);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
        body: options.body === undefined ? null : JSON.stringify(options.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new DemoError(unreachable(service, this.urls[service], error));
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text.length > 0 ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text for the error message
    }
    return { status: response.status, body };
  }

  /** Calls and insists on one status; anything else stops the demo with the service's own error body. */
  async expect<T>(
    service: ServiceName,
    method: string,
    path: string,
    status: number,
    schema: z.ZodType<T>,
    options: CallOptions = {},
  ): Promise<T> {
    const answer = await this.call(service, method, path, options);
    if (answer.status !== status) {
      throw new DemoError(
        `${method} ${this.url(service, path)} answered ${answer.status}, expected ${status}: ${JSON.stringify(answer.body)}`,
      );
    }
    const parsed = schema.safeParse(answer.body);
    if (!parsed.success) {
      throw new DemoError(
        `${method} ${this.url(service, path)} answered an unexpected body (${parsed.error.issues
          .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
          .join('; ')}): ${JSON.stringify(answer.body)}`,
      );
    }
    return parsed.data;
  }

  /** Every service answers its health check, or the demo stops naming the ones that do not. */
  async checkServices(services: readonly ServiceName[] = SERVICES): Promise<void> {
    const down: ServiceName[] = [];
    const problems: string[] = [];
    await Promise.all(
      services.map(async (service) => {
        const url = this.url(service, '/actuator/health');
        try {
          const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
          if (response.status !== 200) {
            problems.push(
              `${service} at ${this.urls[service]} is not healthy: GET /actuator/health answered ${response.status} ${await response.text()}`,
            );
          }
        } catch (error) {
          down.push(service);
          problems.push(`cannot reach ${service} at ${this.urls[service]} (${causeOf(error)})`);
        }
      }),
    );
    if (problems.length > 0) {
      throw new DemoError(
        `${problems.sort().join('\n')}\n` +
          (down.length > 0
            ? startHint(down)
            : '  Look at the service logs (.run/<service>.log with npm start).'),
      );
    }
    narrate.info(`all up: ${services.map((service) => `${service} ${this.urls[service]}`).join(', ')}`);
  }
}

function causeOf(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  if (error instanceof Error && error.cause instanceof Error) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}

function startHint(services: readonly ServiceName[]): string {
  return (
    '  Is the system running? Start it with `npm start` in another terminal and wait for "The system is up",\n' +
    `  or point ${services.map((service) => URL_ENV[service]).join(', ')} at it (e.g. a \`kubectl port-forward\`).`
  );
}

function unreachable(service: ServiceName, base: string, error: unknown): string {
  return `Cannot reach the ${service} service at ${base} (${causeOf(error)}).\n${startHint([service])}`;
}

// ---------------------------------------------------------------------------------------------------
// What the demos read from the services (the fields they use; API.md has the rest)

export const customerSchema = z.object({ customerId: z.string(), email: z.string(), status: z.string() });

export const productSchema = z.object({
  productId: z.string(),
  sku: z.string(),
  name: z.string(),
  price: z.number(),
  quantityOnHand: z.number(),
  quantityReserved: z.number(),
  availableQuantity: z.number(),
  status: z.string(),
});
export type Product = z.infer<typeof productSchema>;

export const orderSchema = z.object({
  orderId: z.string(),
  status: z.string(),
  sagaId: z.string(),
  subtotal: z.number(),
  tax: z.number(),
  total: z.number(),
  confirmationNumber: z.string().nullable(),
  cancellationReason: z.string().nullable(),
  cancelledBy: z.string().nullable(),
  lineItems: z.array(z.object({ productId: z.string(), quantity: z.number(), lineTotal: z.number() })),
});
export type Order = z.infer<typeof orderSchema>;

export const sagaSchema = z.object({
  sagaId: z.string(),
  sagaType: z.string(),
  status: z.string(),
  currentStep: z.number(),
  totalSteps: z.number(),
  durationMs: z.number(),
  deadline: z.string(),
  failureReason: z.string().nullable(),
  failedAtStep: z.number().nullable(),
  timedOut: z.boolean(),
  steps: z.array(
    z.object({
      stepNumber: z.number(),
      stepName: z.string(),
      service: z.string(),
      status: z.string(),
      failureReason: z.string().nullable(),
    }),
  ),
});
export type Saga = z.infer<typeof sagaSchema>;

export const paymentSchema = z.object({
  paymentId: z.string(),
  orderId: z.string(),
  amount: z.number(),
  currency: z.string(),
  status: z.string(),
  transactionId: z.string().nullable(),
  failureReason: z.string().nullable(),
});
export type Payment = z.infer<typeof paymentSchema>;

export const ENDED = ['COMPLETED', 'COMPENSATED', 'FAILED'];

const tag = (): string => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`.toUpperCase();

/** The OrderFulfillment saga's business calls, each narrated with the key fields of its answer. */
export class Shop {
  constructor(readonly api: Api) {}

  async createCustomer(name: string): Promise<string> {
    const body = { email: `demo-${tag().toLowerCase()}@example.com`, name, address: '1 Demo Street' };
    const customer = await this.api.expect('account', 'POST', '/api/customers', 201, customerSchema, {
      body,
    });
    narrate.answer(201, { customerId: customer.customerId, status: customer.status });
    return customer.customerId;
  }

  async createProduct(name: string, price: string, quantityOnHand: number): Promise<Product> {
    const body = { sku: `DEMO-${tag()}`, name, price, quantityOnHand };
    const product = await this.api.expect('inventory', 'POST', '/api/products', 201, productSchema, { body });
    narrate.answer(201, {
      productId: product.productId,
      sku: product.sku,
      price: money(product.price),
      quantityOnHand: product.quantityOnHand,
      available: product.availableQuantity,
    });
    return product;
  }

  async placeOrder(
    customerId: string,
    lineItems: ReadonlyArray<{ productId: string; quantity: number }>,
  ): Promise<Order> {
    const body = { customerId, lineItems, shippingAddress: '1 Demo Street' };
    const order = await this.api.expect('order', 'POST', '/api/orders', 201, orderSchema, { body });
    narrate.answer(201, {
      orderId: order.orderId,
      status: order.status,
      total: money(order.total),
      sagaId: order.sagaId,
    });
    return order;
  }

  order(orderId: string, narrated = true): Promise<Order> {
    return this.api.expect('order', 'GET', `/api/orders/${orderId}`, 200, orderSchema, { narrate: narrated });
  }

  product(productId: string, narrated = true): Promise<Product> {
    return this.api.expect('inventory', 'GET', `/api/products/${productId}`, 200, productSchema, {
      narrate: narrated,
    });
  }

  saga(sagaId: string, narrated = true): Promise<Saga> {
    return this.api.expect('order', 'GET', `/api/sagas/${sagaId}`, 200, sagaSchema, { narrate: narrated });
  }

  /** The order's latest payment, or null when payment never created one (404). */
  async paymentOf(orderId: string, narrated = true): Promise<Payment | null> {
    const path = `/api/payments/order/${orderId}`;
    const answer = await this.api.call('payment', 'GET', path, { narrate: narrated });
    if (answer.status === 404) return null;
    if (answer.status !== 200) {
      throw new DemoError(
        `GET ${this.api.url('payment', path)} answered ${answer.status}: ${JSON.stringify(answer.body)}`,
      );
    }
    const parsed = paymentSchema.safeParse(answer.body);
    if (!parsed.success) throw new DemoError(`unexpected payment body: ${JSON.stringify(answer.body)}`);
    return parsed.data;
  }

  /**
   * Polls GET /api/sagas/{id} until `done` holds, printing every change of status or of a step, and
   * gives up after timeoutMs with the last state seen.
   */
  async waitForSaga(
    sagaId: string,
    done: (saga: Saga) => boolean,
    what: string,
    timeoutMs: number,
  ): Promise<Saga> {
    narrate.info(
      `polling ${this.api.url('order', `/api/sagas/${sagaId}`)} until ${what} (at most ${timeoutMs / 1000} s; [+s] counts from here)`,
    );
    const since = Date.now();
    const deadline = since + timeoutMs;
    let last = '';
    let saga: Saga | undefined;
    for (;;) {
      saga = await this.saga(sagaId, false);
      const line = `${saga.status.padEnd(12)} steps ${saga.steps.map((step) => `${step.stepNumber} ${step.status}`).join(' · ')}`;
      if (line !== last) narrate.info(`[${narrate.elapsed(since)}] ${line}`);
      last = line;
      if (done(saga)) return saga;
      if (Date.now() > deadline) {
        throw new DemoError(
          `The saga ${sagaId} did not reach "${what}" within ${timeoutMs / 1000} s; last seen: ${line}` +
            (saga.failureReason ? ` (failureReason "${saga.failureReason}")` : '') +
            '.\n  Are all four services running and consuming events? Their logs are in .run/<service>.log.',
        );
      }
      await sleep(100);
    }
  }

  /** Polls until `done` holds for the value `read` returns; gives up after timeoutMs. */
  async waitFor<T>(
    read: () => Promise<T>,
    done: (value: T) => boolean,
    what: string,
    timeoutMs: number,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) {
        throw new DemoError(
          `${what} did not happen within ${timeoutMs / 1000} s; last seen: ${JSON.stringify(value)}`,
        );
      }
      await sleep(250);
    }
  }

  /** The end state of everything the saga touched, read fresh from the four services. */
  async finalState(orderId: string, sagaId: string, productIds: readonly string[]): Promise<FinalState> {
    const order = await this.order(orderId);
    const saga = await this.saga(sagaId);
    const products: Product[] = [];
    for (const productId of productIds) products.push(await this.product(productId));
    const payment = await this.paymentOf(orderId);
    return { order, saga, products, payment };
  }
}

export interface FinalState {
  readonly order: Order;
  readonly saga: Saga;
  readonly products: readonly Product[];
  readonly payment: Payment | null;
}

export function showFinalState({ order, saga, products, payment }: FinalState): void {
  say();
  say('Final state');
  say(
    `  Order   ${order.orderId}  ${order.status}  total ${money(order.total)}` +
      (order.confirmationNumber ? `  confirmationNumber ${order.confirmationNumber}` : '') +
      (order.cancellationReason ? `  cancellationReason ${quoted(order.cancellationReason)}` : '') +
      (order.cancelledBy ? `  cancelledBy ${order.cancelledBy}` : ''),
  );
  say(
    `  Saga    ${saga.sagaId}  ${saga.status}  failureReason ${quoted(saga.failureReason)}  ` +
      `failedAtStep ${saga.failedAtStep ?? '-'}  timedOut ${saga.timedOut}  (${saga.durationMs} ms)`,
  );
  const nameWidth = Math.max(...saga.steps.map((step) => step.stepName.length));
  for (const step of saga.steps) {
    say(
      (
        `    step ${step.stepNumber}  ${step.stepName.padEnd(nameWidth)}  ${step.service.padEnd(9)}  ${step.status.padEnd(11)}` +
        (step.failureReason ? `  ${quoted(step.failureReason)}` : '')
      ).trimEnd(),
    );
  }
  for (const product of products) {
    say(
      `  Stock   ${product.sku}  onHand ${product.quantityOnHand}  reserved ${product.quantityReserved}  ` +
        `available ${product.availableQuantity}`,
    );
  }
  say(
    payment
      ? `  Payment ${payment.paymentId}  ${payment.status}  ${money(payment.amount)} ${payment.currency}` +
          (payment.transactionId ? `  transactionId ${payment.transactionId}` : '') +
          (payment.failureReason ? `  failureReason ${quoted(payment.failureReason)}` : '')
      : '  Payment none for this order (GET /api/payments/order/{orderId} → 404)',
  );
}

// ---------------------------------------------------------------------------------------------------
// The expected outcome

export class Checks {
  private readonly results: Array<{ label: string; ok: boolean; actual: string }> = [];

  /** `actual` must equal `expected` (compared as JSON). */
  equal(label: string, actual: unknown, expected: unknown): this {
    const ok = JSON.stringify(actual) === JSON.stringify(expected);
    this.results.push({
      label,
      ok,
      actual: ok ? '' : `got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`,
    });
    return this;
  }

  that(label: string, ok: boolean, actual: unknown): this {
    this.results.push({ label, ok, actual: ok ? '' : `got ${JSON.stringify(actual)}` });
    return this;
  }

  /** Prints every check; throws when any failed. */
  report(success: string): void {
    say();
    say('Checks');
    for (const result of this.results) {
      say(`  ${result.ok ? '[ok]  ' : '[FAIL]'} ${result.label}${result.ok ? '' : ` — ${result.actual}`}`);
    }
    const failed = this.results.filter((result) => !result.ok).length;
    if (failed > 0)
      throw new DemoError(`The outcome is not the expected one: ${failed} check(s) failed (above).`);
    say();
    say(success);
  }
}

// ---------------------------------------------------------------------------------------------------
// Running a demo

export interface Demo {
  readonly api: Api;
  readonly shop: Shop;
  /** Runs at the end, whatever happens (also on Ctrl-C), last registered first. */
  defer(what: string, cleanup: () => Promise<void>): void;
}

/** Runs a demo: exit 0 when it ends as expected, 1 with a clear message otherwise, 130 on Ctrl-C. */
export function runDemo(main: (demo: Demo) => Promise<void>): void {
  const cleanups: Array<{ what: string; run: () => Promise<void> }> = [];
  let cleaning: Promise<void> | undefined;
  const cleanUp = (): Promise<void> =>
    (cleaning ??= (async () => {
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup.run();
        } catch (error) {
          say(
            `  cleanup "${cleanup.what}" failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
    })());
  const finish = (code: number): void => {
    void cleanUp().then(() => process.exit(code));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`\nInterrupted (${signal}); cleaning up …`);
      finish(130);
    });
  }
  let api: Api;
  try {
    api = new Api();
  } catch (error) {
    process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const demo: Demo = {
    api,
    shop: new Shop(api),
    defer: (what, run) => void cleanups.push({ what, run }),
  };
  main(demo).then(
    () => finish(0),
    (error: unknown) => {
      const message =
        error instanceof DemoError
          ? error.message
          : error instanceof Error
            ? (error.stack ?? error.message)
            : String(error);
      say();
      process.stderr.write(`DEMO FAILED: ${message}\n`);
      finish(1);
    },
  );
}
