import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { defineRoute } from '../../../src/http/route';
import { send, startTestService, type TestService } from './test-service';

/** Resolves when `condition` holds; polls the event loop, never a fixed sleep. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('at most HTTP_MAX_CONCURRENT API writes are worked on at once', () => {
  let service: TestService;
  let running = 0;
  let most = 0;
  const releases: Array<() => void> = [];
  const bodies: unknown[] = [];

  beforeAll(async () => {
    const hold = async () => {
      running++;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => releases.push(resolve));
      running--;
    };
    service = await startTestService({
      concurrency: { running: 2, queued: 2, maxWaitMs: 2_000 },
      routes: [
        defineRoute({
          method: 'POST',
          path: '/api/hold',
          operationId: 'hold',
          summary: 'Waits for the test',
          responses: { 200: { description: 'Done' } },
          handler: async () => {
            await hold();
            return { status: 200, body: { done: true } };
          },
        }),
        defineRoute({
          method: 'GET',
          path: '/api/peek',
          operationId: 'peek',
          summary: 'A read',
          responses: { 200: { description: 'Done' } },
          handler: async () => ({ status: 200, body: { running } }),
        }),
        defineRoute({
          method: 'POST',
          path: '/api/echo',
          operationId: 'echo',
          summary: 'Keeps the body',
          body: z.object({ n: z.number() }),
          responses: { 200: { description: 'Done' } },
          handler: async ({ body }) => {
            bodies.push(body);
            return { status: 200, body };
          },
        }),
      ],
    });
  });
  afterAll(() => service.server.close());

  test('the third waits its turn, in arrival order, while reads and probes never wait', async () => {
    const replies = [1, 2, 3].map(() => send(service.url('/api/hold'), { method: 'POST' }));
    await until(() => releases.length === 2);
    expect(running).toBe(2);
    // A read and the probe are answered while both slots are taken and a write waits.
    expect((await send(service.url('/api/peek'))).body).toEqual({ running: 2 });
    expect((await send(service.url('/actuator/health'))).status).toBe(200);
    releases.shift()!();
    // The first one's turn went to the third: two running again, never three.
    await until(() => releases.length === 2);
    releases.splice(0).forEach((release) => release());
    expect((await Promise.all(replies)).map((reply) => reply.status)).toEqual([200, 200, 200]);
    expect(most).toBe(2);
  });

  test('a client that gave up while waiting frees its turn: the next request is served', async () => {
    const holders = [1, 2].map(() => send(service.url('/api/hold'), { method: 'POST' }));
    await until(() => releases.length === 2);
    // A body-carrying request waits, then its client goes away before its turn comes. It goes through a
    // second listener on the same app, so the test can see the server notice the close.
    const side = createServer(service.http.app.callback());
    const seen = new Promise<IncomingMessage>((resolve) => side.once('request', resolve));
    await new Promise<void>((resolve) => side.listen(0, '127.0.0.1', resolve));
    const { port } = side.address() as AddressInfo;
    const gone = httpRequest(`http://127.0.0.1:${port}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '7' },
    });
    gone.on('error', () => undefined);
    gone.end('{"n":1}');
    const waiting = await seen;
    const closed = new Promise((resolve) => waiting.once('close', resolve));
    gone.destroy();
    await closed;
    const next = send(service.url('/api/echo'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ n: 2 }),
    });
    releases.splice(0).forEach((release) => release());
    await Promise.all(holders);
    const reply = await next;
    expect(reply.status).toBe(200);
    expect(bodies).toEqual([{ n: 2 }]);
    side.closeAllConnections();
    side.close();
  });

  test('past the queue, a request is refused at once with 503, Retry-After and the error body', async () => {
    const held = [1, 2, 3, 4].map(() => send(service.url('/api/hold'), { method: 'POST' }));
    await until(() => releases.length === 2);
    // Two running; the other two wait (queued: 2), so the fifth has no place.
    await new Promise((resolve) => setImmediate(resolve));
    const refused = await send(service.url('/api/hold'), { method: 'POST' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body).toMatchObject({
      errorCode: 'SERVICE_UNAVAILABLE',
      details: { retryAfterSeconds: 1 },
    });
    expect((refused.body as { message: string }).message).toContain('2 running, 2 waiting');
    while (releases.length > 0 || running > 0) {
      releases.splice(0).forEach((release) => release());
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await Promise.all(held)).map((reply) => reply.status)).toEqual([200, 200, 200, 200]);
  });

  test('a write that waited longer than maxWaitMs is answered 503, unworked, and gives up its place', async () => {
    let worked = 0;
    const release: Array<() => void> = [];
    const quick = await startTestService({
      concurrency: { running: 1, queued: 10, maxWaitMs: 50 },
      routes: [
        defineRoute({
          method: 'POST',
          path: '/api/slow',
          operationId: 'slow',
          summary: 'Waits for the test',
          responses: { 200: { description: 'Done' } },
          handler: async () => {
            worked++;
            await new Promise<void>((resolve) => release.push(resolve));
            return { status: 200, body: {} };
          },
        }),
      ],
    });
    try {
      const first = send(quick.url('/api/slow'), { method: 'POST' });
      await until(() => release.length === 1);
      const late = await send(quick.url('/api/slow'), { method: 'POST' });
      expect(late.status).toBe(503);
      expect((late.body as { message: string }).message).toContain('none free within 50 ms');
      release.splice(0).forEach((done) => done());
      expect((await first).status).toBe(200);
      // Its place is free: the next one is served at once.
      const next = send(quick.url('/api/slow'), { method: 'POST' });
      await until(() => release.length === 1);
      release.splice(0).forEach((done) => done());
      expect((await next).status).toBe(200);
      expect(worked).toBe(2);
    } finally {
      await quick.server.close();
    }
  });
});
