import { randomBytes } from 'node:crypto';
import type { Client } from 'hazelcast-client';
import { closeTestHazelcast, testHazelcast } from '../../support/hazelcast';
import {
  serviceOf,
  startTestJaeger,
  tagOf,
  type JaegerSpan,
  type JaegerTrace,
  type RunningJaeger,
} from '../../support/jaeger';
import { Shop, withPolicy, type Json } from '../../support/saga-fixtures';
import { call, eventually, startTestSystem, type TestSystem } from '../../support/system';

const SERVICES = ['account', 'inventory', 'order', 'payment'] as const;

/** A root traceparent of the test's own, as a client that traces its "checkout" would send. */
function rootTraceparent(): { traceparent: string; traceId: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

const traceIdOf = (traceparent: unknown): string => {
  expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  return (traceparent as string).slice(3, 35);
};

/**
 * Distributed tracing end to end: the four real service processes export over OTLP/HTTP to a real Jaeger,
 * and each saga is read back from Jaeger's query API as one trace (OBSERVABILITY.md "Traces").
 */
describe('saga traces in Jaeger', () => {
  let jaeger: RunningJaeger;
  let system: TestSystem;
  let client: Client;
  let shop: Shop;

  beforeAll(async () => {
    jaeger = await startTestJaeger('saga-trace');
    ({ client } = await testHazelcast());
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, TRACING_SAMPLE_RATIO: '1' };
    system = await startTestSystem({ env: { account: env, inventory: env, order: env, payment: env } });
    shop = new Shop(system);
  });
  afterAll(async () => {
    await system?.stop();
    await closeTestHazelcast(client);
    await jaeger?.stop();
  });

  /** Waits until Jaeger has the trace with every span the predicate wants (spans arrive in batches). */
  const traceWhere = (traceId: string, complete: (trace: JaegerTrace) => boolean): Promise<JaegerTrace> =>
    eventually(
      async () => {
        const trace = await jaeger.trace(traceId);
        return trace && complete(trace) && trace;
      },
      30_000,
      `trace ${traceId} in Jaeger (${jaeger.queryUrl}; log ${jaeger.logFile})`,
    );

  const servicesIn = (trace: JaegerTrace): Set<string> =>
    new Set(trace.spans.map((span) => serviceOf(trace, span) ?? '?'));
  const spansNamed = (trace: JaegerTrace, name: string): JaegerSpan[] =>
    trace.spans.filter((span) => span.operationName === name);
  const has = (trace: JaegerTrace, name: string): boolean => spansNamed(trace, name).length > 0;
  const parentOf = (trace: JaegerTrace, span: JaegerSpan): JaegerSpan | undefined => {
    const reference = span.references.find((ref) => ref.refType === 'CHILD_OF');
    return reference && trace.spans.find((candidate) => candidate.spanID === reference.spanID);
  };

  test('happy path: customer, product, order POST → reservation → payment → confirmation is ONE trace over the four services', async () => {
    // The saga itself runs through order, inventory and payment; account takes part in the same trace
    // because the client creates the customer (and the product) under the same root traceparent.
    const root = rootTraceparent();
    const headers = { traceparent: root.traceparent };
    const customer = await call(
      'POST',
      system.url('account', '/api/customers'),
      { email: `t${Date.now()}@example.com`, name: 'Trace Tester' },
      headers,
    );
    expect(customer.status).toBe(201);
    const product = await call(
      'POST',
      system.url('inventory', '/api/products'),
      { sku: `T-${Date.now()}`, name: 'Traced product', price: '25.00', quantityOnHand: 10 },
      headers,
    );
    expect(product.status).toBe(201);
    const order = await call(
      'POST',
      system.url('order', '/api/orders'),
      {
        customerId: customer.body.customerId,
        lineItems: [{ productId: product.body.productId, quantity: 2 }],
        shippingAddress: '1 Trace Street',
      },
      headers,
    );
    expect(order.status).toBe(201);
    const sagaId = order.body.sagaId as string;
    expect((await shop.ended(sagaId)).status).toBe('COMPLETED');

    // The order's events carry a traceparent of the client's trace.
    const events = await call<Json[]>('GET', system.url('order', `/api/orders/${order.body.orderId}/events`));
    for (const event of events.body) expect(traceIdOf(event.traceparent)).toBe(root.traceId);

    const trace = await traceWhere(
      root.traceId,
      (found) =>
        SERVICES.every((service) => servicesIn(found).has(service)) &&
        // The saga's last step: SagaCompleted, which inventory handles to settle the order's stock (no
        // group acts on OrderConfirmed, so none handles it: ADR 0010).
        ['StockReserved', 'PaymentProcessed', 'SagaCompleted'].every((type) =>
          has(found, `event.handle ${type}`),
        ) &&
        has(found, 'event.append Order') &&
        has(found, 'event.publish'),
    );
    expect([...servicesIn(trace)].sort()).toEqual([...SERVICES]);
    expect(trace.spans.every((span) => span.traceID === root.traceId)).toBe(true);

    // Each service's share: account appended the customer, inventory reserved stock, payment charged,
    // order confirmed; each handling span is a child of a span of the trace (the producer's append).
    const appendedBy = (stream: string) =>
      spansNamed(trace, `event.append ${stream}`).map((s) => serviceOf(trace, s));
    expect(appendedBy('Customer')).toContain('account');
    expect(appendedBy('Product')).toContain('inventory');
    expect(appendedBy('Payment')).toContain('payment');
    expect(appendedBy('Order')).toContain('order');

    const handle = (type: string, service: string): JaegerSpan => {
      const span = spansNamed(trace, `event.handle ${type}`).find((s) => serviceOf(trace, s) === service);
      if (!span) throw new Error(`no event.handle ${type} span from ${service}`);
      return span;
    };
    const reserve = handle('OrderCreated', 'inventory');
    const charge = handle('StockReserved', 'payment');
    const confirm = handle('PaymentProcessed', 'order');
    for (const span of [reserve, charge, confirm]) {
      const parent = parentOf(trace, span);
      expect(parent?.operationName).toMatch(/^event\.append /);
      expect(tagOf(span, 'saga.id')).toBe(sagaId);
      expect(tagOf(span, 'saga.type')).toBe('OrderFulfillment');
      expect(tagOf(span, 'saga.compensating')).toBe(false);
      expect(tagOf(span, 'correlation.id')).toEqual(expect.any(String));
      expect(tagOf(span, 'event.id')).toEqual(expect.any(String));
      expect(tagOf(span, 'span.kind')).toBe('consumer');
    }
    expect(tagOf(reserve, 'event.type')).toBe('OrderCreated');
    expect(tagOf(reserve, 'saga.step')).toBe(0);
    expect(tagOf(charge, 'saga.step')).toBe(1);
    expect(tagOf(confirm, 'saga.step')).toBe(2);
    // The chain crosses processes: inventory's handling of OrderCreated hangs off order's append.
    expect(serviceOf(trace, parentOf(trace, reserve)!)).toBe('order');
    expect(serviceOf(trace, parentOf(trace, charge)!)).toBe('inventory');
    expect(serviceOf(trace, parentOf(trace, confirm)!)).toBe('payment');
    // The HTTP server spans of the auto-instrumentation are in it too.
    expect(
      trace.spans.some((span) => serviceOf(trace, span) === 'order' && tagOf(span, 'span.kind') === 'server'),
    ).toBe(true);
  });

  test('without a client traceparent the order POST starts the trace, and the saga is still one trace', async () => {
    const customerId = await shop.customer();
    const productId = await shop.product('10.00', 5);
    const order = await shop.order(customerId, [{ productId, quantity: 1 }]);
    expect((await shop.ended(order.sagaId as string)).status).toBe('COMPLETED');
    const events = await call<Json[]>('GET', system.url('order', `/api/orders/${order.orderId}/events`));
    const traceId = traceIdOf(events.body[0]!.traceparent);
    for (const event of events.body) expect(traceIdOf(event.traceparent)).toBe(traceId);

    const trace = await traceWhere(traceId, (found) => has(found, 'event.handle SagaCompleted'));
    expect([...servicesIn(trace)].sort()).toEqual(['inventory', 'order', 'payment']);
    // The root is order's HTTP server span for the POST.
    const roots = trace.spans.filter((span) => span.references.length === 0);
    expect(roots).toHaveLength(1);
    expect(serviceOf(trace, roots[0]!)).toBe('order');
    expect(tagOf(roots[0]!, 'span.kind')).toBe('server');
    expect(tagOf(roots[0]!, 'http.request.method') ?? tagOf(roots[0]!, 'http.method')).toBe('POST');
  });

  test('a declined payment: the compensations are in the same trace, with saga.compensating=true', async () => {
    const customerId = await shop.customer();
    const productId = await shop.product('6000.00', 5);
    const order = await shop.order(customerId, [{ productId, quantity: 2 }]);
    expect((await shop.ended(order.sagaId as string)).status).toBe('COMPENSATED');
    const events = await call<Json[]>('GET', system.url('order', `/api/orders/${order.orderId}/events`));
    const traceId = traceIdOf(events.body[0]!.traceparent);

    const trace = await traceWhere(
      traceId,
      (found) => has(found, 'event.handle PaymentFailed') && has(found, 'event.handle OrderCancelled'),
    );
    expect([...servicesIn(trace)].sort()).toEqual(['inventory', 'order', 'payment']);
    const failed = spansNamed(trace, 'event.handle PaymentFailed');
    expect(failed.length).toBeGreaterThan(0);
    expect(tagOf(failed[0]!, 'saga.id')).toBe(order.sagaId);
    // OrderCancelled (compensation of step 0) and StockReleased (compensation of step 1) are appended in
    // this trace and handled in it, flagged as compensating.
    const compensating = trace.spans.filter((span) => tagOf(span, 'saga.compensating') === true);
    const names = new Set(compensating.map((span) => span.operationName));
    expect(names).toContain('event.append Order');
    expect(names).toContain('event.handle OrderCancelled');
    expect(compensating.some((span) => tagOf(span, 'event.type') === 'StockReleased')).toBe(true);
    for (const span of compensating) expect(tagOf(span, 'saga.id')).toBe(order.sagaId);
  });

  test('a timed-out saga: the timeout, started by a timer, and its compensations join the order trace', async () => {
    await withPolicy(client, system, { timeout: '2s', checkInterval: '200ms' }, SERVICES);
    try {
      await system.services.payment.stop();
      const customerId = await shop.customer();
      const productId = await shop.product('12.00', 5);
      const order = await shop.order(customerId, [{ productId, quantity: 1 }]);
      expect(await shop.ended(order.sagaId as string)).toMatchObject({
        status: 'COMPENSATED',
        timedOut: true,
      });
      const events = await call<Json[]>('GET', system.url('order', `/api/orders/${order.orderId}/events`));
      const traceId = traceIdOf(events.body[0]!.traceparent);
      // The cancellation the timeout caused carries the order's trace too.
      expect(events.body.map((event) => event.eventType)).toContain('OrderCancelled');
      for (const event of events.body) expect(traceIdOf(event.traceparent)).toBe(traceId);

      const trace = await traceWhere(
        traceId,
        (found) =>
          has(found, 'event.append Saga') &&
          has(found, 'event.handle SagaTimedOut') &&
          has(found, 'event.handle OrderCancelled'),
      );
      // One root (the order POST): the timeout's append hangs off the trace, it does not start a new one.
      expect(trace.spans.filter((span) => span.references.length === 0)).toHaveLength(1);
      const announced = spansNamed(trace, 'event.append Saga');
      expect(parentOf(trace, announced[0]!)).toBeDefined();
      const handledTimeout = spansNamed(trace, 'event.handle SagaTimedOut');
      expect(handledTimeout.every((span) => tagOf(span, 'saga.id') === order.sagaId)).toBe(true);
    } finally {
      await system.restart('payment');
      await withPolicy(client, system, {}, SERVICES);
    }
  }, 90_000);
});
