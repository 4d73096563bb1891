import type { ServiceName } from '../../../src/local/service-process';
import { sagaStatuses } from '../../../src/sagas/saga-state';
import { JsonSchemaChecker, type JsonSchema } from '../../support/json-schema';
import { call, eventually, startTestSystem, type JsonResponse, type TestSystem } from '../../support/system';

type Json = Record<string, unknown>;
type Path = ReadonlyArray<string | number>;

const SERVICES: readonly ServiceName[] = ['account', 'inventory', 'order', 'payment'];

interface Operation {
  readonly service: ServiceName;
  readonly method: string;
  readonly template: string;
  readonly spec: Json;
}

interface Request {
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** A documented numeric or length bound of a request body field. */
interface Bound {
  readonly path: Path;
  readonly keyword: 'minimum' | 'maximum' | 'minItems' | 'maxItems';
  readonly limit: number;
  readonly integer: boolean;
}

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const at = (value: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), value);

let system: TestSystem;
const operations = new Map<string, Operation>();
const checkers = new Map<ServiceName, JsonSchemaChecker>();
const called = new Set<string>();

beforeAll(async () => {
  system = await startTestSystem();
  for (const service of SERVICES) {
    const { body: document } = await call('GET', system.url(service, '/openapi.json'));
    checkers.set(
      service,
      new JsonSchemaChecker(at(document, 'components', 'schemas') as Record<string, JsonSchema>),
    );
    for (const [template, methods] of Object.entries(document.paths as Json)) {
      for (const [method, spec] of Object.entries(methods as Json)) {
        const operationId = String((spec as Json).operationId);
        operations.set(`${service}:${operationId}`, { service, method, template, spec: spec as Json });
      }
    }
  }
}, 120_000);
afterAll(() => system?.stop());

/**
 * Calls a documented operation by its operationId, at its documented path, and checks the real answer:
 * its status is one the document lists, and its JSON body validates against the schema documented for it.
 */
async function send(
  service: ServiceName,
  operationId: string,
  request: Request = {},
): Promise<JsonResponse<Json>> {
  const operation = operations.get(`${service}:${operationId}`);
  if (!operation) throw new Error(`${service} documents no operation ${operationId}`);
  called.add(`${service}:${operationId}`);
  const path = operation.template.replace(/\{(\w+)\}/g, (_match, name: string) =>
    encodeURIComponent(request.params?.[name] ?? `missing-${name}`),
  );
  const query = request.query ? `?${new URLSearchParams(request.query).toString()}` : '';
  const url = system.url(service, `${path}${query}`);
  const response =
    operation.template === '/metrics'
      ? { status: (await fetch(url)).status, body: {}, headers: new Headers() }
      : await call<Json>(operation.method.toUpperCase(), url, request.body);
  const documented = at(operation.spec, 'responses', String(response.status));
  expect({ operationId, status: response.status, documented: documented !== undefined }).toEqual({
    operationId,
    status: response.status,
    documented: true,
  });
  const schema = at(documented, 'content', 'application/json', 'schema');
  if (isRecord(schema)) {
    const problems = checkers.get(service)!.problems(schema, response.body);
    expect({ operationId, status: response.status, problems }).toEqual({
      operationId,
      status: response.status,
      problems: [],
    });
  }
  return response;
}

const created = async (service: ServiceName, operationId: string, request: Request): Promise<Json> => {
  const response = await send(service, operationId, request);
  expect(response.status).toBe(201);
  return response.body;
};

