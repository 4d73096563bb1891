import { expectErrorBody, postJson, send, startTestService, type TestService } from './test-service';
import { KNOWN_CUSTOMER, testRoutes } from './test-routes';

const validCustomer = {
  email: 'ada@example.com',
  name: 'Ada',
  tier: 'GOLD',
  lineItems: [{ sku: 'SKU-1', quantity: 2 }],
};

let service: TestService;

beforeAll(async () => {
  service = await startTestService({ routes: testRoutes() });
});

afterAll(async () => {
  await service.server.close(1000);
});

describe('successful requests', () => {
  it('passes the parsed body, raw body and headers to the handler and writes its status, headers and body', async () => {
    const raw = JSON.stringify(validCustomer);
    const reply = await postJson(service.url('/api/customers'), raw, { 'X-Test': 'yes' });
    expect(reply.status).toBe(201);
    expect(reply.headers.get('location')).toBe(`/api/customers/${KNOWN_CUSTOMER}`);
    expect(reply.body).toEqual({
      customerId: KNOWN_CUSTOMER,
      email: 'ada@example.com',
      rawLength: raw.length,
      ua: 'yes',
    });
  });

  it('accepts a charset parameter on application/json', async () => {
    const reply = await postJson(service.url('/api/customers'), validCustomer, {
      'content-type': 'application/json; charset=UTF-8',
    });
    expect(reply.status).toBe(201);
  });

  it('accepts an empty body on a POST route that declares no body schema', async () => {
    const reply = await send(service.url('/api/ping'), { method: 'POST' });
    expect(reply.status).toBe(204);
    expect(reply.text).toBe('');
  });
});

describe('400 INVALID_ARGUMENT', () => {
  it('answers malformed JSON with 400, never 500', async () => {
    const reply = await postJson(service.url('/api/customers'), '{"email": "ada@example.com",');
    const body = expectErrorBody(reply, 400, 'INVALID_ARGUMENT');
    expect(body.message).toMatch(/^Malformed JSON body: /);
  });

  it('refuses a body that is not application/json', async () => {
    const reply = await send(service.url('/api/customers'), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(validCustomer),
    });
    const body = expectErrorBody(reply, 400, 'INVALID_ARGUMENT');
    expect(body.message).toContain('application/json');
  });

  it('refuses a body without any content type', async () => {
    const reply = await send(service.url('/api/customers'), {
      method: 'POST',
      body: new Blob([JSON.stringify(validCustomer)]),
    });
    expectErrorBody(reply, 400, 'INVALID_ARGUMENT');
  });

  it('refuses a charset other than UTF-8', async () => {
    const reply = await postJson(service.url('/api/customers'), validCustomer, {
      'content-type': 'application/json; charset=iso-8859-1',
    });
    expectErrorBody(reply, 400, 'INVALID_ARGUMENT');
  });

  it('maps an unknown enum value in the body to INVALID_ARGUMENT, naming the field', async () => {
    const reply = await postJson(service.url('/api/customers'), { ...validCustomer, tier: 'PLATINUM' });
    const body = expectErrorBody(reply, 400, 'INVALID_ARGUMENT');
    expect(body.message).toBe("Invalid value for field 'tier': must be one of: BASIC, GOLD");
    expect(body.details).toEqual({ tier: 'must be one of: BASIC, GOLD' });
  });

  it('names the path parameter that is malformed', async () => {
    const reply = await send(service.url('/api/customers/not-a-uuid'));
    const body = expectErrorBody(reply, 400, 'INVALID_ARGUMENT');
    expect(body.message).toBe("Path parameter 'customerId' must be a valid UUID");
    expect(body.details).toEqual({ customerId: 'must be a valid UUID' });
  });

  it.each(['abc', '0', '-5', '2.5', ''])('refuses limit=%p', async (limit) => {
    const reply = await send(service.url(`/api/customers?limit=${limit}`));
    const body = expectErrorBody(reply, 400, 'INVALID_ARGUMENT');
    expect(body.message).toBe("Query parameter 'limit' must be an integer between 1 and 100");
    expect(body.details).toEqual({ limit: 'must be an integer between 1 and 100' });
  });
});

describe('query helpers', () => {
  it.each([
    ['', 20],
    ['?limit=7', 7],
    ['?limit=100', 100],
    ['?limit=5000', 100],
  ])('limitQuery(20, 100) turns %p into %p', async (query, limit) => {
    const reply = await send(service.url(`/api/customers${query}`));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ limit });
  });
});

