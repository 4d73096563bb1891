import { join } from 'node:path';
import { ServiceProcess } from '../../../src/local/service-process';
import { findFreePort } from '../../../src/net/free-port';
import { call, eventually } from '../../support/system';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * A real order service process whose Hazelcast never answers: it binds its port at once and then keeps
 * connecting, as after a restart while the cluster is slow. A client retrying through that window must be
 * told to come back (503 + Retry-After), never that the route does not exist (404).
 */
describe('a service that is still connecting', () => {
  let service: ServiceProcess;

  beforeAll(async () => {
    const nobody = await findFreePort('127.0.0.1');
    service = new ServiceProcess({
      name: 'order',
      port: await findFreePort('127.0.0.1'),
      buildDir: join(ROOT, 'build'),
      env: {
        HTTP_HOST: '127.0.0.1',
        HAZELCAST_ADDRESSES: `127.0.0.1:${nobody}`,
        HAZELCAST_CLUSTER_NAME: 'nobody',
        HAZELCAST_CONNECT_TIMEOUT_MS: '120000',
      },
      logFile: join(ROOT, '.run', 'tests', `starting-order-${nobody}.log`),
    });
    service.start();
    await eventually(
      async () => (await fetch(`${service.baseUrl}/health/live`)).status === 200,
      30_000,
      'the port bound',
    );
  });

  afterAll(() => service?.kill());

  test('API routes answer 503 SERVICE_UNAVAILABLE with Retry-After; liveness 200, readiness 503', async () => {
    const placed = await call('POST', `${service.baseUrl}/api/orders`, {
      customerId: 'c-1',
      lineItems: [{ productId: 'p-1', quantity: 1 }],
      shippingAddress: '1 Main St',
    });
    expect(placed.status).toBe(503);
    expect(placed.headers.get('retry-after')).toBe('2');
    expect(placed.body).toMatchObject({
      errorCode: 'SERVICE_UNAVAILABLE',
      details: { reason: 'STARTING', retryAfterSeconds: 2 },
    });
    expect(Object.keys(placed.body).sort()).toEqual(['details', 'errorCode', 'message', 'timestamp']);
    expect((await call('GET', `${service.baseUrl}/api/orders/o-1`)).status).toBe(503);

    expect((await call('GET', `${service.baseUrl}/health/live`)).status).toBe(200);
    expect((await call('GET', `${service.baseUrl}/health/ready`)).status).toBe(503);
    expect(service.running).toBe(true);
  });
});
