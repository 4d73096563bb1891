import { send, startTestService, type TestService } from './test-service';
import { KNOWN_CUSTOMER, testRoutes } from './test-routes';

let service: TestService;

beforeAll(async () => {
  service = await startTestService({ routes: testRoutes() });
});

afterAll(async () => {
  await service.server.close(1000);
});

describe('GET /metrics', () => {
  it('serves the duration histogram labelled by route template, never by raw URL', async () => {
    await send(service.url(`/api/customers/${KNOWN_CUSTOMER}`));
    await send(service.url('/api/customers/0b8f4a1e-2c3d-4e5f-8a9b-0c1d2e3f4a5b'));
    await send(service.url('/api/no/such/route/123'));

    const reply = await send(service.url('/metrics'));
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = reply.text;
    expect(text).toContain('# TYPE http_server_request_duration_seconds histogram');
    expect(text).toContain(
      'http_server_request_duration_seconds_count{service="test-service",method="GET",route="/api/customers/:customerId",status="200"} 1',
    );
    expect(text).toContain(
      'http_server_request_duration_seconds_count{service="test-service",method="GET",route="/api/customers/:customerId",status="404"} 1',
    );
    expect(text).toContain('route="unmatched",status="404"} 1');
    expect(text).toContain('le="0.001"');
    expect(text).toContain('le="5"');
    expect(text).not.toContain(KNOWN_CUSTOMER);
    expect(text).not.toContain('/api/no/such/route');
  });

  it('shares one histogram when two apps use the same registry', async () => {
    const other = await startTestService({ routes: testRoutes(), registry: service.registry });
    try {
      await send(other.url('/health/live'));
      const text = (await send(service.url('/metrics'))).text;
      expect(text).toContain('route="/health/live",status="200"} 1');
    } finally {
      await other.server.close(1000);
    }
  });
});
