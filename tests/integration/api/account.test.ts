import { call, startTestSystem, type TestSystem } from '../../support/system';

/** API.md, account: every endpoint and the shared error cases, against the real process and member. */
describe('account service API', () => {
  let system: TestSystem;
  const url = (path: string) => system.url('account', path);
  const newCustomer = (overrides: Record<string, unknown> = {}) => ({
    email: `ada${Math.random().toString(36).slice(2, 8)}@example.com`,
    name: 'Ada Lovelace',
    address: '12 Analytical St',
    phone: '+44 20 1234',
    ...overrides,
  });

  beforeAll(async () => {
    system = await startTestSystem({ only: ['account'] });
  });
  afterAll(() => system?.stop());

  test('POST creates an ACTIVE customer; GET returns it', async () => {
    const created = await call('POST', url('/api/customers'), newCustomer());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'ACTIVE',
      name: 'Ada Lovelace',
      address: '12 Analytical St',
    });
    expect(created.body.customerId).toMatch(/^[0-9a-f-]{36}$/);
    const read = await call('GET', url(`/api/customers/${created.body.customerId}`));
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  test('PUT updates; absent address and phone keep their value', async () => {
    const { body: customer } = await call('POST', url('/api/customers'), newCustomer());
    const updated = await call('PUT', url(`/api/customers/${customer.customerId}`), {
      email: 'new@example.com',
      name: 'Ada King',
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      email: 'new@example.com',
      name: 'Ada King',
      address: '12 Analytical St',
      phone: '+44 20 1234',
    });
  });

  test('PATCH status changes it; an unknown status is 400 and changes nothing', async () => {
    const { body: customer } = await call('POST', url('/api/customers'), newCustomer());
    const path = url(`/api/customers/${customer.customerId}/status`);
    expect((await call('PATCH', path, { status: 'SUSPENDED', reason: 'fraud check' })).body.status).toBe(
      'SUSPENDED',
    );
    const bad = await call('PATCH', path, { status: 'ASLEEP' });
    expect(bad.status).toBe(400);
    expect(bad.body.errorCode).toBe('INVALID_ARGUMENT');
    expect(JSON.stringify(bad.body.details)).toContain('status');
    expect((await call('GET', url(`/api/customers/${customer.customerId}`))).body.status).toBe('SUSPENDED');
  });

  test('events come back oldest first with the envelope of SAGA.md', async () => {
    const { body: customer } = await call('POST', url('/api/customers'), newCustomer());
    await call('PATCH', url(`/api/customers/${customer.customerId}/status`), { status: 'CLOSED' });
    const events = await call<Array<Record<string, unknown>>>(
      'GET',
      url(`/api/customers/${customer.customerId}/events?limit=20`),
    );
    expect(events.status).toBe(200);
    expect(events.body.map((event) => [event.eventType, event.version])).toEqual([
      ['CustomerCreated', 1],
      ['CustomerStatusChanged', 2],
    ]);
    expect(events.body[0]).toMatchObject({
      source: 'Customer',
      key: customer.customerId,
      eventVersion: 1,
      isCompensating: false,
    });
  });

  test('list honours limit', async () => {
    await call('POST', url('/api/customers'), newCustomer());
    await call('POST', url('/api/customers'), newCustomer());
    const listed = await call<unknown[]>('GET', url('/api/customers?limit=1'));
    expect(listed.status).toBe(200);
    expect(listed.body).toHaveLength(1);
  });

  test('unknown id: 404 CUSTOMER_NOT_FOUND with the error body', async () => {
    const missing = await call('GET', url('/api/customers/00000000-0000-4000-8000-000000000000'));
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      message: expect.any(String),
      errorCode: 'CUSTOMER_NOT_FOUND',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      details: null,
    });
    expect((await call('PUT', url('/api/customers/nope'), newCustomer())).status).toBe(404);
  });

  test('validation failures name each field and create nothing', async () => {
    const before = (await call<unknown[]>('GET', url('/api/customers?limit=1000'))).body.length;
    const bad = await call('POST', url('/api/customers'), { email: 'not-an-email', name: 'A' });
    expect(bad.status).toBe(400);
    expect(bad.body.errorCode).toBe('VALIDATION_ERROR');
    expect(Object.keys(bad.body.details as object).sort()).toEqual(['email', 'name']);
    expect((await call<unknown[]>('GET', url('/api/customers?limit=1000'))).body.length).toBe(before);
  });

  test('malformed JSON, wrong content type, bad query parameter: 400 INVALID_ARGUMENT', async () => {
    const malformed = await call('POST', url('/api/customers'), '{"email": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errorCode).toBe('INVALID_ARGUMENT');
    const wrongType = await fetch(url('/api/customers'), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as Record<string, unknown>).errorCode).toBe('INVALID_ARGUMENT');
    const badLimit = await call('GET', url('/api/customers?limit=abc'));
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.message).toContain('limit');
  });

  test('a body over 1 MiB is 413 PAYLOAD_TOO_LARGE', async () => {
    const huge = await call('POST', url('/api/customers'), newCustomer({ address: 'x'.repeat(1_100_000) }));
    expect(huge.status).toBe(413);
    expect(huge.body.errorCode).toBe('PAYLOAD_TOO_LARGE');
  });

  test('Idempotency-Key: same body replays the first answer, another body is 422', async () => {
    const key = `key-${Math.random()}`;
    const body = newCustomer();
    const first = await call('POST', url('/api/customers'), body, { 'Idempotency-Key': key });
    const again = await call('POST', url('/api/customers'), body, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const reused = await call(
      'POST',
      url('/api/customers'),
      { ...body, name: 'Somebody Else' },
      { 'Idempotency-Key': key },
    );
    expect(reused.status).toBe(422);
    expect(reused.body.errorCode).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  test('health, metrics and OpenAPI are served', async () => {
    expect(await call('GET', url('/actuator/health'))).toMatchObject({ status: 200, body: { status: 'UP' } });
    expect((await call('GET', url('/health/live'))).status).toBe(200);
    expect((await call('GET', url('/health/ready'))).status).toBe(200);
    const metrics = await (await fetch(url('/metrics'))).text();
    expect(metrics).toContain('events_appended_total{service="account",event_type="CustomerCreated"}');
    const openapi = await call<{ openapi: string; paths: Record<string, unknown> }>(
      'GET',
      url('/openapi.json'),
    );
    expect(openapi.body.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/customers',
        '/api/customers/{customerId}',
        '/api/customers/{customerId}/status',
      ]),
    );
  });
});