describe('400 VALIDATION_ERROR', () => {
  it('lists every invalid field by its path', async () => {
    const reply = await postJson(service.url('/api/customers'), {
      email: 'not-an-email',
      tier: 'GOLD',
      lineItems: [{ sku: 'SKU-1', quantity: 0 }],
    });
    const body = expectErrorBody(reply, 400, 'VALIDATION_ERROR');
    expect(body.details).toEqual({
      email: 'must be a valid email',
      name: 'is required',
      'lineItems.0.quantity': 'must be at least 1',
    });
  });

  it('reports a missing body as a validation error of the body itself', async () => {
    const reply = await send(service.url('/api/customers'), { method: 'POST' });
    const body = expectErrorBody(reply, 400, 'VALIDATION_ERROR');
    expect(body.details).toEqual({ body: 'is required' });
  });
});

describe('413 PAYLOAD_TOO_LARGE', () => {
  const twoMiB = JSON.stringify({ ...validCustomer, name: 'x'.repeat(2 * 1024 * 1024) });

  it('refuses a 2 MiB body from its Content-Length', async () => {
    const reply = await postJson(service.url('/api/customers'), twoMiB);
    expectErrorBody(reply, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('stops reading a streamed (chunked) body as soon as it passes the limit', async () => {
    const bytes = new TextEncoder().encode(twoMiB);
    const chunkSize = 64 * 1024;
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.subarray(offset, offset + chunkSize));
        offset += chunkSize;
      },
    });
    const init: RequestInit & { duplex: 'half' } = {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    };
    const reply = await send(service.url('/api/customers'), init);
    expectErrorBody(reply, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('keeps serving after refusing a large body', async () => {
    await postJson(service.url('/api/customers'), twoMiB);
    expect((await postJson(service.url('/api/customers'), validCustomer)).status).toBe(201);
  });
});

describe('errors thrown by handlers', () => {
  it('404 with the handler’s error code for an unknown id', async () => {
    const reply = await send(service.url('/api/customers/0b8f4a1e-2c3d-4e5f-8a9b-0c1d2e3f4a5b'));
    const body = expectErrorBody(reply, 404, 'CUSTOMER_NOT_FOUND');
    expect(body.details).toBeNull();
  });

  it('409 with id, current status and requested operation', async () => {
    const reply = await send(service.url(`/api/customers/${KNOWN_CUSTOMER}/suspend`), { method: 'POST' });
    const body = expectErrorBody(reply, 409, 'INVALID_CUSTOMER_STATE');
    expect(body.details).toEqual({
      id: KNOWN_CUSTOMER,
      currentStatus: 'CLOSED',
      requestedOperation: 'suspend',
    });
  });

  it('422 IDEMPOTENCY_KEY_REUSED', async () => {
    expectErrorBody(
      await send(service.url('/api/reused'), { method: 'POST' }),
      422,
      'IDEMPOTENCY_KEY_REUSED',
    );
  });

  it('503 SERVICE_UNAVAILABLE with Retry-After when a Hazelcast operation times out', async () => {
    const reply = await send(service.url('/api/grid-timeout'));
    expectErrorBody(reply, 503, 'SERVICE_UNAVAILABLE');
    expect(reply.headers.get('retry-after')).toBe('1');
  });

  it('500 INTERNAL_ERROR without the stack or message in the body, but logged with the stack', async () => {
    const reply = await send(service.url('/api/boom'));
    const body = expectErrorBody(reply, 500, 'INTERNAL_ERROR');
    expect(body.details).toBeNull();
    expect(reply.text).not.toContain('secret internals');
    expect(reply.text).not.toMatch(/\bat \S+:\d+/);
    const logged = service.logs.find(
      (line) => line.level === 50 && line.requestId === reply.headers.get('x-request-id'),
    );
    expect(JSON.stringify(logged?.err)).toContain('secret internals');
    expect((logged?.err as { stack?: string } | undefined)?.stack).toMatch(/\n\s+at /);
  });
});

describe('routing errors', () => {
  it('404 NOT_FOUND for an unknown route', async () => {
    const body = expectErrorBody(await send(service.url('/api/nothing-here')), 404, 'NOT_FOUND');
    expect(body.message).toBe('No route for GET /api/nothing-here');
  });

  it('405 METHOD_NOT_ALLOWED with Allow for a known path and a wrong method', async () => {
    const reply = await send(service.url('/api/customers'), { method: 'DELETE' });
    expectErrorBody(reply, 405, 'METHOD_NOT_ALLOWED');
    expect(reply.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'HEAD', 'POST']);
  });
});