describe('/openapi.json of every service, against what the services really answer', () => {
  let customer: Json;
  let product: Json;
  let emptyProduct: Json;

  test('every route of every service answers with a status and a body its document describes', async () => {
    // account
    customer = await created('account', 'createCustomer', {
      body: { email: 'ada@example.com', name: 'Ada Lovelace' },
    });
    const customerId = String(customer.customerId);
    const other = await created('account', 'createCustomer', {
      body: { email: 'b@example.com', name: 'Bo' },
    });
    await send('account', 'getCustomer', { params: { customerId } });
    await send('account', 'updateCustomer', {
      params: { customerId },
      body: { email: 'ada@example.com', name: 'Ada King', address: '1 Analytical St' },
    });
    await send('account', 'changeCustomerStatus', {
      params: { customerId: String(other.customerId) },
      body: { status: 'SUSPENDED', reason: 'test' },
    });
    await send('account', 'listCustomers', { query: { limit: '5' } });
    await send('account', 'getCustomerEvents', { params: { customerId } });
    expect((await send('account', 'getCustomer', { params: { customerId: 'ghost' } })).status).toBe(404);

    // inventory
    product = await created('inventory', 'createProduct', {
      body: { sku: 'ENGINE-1', name: 'Difference engine', price: '19.99', quantityOnHand: 100 },
    });
    emptyProduct = await created('inventory', 'createProduct', {
      body: { sku: 'ENGINE-0', name: 'Analytical engine', price: 5, quantityOnHand: 0 },
    });
    const productId = String(product.productId);
    await send('inventory', 'getProduct', { params: { productId } });
    await send('inventory', 'listProducts');
    await send('inventory', 'reserveStock', {
      params: { productId },
      body: { quantity: 2, orderId: 'direct-1' },
    });
    await send('inventory', 'releaseStock', {
      params: { productId },
      body: { quantity: 2, orderId: 'direct-1', reason: 'test' },
    });
    await send('inventory', 'replenishStock', {
      params: { productId },
      body: { quantity: 5, reason: 'delivery' },
    });
    await send('inventory', 'similarProducts', { params: { productId }, query: { limit: '3' } });
    expect((await send('inventory', 'getProduct', { params: { productId: 'ghost' } })).status).toBe(404);

    // order: one order through the whole saga, so its history holds events a handler caused
    const order = await eventually(async () => {
      const placed = await send('order', 'createOrder', {
        body: { customerId, lineItems: [{ productId, quantity: 3 }], shippingAddress: '1 Analytical St' },
      });
      return placed.status === 201 && placed.body;
    });
    const orderId = String(order.orderId);
    const sagaId = String(order.sagaId);
    await eventually(
      async () =>
        (await call('GET', system.url('order', `/api/sagas/${sagaId}`))).body.status === 'COMPLETED',
    );
    await send('order', 'getSaga', { params: { sagaId } });
    await send('order', 'listSagas', { query: { status: 'completed', type: 'OrderFulfillment' } });
    await send('order', 'getMetricsSummary');
    await send('order', 'getOrder', { params: { orderId } });
    await send('order', 'listOrders');
    await send('order', 'getOrdersByCustomer', { params: { customerId } });
    await send('order', 'getCustomerOrderSummary', { params: { customerId } });
    const orderEvents = await send('order', 'getOrderEvents', { params: { orderId } });
    expect(
      (orderEvents.body as unknown as Json[]).some((event) => typeof event.causationId === 'string'),
    ).toBe(true);
    const productEvents = await send('inventory', 'getProductEvents', { params: { productId } });
    expect(
      (productEvents.body as unknown as Json[]).some((event) => typeof event.causationId === 'string'),
    ).toBe(true);
    // A second order, confirmed by hand (or already by its saga: either answer is documented), then cancelled.
    const second = await created('order', 'createOrder', {
      body: { customerId, lineItems: [{ productId, quantity: 1, unitPrice: 2 }], shippingAddress: 'here' },
    });
    await send('order', 'confirmOrder', { params: { orderId: String(second.orderId) } });
    await send('order', 'cancelOrder', {
      params: { orderId: String(second.orderId) },
      body: { reason: 'changed mind', cancelledBy: 'customer' },
    });
    expect(
      (await send('order', 'confirmOrder', { params: { orderId: String(second.orderId) } })).status,
    ).toBe(409);

    // payment: the saga's payment, and one made directly
    await eventually(
      async () => (await call('GET', system.url('payment', `/api/payments/order/${orderId}`))).status === 200,
    );
    await send('payment', 'getPaymentByOrder', { params: { orderId } });
    const payment = await created('payment', 'processPayment', {
      body: { orderId: 'direct-order', customerId, amount: '12.50', currency: 'usd' },
    });
    const paymentId = String(payment.paymentId);
    await send('payment', 'getPayment', { params: { paymentId } });
    await send('payment', 'refundPayment', { params: { paymentId }, body: { reason: 'test' } });
    await send('payment', 'listPayments');
    await send('payment', 'getPaymentEvents', { params: { paymentId } });

    // the dead-letter admin API of every service with consumer groups (nothing parked here: empty pages, 404s)
    for (const service of ['inventory', 'order', 'payment'] as const) {
      await send(service, 'listDeadLetters');
      await send(service, 'countDeadLetters');
      await send(service, 'replayAllDeadLetters');
      for (const operationId of ['getDeadLetter', 'replayDeadLetter', 'discardDeadLetter'])
        await send(service, operationId, { params: { id: 'no-such-entry' } });
    }

    // what every service serves
    for (const service of SERVICES) {
      for (const operationId of ['health', 'liveness', 'readiness', 'metrics', 'openApi'])
        await send(service, operationId);
    }

    expect([...operations.keys()].filter((operation) => !called.has(operation))).toEqual([]);
  });

  /** The request-body bounds the document states: numeric minimum/maximum (any anyOf branch), item counts. */
  function boundsOf(checker: JsonSchemaChecker, schema: JsonSchema, path: Path = []): Bound[] {
    const resolved = checker.resolve(schema);
    const bounds: Bound[] = [];
    const type = resolved.type;
    if (type === 'number' || type === 'integer') {
      for (const keyword of ['minimum', 'maximum'] as const) {
        const limit = resolved[keyword];
        if (typeof limit === 'number') bounds.push({ path, keyword, limit, integer: type === 'integer' });
      }
    }
    if (type === 'array') {
      for (const keyword of ['minItems', 'maxItems'] as const) {
        const limit = resolved[keyword];
        if (typeof limit === 'number') bounds.push({ path, keyword, limit, integer: true });
      }
      if (isRecord(resolved.items)) bounds.push(...boundsOf(checker, resolved.items, [...path, 0]));
    }
    if (isRecord(resolved.properties)) {
      for (const [name, property] of Object.entries(resolved.properties))
        bounds.push(...boundsOf(checker, property as JsonSchema, [...path, name]));
    }
    for (const option of Array.isArray(resolved.anyOf) ? (resolved.anyOf as JsonSchema[]) : [])
      bounds.push(...boundsOf(checker, option, path));
    return bounds;
  }

  /** `body` with the value at `path` replaced; an item count becomes that many copies of the first item. */
  function withValue(body: unknown, bound: Bound, value: number): unknown {
    const copy = structuredClone(body) as Json;
    const parentPath = bound.path.slice(0, -1);
    const parent = parentPath.reduce<unknown>((node, key) => (node as Json)[key as string], copy) as Json;
    const key = bound.path.at(-1) as string;
    if (bound.keyword === 'minItems' || bound.keyword === 'maxItems') {
      const first = (parent[key] as unknown[])[0];
      parent[key] = Array.from({ length: value }, () => structuredClone(first));
    } else {
      parent[key] = value;
    }
    return copy;
  }

  /** Just past the bound, as a client generated from the document would never send. */
  function outside(bound: Bound): number[] {
    switch (bound.keyword) {
      case 'minimum':
        return bound.integer
          ? [bound.limit - 1]
          : [Number((bound.limit - 0.001).toFixed(3)), ...(bound.limit > 0 ? [0] : [])];
      case 'maximum':
        return [bound.integer ? bound.limit + 1 : Number((bound.limit + 0.01).toFixed(2))];
      case 'minItems':
        return bound.limit > 0 ? [bound.limit - 1] : [];
      case 'maxItems':
        return [bound.limit + 1];
    }
  }

  test('every documented request-body bound is the enforced one: past it a 400 naming the field, at it no complaint', async () => {
    const customerId = String(customer.customerId);
    const emptyId = String(emptyProduct.productId);
    // A product of its own for each replenish, empty, so the largest replenish is the stock limit itself.
    const freshEmptyProduct = async (): Promise<Readonly<Record<string, string>>> => {
      const fresh = await created('inventory', 'createProduct', {
        body: { sku: 'B-0', name: 'Empty', price: 1, quantityOnHand: 0 },
      });
      return { productId: String(fresh.productId) };
    };
    const samples: ReadonlyArray<[ServiceName, string, () => Promise<Request>]> = [
      [
        'inventory',
        'createProduct',
        async () => ({ body: { sku: 'B-1', name: 'Bounded', price: 1, quantityOnHand: 1 } }),
      ],
      [
        'inventory',
        'reserveStock',
        async () => ({ params: { productId: emptyId }, body: { quantity: 1, orderId: 'b-1' } }),
      ],
      [
        'inventory',
        'releaseStock',
        async () => ({ params: { productId: emptyId }, body: { quantity: 1, orderId: 'b-1', reason: 'r' } }),
      ],
      [
        'inventory',
        'replenishStock',
        async () => ({ params: await freshEmptyProduct(), body: { quantity: 1, reason: 'r' } }),
      ],
      [
        'order',
        'createOrder',
        async () => ({
          body: {
            customerId,
            lineItems: [{ productId: String(product.productId), quantity: 1, unitPrice: 1 }],
            shippingAddress: 'here',
          },
        }),
      ],
      [
        'payment',
        'processPayment',
        async () => ({ body: { orderId: 'b-1', customerId, amount: 1, currency: 'USD' } }),
      ],
    ];
    const probed: string[] = [];
    for (const [service, operationId, sampleOf] of samples) {
      const operation = operations.get(`${service}:${operationId}`)!;
      const schema = at(operation.spec, 'requestBody', 'content', 'application/json', 'schema') as JsonSchema;
      for (const bound of boundsOf(checkers.get(service)!, schema)) {
        const sample = await sampleOf();
        const field = bound.path.join('.');
        probed.push(`${operationId} ${field} ${bound.keyword} ${bound.limit}`);
        for (const value of outside(bound)) {
          const refused = await send(service, operationId, {
            ...sample,
            body: withValue(sample.body, bound, value),
          });
          expect({
            field,
            value,
            status: refused.status,
            named: typeof at(refused.body, 'details', field),
          }).toEqual({
            field,
            value,
            status: 400,
            named: 'string',
          });
        }
        const atBound = await send(service, operationId, {
          ...sample,
          body: withValue(sample.body, bound, bound.limit),
        });
        const details = at(atBound.body, 'details');
        expect({
          field,
          value: bound.limit,
          complaint: isRecord(details) ? details[field] : undefined,
        }).toEqual({
          field,
          value: bound.limit,
          complaint: undefined,
        });
      }
    }
    // The bounds the server enforces are all documented (INPUT_LIMITS), so a generated client knows them.
    expect(probed).toEqual(
      expect.arrayContaining([
        'createProduct price minimum 0.01',
        'createProduct price maximum 1000000000',
        'createProduct quantityOnHand minimum 0',
        'createProduct quantityOnHand maximum 1000000000',
        'reserveStock quantity maximum 1000000000',
        'replenishStock quantity maximum 1000000000',
        'createOrder lineItems minItems 1',
        'createOrder lineItems maxItems 100',
        'createOrder lineItems.0.quantity maximum 1000000',
        'createOrder lineItems.0.unitPrice minimum 0.01',
        'createOrder lineItems.0.unitPrice maximum 1000000000',
        'processPayment amount minimum 0.01',
        'processPayment amount maximum 1000000000',
      ]),
    );
    // A product at the stock limit takes no more: one more unit is a 400 naming the quantity.
    const full = await created('inventory', 'createProduct', {
      body: { sku: 'B-3', name: 'Full', price: 1, quantityOnHand: 1_000_000_000 },
    });
    const overfilled = await send('inventory', 'replenishStock', {
      params: { productId: String(full.productId) },
      body: { quantity: 1, reason: 'one too many' },
    });
    expect(overfilled.status).toBe(400);
    expect(at(overfilled.body, 'details', 'quantity')).toContain('above the limit of 1000000000');
    // As strings too: the bounds apply to the value as sent.
    for (const price of ['0.001', '0', '1000000000.01']) {
      const refused = await send('inventory', 'createProduct', {
        body: { sku: 'B-2', name: 'Bounded', price, quantityOnHand: 1 },
      });
      expect({ price, status: refused.status, details: refused.body.details }).toEqual({
        price,
        status: 400,
        details: { price: 'must be 0.01 to 1000000000.00' },
      });
    }
  });

  test('the saga status query documents the enum it enforces (any case), and the limit its minimum', async () => {
    const parameters = at(operations.get('order:listSagas')!.spec, 'parameters') as Json[];
    const status = parameters.find((parameter) => parameter.name === 'status')!;
    const statuses = at(status, 'schema', 'enum') as string[];
    expect(statuses).toEqual([...sagaStatuses]);
    for (const value of statuses) {
      expect((await send('order', 'listSagas', { query: { status: value } })).status).toBe(200);
      expect((await send('order', 'listSagas', { query: { status: value.toLowerCase() } })).status).toBe(200);
    }
    const unknown = await send('order', 'listSagas', { query: { status: 'DONE' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({
      errorCode: 'INVALID_ARGUMENT',
      details: { status: expect.any(String) },
    });
    const limit = parameters.find((parameter) => parameter.name === 'limit')!;
    const minimum = at(limit, 'schema', 'minimum') as number;
    expect((await send('order', 'listSagas', { query: { limit: String(minimum - 1) } })).status).toBe(400);
    expect((await send('order', 'listSagas', { query: { limit: String(minimum) } })).status).toBe(200);
  });
});
