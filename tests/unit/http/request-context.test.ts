import { send, startTestService, type TestService } from './test-service';
import { KNOWN_CUSTOMER, testRoutes } from './test-routes';

let service: TestService;

beforeAll(async () => {
  service = await startTestService({ routes: testRoutes() });
});

afterAll(async () => {
  await service.server.close(1000);
});

const accessLines = (requestId: string | null) =>
  service.logs.filter((line) => line.msg === 'request completed' && line.requestId === requestId);

describe('request and correlation ids', () => {
  it('echoes the ids the client sent', async () => {
    const reply = await send(service.url(`/api/customers/${KNOWN_CUSTOMER}`), {
      headers: { 'X-Request-Id': 'req-123', 'X-Correlation-Id': 'corr-456' },
    });
    expect(reply.headers.get('x-request-id')).toBe('req-123');
    expect(reply.headers.get('x-correlation-id')).toBe('corr-456');
  });

  it('generates a request id and uses it as the correlation id when none is sent', async () => {
    const reply = await send(service.url(`/api/customers/${KNOWN_CUSTOMER}`));
    const requestId = reply.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(reply.headers.get('x-correlation-id')).toBe(requestId);
  });

  it('replaces an id that is not a plain token rather than echoing it into logs and headers', async () => {
    const reply = await send(service.url(`/api/customers/${KNOWN_CUSTOMER}`), {
      headers: { 'X-Request-Id': 'x'.repeat(500) },
    });
    expect(reply.headers.get('x-request-id')).not.toBe('x'.repeat(500));
  });

  it('echoes the ids on error responses too', async () => {
    const reply = await send(service.url('/api/nothing-here'), { headers: { 'X-Request-Id': 'req-404' } });
    expect(reply.status).toBe(404);
    expect(reply.headers.get('x-request-id')).toBe('req-404');
  });
});

describe('access log', () => {
  it('writes one info line per request with method, route template, status and duration', async () => {
    await send(service.url(`/api/customers/${KNOWN_CUSTOMER}`), {
      headers: { 'X-Request-Id': 'req-log', 'X-Correlation-Id': 'corr-log' },
    });
    const lines = accessLines('req-log');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      correlationId: 'corr-log',
      method: 'GET',
      route: '/api/customers/:customerId',
      status: 200,
    });
    expect(typeof lines[0]?.durationMs).toBe('number');
  });

  it('logs the error code of a failed request and "unmatched" for an unknown route', async () => {
    await send(service.url('/api/nothing-here'), { headers: { 'X-Request-Id': 'req-unmatched' } });
    expect(accessLines('req-unmatched')).toEqual([
      expect.objectContaining({ route: 'unmatched', status: 404, errorCode: 'NOT_FOUND' }),
    ]);
  });
});
