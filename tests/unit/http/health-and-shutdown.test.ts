import pino from 'pino';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defineRoute, type Route } from '../../../src/http/route';
import { startHttpServer } from '../../../src/http/server';
import type { HealthReport } from '../../../src/http/operational-routes';
import { send, startTestService, type TestService } from './test-service';

/** A promise the test resolves by hand. */
function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

/** A second listener on the same Koa app: the only way to ask it anything once its server stops accepting. */
async function sideDoor(
  service: TestService,
): Promise<{ url: (path: string) => string; close: () => Promise<void> }> {
  const server: Server = createServer(service.http.app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('health endpoints', () => {
  let report: HealthReport | Error = { up: true };
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService({
      routes: [],
      health: async () => {
        if (report instanceof Error) throw report;
        return report;
      },
    });
  });

  afterAll(async () => {
    await service.server.close(1000);
  });

  it('reports UP with the components when the service can serve', async () => {
    report = { up: true, components: { hazelcast: { status: 'UP' } } };
    const health = await send(service.url('/actuator/health'));
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'UP', hazelcast: { status: 'UP' } });
    expect((await send(service.url('/health/ready'))).status).toBe(200);
    expect(await send(service.url('/health/live'))).toMatchObject({ status: 200, body: { status: 'UP' } });
  });

  it('reports DOWN with 503 when it cannot, while liveness stays 200', async () => {
    report = { up: false, components: { hazelcast: { status: 'DOWN' } } };
    const health = await send(service.url('/actuator/health'));
    expect(health.status).toBe(503);
    expect(health.body).toEqual({ status: 'DOWN', hazelcast: { status: 'DOWN' } });
    expect((await send(service.url('/health/ready'))).status).toBe(503);
    expect((await send(service.url('/health/live'))).status).toBe(200);
  });

  it('reports DOWN when the health check itself throws', async () => {
    report = new Error('cluster lookup failed');
    const health = await send(service.url('/actuator/health'));
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'DOWN' });
  });
});

describe('graceful close', () => {
  it('turns readiness to 503 at once, lets the in-flight request finish with 200, then stops', async () => {
    const entered = gate();
    const release = gate();
    const slow = defineRoute({
      method: 'GET',
      path: '/api/slow',
      operationId: 'slow',
      summary: 'Waits for the test',
      responses: { 200: { description: 'Done' } },
      handler: async () => {
        entered.open();
        await release.promise;
        return { status: 200, body: { done: true } };
      },
    });
    const service = await startTestService({ routes: [slow] });
    const door = await sideDoor(service);
    try {
      expect((await send(door.url('/health/ready'))).status).toBe(200);
      const inFlight = send(service.url('/api/slow'));
      await entered.promise;

      const closing = service.server.close(10_000);
      expect(service.http.state.shuttingDown).toBe(true);
      expect(await send(door.url('/health/ready'))).toMatchObject({ status: 503, body: { status: 'DOWN' } });
      expect((await send(door.url('/health/live'))).status).toBe(200);
      await expect(fetch(service.url('/health/live'))).rejects.toThrow();

      release.open();
      expect(await inFlight).toMatchObject({ status: 200, body: { done: true } });
      await closing;
    } finally {
      release.open();
      await door.close();
    }
  });

  it('cuts the connections still open once the grace period is over', async () => {
    const entered = gate();
    const stuck = defineRoute({
      method: 'GET',
      path: '/api/stuck',
      operationId: 'stuck',
      summary: 'Never answers',
      responses: {},
      handler: () => {
        entered.open();
        return new Promise<never>(() => undefined);
      },
    });
    const service = await startTestService({ routes: [stuck] });
    const request = fetch(service.url('/api/stuck'));
    await entered.promise;
    await service.server.close(0);
    await expect(request).rejects.toThrow();
  });

  it('returns the same promise when close() is called twice', async () => {
    const service = await startTestService({ routes: [] });
    const first = service.server.close(0);
    expect(service.server.close(0)).toBe(first);
    await first;
  });
});

describe('startHttpServer', () => {
  it('fails clearly when the port is already in use', async () => {
    const service = await startTestService({ routes: [] });
    try {
      await expect(
        startHttpServer(service.http.app, { host: '127.0.0.1', port: service.server.port, logger: silent() }),
      ).rejects.toThrow(`Port ${service.server.port} is already in use (is another instance running?)`);
    } finally {
      await service.server.close(0);
    }
  });

  it('accepts the bare Koa app and still flips its readiness on close', async () => {
    const service = await startTestService({ routes: [] });
    await service.server.close(0);
    const again = await startHttpServer(service.http.app, { host: '127.0.0.1', port: 0, logger: silent() });
    service.http.state.shuttingDown = false;
    const closing = again.close(0);
    expect(service.http.state.shuttingDown).toBe(true);
    await closing;
  });
});

describe('routes added after the app was created', () => {
  it('are served and documented from then on', async () => {
    const routes: Route[] = [];
    const service = await startTestService({ routes });
    try {
      expect((await send(service.url('/api/late'))).status).toBe(404);
      routes.push(
        defineRoute({
          method: 'GET',
          path: '/api/late',
          operationId: 'late',
          summary: 'Registered after start',
          responses: { 200: { description: 'OK' } },
          handler: async () => ({ status: 200, body: { late: true } }),
        }),
      );
      expect(await send(service.url('/api/late'))).toMatchObject({ status: 200, body: { late: true } });
      const document = (await send(service.url('/openapi.json'))).body as { paths: Record<string, unknown> };
      expect(document.paths['/api/late']).toBeDefined();
    } finally {
      await service.server.close(0);
    }
  });
});

function silent() {
  return pino({ level: 'silent' });
}
