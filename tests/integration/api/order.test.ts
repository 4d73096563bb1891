import { call, startTestSystem, type TestSystem } from '../../support/system';

describe('order service API', () => {
  let system: TestSystem;
  let customerId: string;
  let productId: string;
  const order = (path: string) => system.url('order', path);

  beforeAll(async () => {
    system = await startTestSystem({ only: ['account', 'inventory', 'order'] });
    customerId = (
      await call('POST', system.url('account', '/api/customers'), {
        email: 'grace@example.com',
        name: 'Grace Hopper',
      })
    ).body.customerId as string;
    productId = (
      await call('POST', system.url('inventory', '/api/products'), {
        sku: 'COBOL-1',
        name: 'Compiler',
        price: '19.99',
        quantityOnHand: 100,
      })
    ).body.productId as string;
  });
  afterAll(() => system?.stop());

  const place = (overrides: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    call(
      'POST',
      order('/api/orders'),
      { customerId, lineItems: [{ productId, quantity: 3 }], shippingAddress: '1 Navy Yard', ...overrides },
      headers,
    );

  test('an order is priced from the product view, exactly, with the customer from the cache', async () => {
    const placed = await place();
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({
      customerId,
      customerName: 'Grace Hopper',
      customerEmail: 'grace@example.com',
      lineItems: [
        {
          productId,
          productName: 'Compiler',
          sku: 'COBOL-1',
          quantity: 3,
          unitPrice: 19.99,
          lineTotal: 59.97,
        },
      ],
      subtotal: 59.97,
      tax: 6,
      total: 65.97,
      status: 'PENDING',
      shippingAddress: '1 Navy Yard',
    });
    expect(placed.body.sagaId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await call('GET', order(`/api/orders/${placed.body.orderId}`))).body).toEqual(placed.body);
    const events = await call<Array<Record<string, unknown>>>(
      'GET',
      order(`/api/orders/${placed.body.orderId}/events`),
    );
    expect(events.body[0]).toMatchObject({
      eventType: 'OrderCreated',
      sagaId: placed.body.sagaId,
      sagaType: 'OrderFulfillment',
      stepNumber: 0,
      payload: { subtotal: '59.97', tax: '6.00', total: '65.97' },
    });
  });

  test('a given unitPrice is used as is for a product the order service knows', async () => {
    const placed = await place({ lineItems: [{ productId, quantity: 2, unitPrice: '0.10' }] });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ subtotal: 0.2, tax: 0.02, total: 0.22 });
    expect((placed.body.lineItems as Array<Record<string, unknown>>)[0]).toMatchObject({
      productName: 'Compiler',
      unitPrice: 0.1,
    });
  });

  // The bodies are made when the test runs, after beforeAll made the product.
  test.each<[string, string, () => Record<string, unknown>]>([
    [
      'an unknown product, even with a unitPrice',
      'lineItems.0.productId',
      () => ({ lineItems: [{ productId: 'ghost-1', quantity: 1, unitPrice: 5 }] }),
    ],
    [
      'an unknown product without unitPrice',
      'lineItems.0.productId',
      () => ({ lineItems: [{ productId: 'ghost-2', quantity: 1 }] }),
    ],
    ['an unknown customer', 'customerId', () => ({ customerId: 'nobody' })],
    [
      'a unitPrice above the amount limit',
      'lineItems.0.unitPrice',
      () => ({ lineItems: [{ productId, quantity: 1, unitPrice: 1_000_000_000.01 }] }),
    ],
    [
      'a quantity above the line limit',
      'lineItems.0.quantity',
      () => ({ lineItems: [{ productId, quantity: 1_000_001 }] }),
    ],
    [
      'a total above the amount limit',
      'lineItems',
      () => ({ lineItems: [{ productId, quantity: 1_000_000, unitPrice: 1000 }] }),
    ],
  ])(
    'a refused order (%s) is a 400 naming %s and leaves no order, saga, stock event or key behind',
    async (_case, field, overrides) => {
      const sagas = async () => (await call<unknown[]>('GET', order('/api/sagas?limit=1000'))).body.length;
      const orders = async () => (await call<unknown[]>('GET', order('/api/orders?limit=1000'))).body.length;
      const [sagasBefore, ordersBefore] = [await sagas(), await orders()];
      const key = { 'Idempotency-Key': `refused-${Math.random()}` };
      const refused = await place(overrides(), key);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        errorCode: 'VALIDATION_ERROR',
        details: { [field]: expect.any(String) },
      });
      expect([await sagas(), await orders()]).toEqual([sagasBefore, ordersBefore]);
      for (const ghost of ['ghost-1', 'ghost-2']) {
        expect((await call('GET', system.url('inventory', `/api/products/${ghost}/events`))).status).toBe(
          404,
        );
      }
      // The key was not kept: the same key with a good body makes the order (a kept key would be a 422).
      const retried = await place({}, key);
      expect(retried.status).toBe(201);
      expect([await sagas(), await orders()]).toEqual([sagasBefore + 1, ordersBefore + 1]);
    },
  );

  test('an unknown product without unitPrice, or an unknown customer, is 400 naming the field, and no order is made', async () => {
    const before = (await call<unknown[]>('GET', order(`/api/orders/customer/${customerId}`))).body.length;
    const unknownProduct = await place({
      lineItems: [
        { productId, quantity: 1 },
        { productId: 'ghost', quantity: 1 },
      ],
    });
    expect(unknownProduct.status).toBe(400);
    expect(unknownProduct.body.errorCode).toBe('VALIDATION_ERROR');
    expect(unknownProduct.body.details).toHaveProperty(['lineItems.1.productId']);
    const unknownCustomer = await place({ customerId: 'nobody' });
    expect(unknownCustomer.status).toBe(400);
    expect(unknownCustomer.body.details).toHaveProperty('customerId');
    const noLines = await place({ lineItems: [] });
    expect(noLines.body.details).toHaveProperty('lineItems');
    const zeroQuantity = await place({ lineItems: [{ productId, quantity: 0 }] });
    expect(zeroQuantity.body.details).toHaveProperty(['lineItems.0.quantity']);
    expect((await call<unknown[]>('GET', order(`/api/orders/customer/${customerId}`))).body.length).toBe(
      before,
    );
  });

  test('confirm and cancel follow the state machine; a refused transition is 409 with details', async () => {
    const { body: placed } = await place();
    const id = placed.orderId as string;
    const confirmed = await call('PATCH', order(`/api/orders/${id}/confirm`));
    expect(confirmed.body).toMatchObject({
      status: 'CONFIRMED',
      confirmationNumber: expect.stringMatching(/^CNF-/),
    });
    const again = await call('PATCH', order(`/api/orders/${id}/confirm`));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      errorCode: 'INVALID_ORDER_STATE',
      details: { id, currentStatus: 'CONFIRMED', requestedOperation: 'confirm' },
    });
    const cancelled = await call('PATCH', order(`/api/orders/${id}/cancel`), {
      reason: 'changed mind',
      cancelledBy: 'customer',
    });
    expect(cancelled.body).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'changed mind',
      cancelledBy: 'customer',
    });
    expect(
      (await call('PATCH', order(`/api/orders/${id}/cancel`), { reason: 'again', cancelledBy: 'x' })).status,
    ).toBe(409);
    expect((await call('PATCH', order(`/api/orders/${id}/cancel`), {})).body.errorCode).toBe(
      'VALIDATION_ERROR',
    );
    expect((await call('PATCH', order('/api/orders/nope/confirm'))).body.errorCode).toBe('ORDER_NOT_FOUND');
  });

  test("the customer's orders and order summary", async () => {
    const { body: customer } = await call('POST', system.url('account', '/api/customers'), {
      email: 'k@example.com',
      name: 'Katherine',
    });
    const mine = (overrides: Record<string, unknown> = {}) =>
      place({ customerId: customer.customerId, ...overrides });
    const first = (await mine()).body;
    const second = (await mine({ lineItems: [{ productId, quantity: 1 }] })).body;
    await call('PATCH', order(`/api/orders/${first.orderId}/confirm`));
    const summary = await call('GET', order(`/api/customers/${customer.customerId}/order-summary`));
    expect(summary.body).toMatchObject({
      customerId: customer.customerId,
      totalOrders: 2,
      totalSpent: 65.97,
      pendingOrders: 1,
      confirmedOrders: 1,
      cancelledOrders: 0,
      firstOrderAt: first.createdAt,
      lastOrderAt: second.createdAt,
    });
    const listed = await call<Array<{ orderId: string }>>(
      'GET',
      order(`/api/orders/customer/${customer.customerId}`),
    );
    expect(listed.body.map((item) => item.orderId)).toEqual([second.orderId, first.orderId]);
  });

  test('Idempotency-Key on POST /api/orders makes exactly one order', async () => {
    const headers = { 'Idempotency-Key': `order-${Math.random()}` };
    const first = await place({}, headers);
    const second = await place({}, headers);
    expect(second.body.orderId).toBe(first.body.orderId);
    expect((await place({ shippingAddress: 'elsewhere' }, headers)).status).toBe(422);
  });
});
