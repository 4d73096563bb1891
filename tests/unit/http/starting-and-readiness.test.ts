import type { HealthReport } from '../../../src/http/operational-routes';
import { KNOWN_CUSTOMER, testRoutes } from './test-routes';
import { expectErrorBody, send, startTestService, type TestService } from './test-service';

describe('a service that is still starting', () => {
  let started = false;
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService({ routes: testRoutes(), started: () => started });
  });

  afterAll(async () => {
    await service.server.close(1000);
  });

  it('answers 503 with Retry-After on API routes, never 404, while the probes and /metrics answer', async () => {
    const write = await send(service.url('/api/customers'), { method: 'POST', body: '{}' });
    const body = expectErrorBody(write, 503, 'SERVICE_UNAVAILABLE');
    expect(write.headers.get('retry-after')).toBe('2');
    expect(body.details).toMatchObject({ reason: 'STARTING', retryAfterSeconds: 2 });
    expectErrorBody(await send(service.url(`/api/customers/${KNOWN_CUSTOMER}`)), 503, 'SERVICE_UNAVAILABLE');
    expectErrorBody(await send(service.url('/api/no-such-route')), 503, 'SERVICE_UNAVAILABLE');

    expect(await send(service.url('/health/live'))).toMatchObject({ status: 200, body: { status: 'UP' } });
    expect((await send(service.url('/actuator/health'))).status).toBe(200);
    expect((await send(service.url('/metrics'))).status).toBe(200);
  });

  it('serves its routes once started', async () => {
    started = true;
    const reply = await send(service.url(`/api/customers/${KNOWN_CUSTOMER}`));
    expect(reply).toMatchObject({ status: 200, body: { customerId: KNOWN_CUSTOMER } });
    expect((await send(service.url('/api/no-such-route'))).status).toBe(404);
  });
});

describe('readiness transitions', () => {
  it('log one line with the reason when readiness turns false, one when it is back, nothing in between', async () => {
    let report: HealthReport = { up: false, reason: 'not started' };
    const service = await startTestService({ routes: [], health: async () => report });
    const probe = async (times: number) => {
      for (let i = 0; i < times; i++) await send(service.url('/health/ready'));
    };
    const readinessLines = () =>
      service.logs
        .filter((line) => line.readiness !== undefined)
        .map((line) => ({ level: line.level, msg: line.msg }));
    try {
      await probe(3); // still starting: the service logs its own "ready" line
      report = { up: true, components: { hazelcast: { status: 'UP' } } };
      await probe(3);
      expect(readinessLines()).toEqual([]);

      report = {
        up: false,
        components: { hazelcast: { status: 'DOWN' } },
        reason: 'the Hazelcast client lost the cluster (reconnecting)',
      };
      await probe(5);
      report = { up: true, components: { hazelcast: { status: 'UP' } } };
      await probe(5);
      report = { up: false, components: { hazelcast: { status: 'DOWN' } } };
      await probe(2);

      expect(readinessLines()).toEqual([
        { level: 40, msg: 'not ready: the Hazelcast client lost the cluster (reconnecting)' },
        { level: 30, msg: 'ready again' },
        { level: 40, msg: 'not ready: hazelcast DOWN' },
      ]);
    } finally {
      await service.server.close(1000);
    }
  });
});
