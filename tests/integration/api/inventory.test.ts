import { call, startTestSystem, type TestSystem } from '../../support/system';

describe('inventory service API', () => {
  let system: TestSystem;
  const url = (path: string) => system.url('inventory', path);
  const createProduct = async (overrides: Record<string, unknown> = {}) => {
    const response = await call('POST', url('/api/products'), {
      sku: `SKU-${Math.random().toString(36).slice(2, 9)}`,
      name: 'Widget',
      description: 'A useful widget',
      price: '19.99',
      quantityOnHand: 20,
      category: 'tools',
      ...overrides,
    });
    expect(response.status).toBe(201);
    return response.body as { productId: string } & Record<string, unknown>;
  };

  beforeAll(async () => {
    system = await startTestSystem({ only: ['inventory'] });
  });
  afterAll(() => system?.stop());

  test('POST creates a product; money comes back as a JSON number, exact', async () => {
    const product = await createProduct({ price: 10.005 });
    expect(product).toMatchObject({
      price: 10.01,
      quantityOnHand: 20,
      quantityReserved: 0,
      availableQuantity: 20,
      status: 'ACTIVE',
      category: 'tools',
    });
    expect((await call('GET', url(`/api/products/${product.productId}`))).body).toEqual(product);
  });

  test('50 concurrent reservations of 1 on a stock of 20: exactly 20 succeed, never oversold', async () => {
    const { productId } = await createProduct({ quantityOnHand: 20 });
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        call('POST', url(`/api/products/${productId}/stock/reserve`), {
          quantity: 1,
          orderId: `order-${index}`,
        }),
      ),
    );
    const statuses = outcomes.map((outcome) => outcome.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(20);
    expect(statuses.filter((status) => status === 409)).toHaveLength(30);
    const refused = outcomes.find((outcome) => outcome.status === 409)!;
    expect(refused.body).toMatchObject({
      errorCode: 'INSUFFICIENT_STOCK',
      details: { productId, requestedQuantity: 1, availableQuantity: 0 },
    });
    const after = (await call('GET', url(`/api/products/${productId}`))).body;
    expect(after).toMatchObject({
      quantityOnHand: 20,
      quantityReserved: 20,
      availableQuantity: 0,
      status: 'OUT_OF_STOCK',
    });
  });

  test('reserve is idempotent per orderId; release gives back at most what the order holds', async () => {
    const { productId } = await createProduct({ quantityOnHand: 10 });
    const reserve = () =>
      call('POST', url(`/api/products/${productId}/stock/reserve`), { quantity: 3, orderId: 'o-1' });
    expect((await reserve()).body.quantityReserved).toBe(3);
    expect((await reserve()).body.quantityReserved).toBe(3);
    const released = await call('POST', url(`/api/products/${productId}/stock/release`), {
      quantity: 99,
      orderId: 'o-1',
      reason: 'order cancelled',
    });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ quantityReserved: 0, availableQuantity: 10 });
    const events = await call<Array<{ eventType: string; payload: Record<string, unknown> }>>(
      'GET',
      url(`/api/products/${productId}/events`),
    );
    expect(events.body.map((event) => event.eventType)).toEqual([
      'ProductCreated',
      'StockReserved',
      'StockReleased',
    ]);
    expect(events.body[2]!.payload).toMatchObject({ orderId: 'o-1', quantity: 3, reason: 'order cancelled' });
  });

  test('Idempotency-Key on reserve is per product: the same key on another product reserves there', async () => {
    const [a, b] = [await createProduct(), await createProduct()];
    const headers = { 'Idempotency-Key': `reserve-${Math.random()}` };
    const reserve = (productId: string) =>
      call('POST', url(`/api/products/${productId}/stock/reserve`), { quantity: 2, orderId: 'o-k' }, headers);
    expect((await reserve(a.productId)).body.productId).toBe(a.productId);
    const second = await reserve(b.productId);
    expect(second.body).toMatchObject({ productId: b.productId, quantityReserved: 2 });
    expect((await call('GET', url(`/api/products/${b.productId}`))).body.quantityReserved).toBe(2);
  });

  test('replenish adds to on-hand stock', async () => {
    const { productId } = await createProduct({ quantityOnHand: 0 });
    expect((await call('GET', url(`/api/products/${productId}`))).body.status).toBe('OUT_OF_STOCK');
    const replenished = await call('POST', url(`/api/products/${productId}/stock/replenish`), {
      quantity: 5,
      reason: 'delivery',
    });
    expect(replenished.body).toMatchObject({ quantityOnHand: 5, availableQuantity: 5, status: 'ACTIVE' });
  });

  test('bad input is a clear 400 naming the field, and changes nothing', async () => {
    const { productId } = await createProduct();
    const cases: Array<[string, unknown, string]> = [
      ['/api/products', { sku: '', name: 'Widget', price: 1, quantityOnHand: 1 }, 'sku'],
      ['/api/products', { sku: 'A', name: 'W', price: 1, quantityOnHand: 1 }, 'name'],
      ['/api/products', { sku: 'A', name: 'Widget', price: 0, quantityOnHand: 1 }, 'price'],
      ['/api/products', { sku: 'A', name: 'Widget', price: 'ten', quantityOnHand: 1 }, 'price'],
      ['/api/products', { sku: 'A', name: 'Widget', price: 1, quantityOnHand: -1 }, 'quantityOnHand'],
      [
        '/api/products',
        { sku: 'A', name: 'Widget', price: 1, quantityOnHand: 1, description: 'd'.repeat(1001) },
        'description',
      ],
      [`/api/products/${productId}/stock/reserve`, { quantity: 0, orderId: 'o' }, 'quantity'],
      [`/api/products/${productId}/stock/reserve`, { quantity: 1 }, 'orderId'],
      [`/api/products/${productId}/stock/replenish`, { quantity: 1.5, reason: 'r' }, 'quantity'],
    ];
    for (const [path, body, field] of cases) {
      const response = await call('POST', url(path), body);
      expect({ path, field, status: response.status, code: response.body.errorCode }).toEqual({
        path,
        field,
        status: 400,
        code: 'VALIDATION_ERROR',
      });
      expect(Object.keys(response.body.details as object)).toContain(field);
    }
    const product = (await call('GET', url(`/api/products/${productId}`))).body;
    expect(product).toMatchObject({ quantityOnHand: 20, quantityReserved: 0 });
  });

  test('unknown product: 404 PRODUCT_NOT_FOUND for reads and stock operations', async () => {
    expect((await call('GET', url('/api/products/nope'))).body.errorCode).toBe('PRODUCT_NOT_FOUND');
    const reserve = await call('POST', url('/api/products/nope/stock/reserve'), {
      quantity: 1,
      orderId: 'o',
    });
    expect(reserve.status).toBe(404);
    expect(reserve.body.errorCode).toBe('PRODUCT_NOT_FOUND');
    expect((await call('GET', url('/api/products/nope/events'))).status).toBe(404);
  });
});
