import pino from 'pino';
import { Registry } from 'prom-client';
import { ManualClock } from '../../../src/core/clock';
import { SequentialIds } from '../../../src/core/ids';
import { createHttpApp, type HttpApp, type HttpAppOptions } from '../../../src/http/app';
import { type RunningHttpServer, startHttpServer } from '../../../src/http/server';

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface TestService {
  readonly http: HttpApp;
  readonly server: RunningHttpServer;
  readonly registry: Registry;
  readonly logs: LogLine[];
  readonly url: (path: string) => string;
}

/** A real server on 127.0.0.1, ephemeral port, logs captured in memory, time frozen at 2026-01-01. */
export async function startTestService(
  overrides: Partial<HttpAppOptions> & Pick<HttpAppOptions, 'routes'>,
): Promise<TestService> {
  const logs: LogLine[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
  );
  const registry = overrides.registry ?? new Registry();
  const http = createHttpApp({
    serviceName: 'test-service',
    version: '1.2.3',
    logger,
    registry,
    clock: new ManualClock(),
    ids: new SequentialIds(),
    health: async () => ({ up: true, components: { hazelcast: { status: 'UP' } } }),
    ...overrides,
  });
  const server = await startHttpServer(http, { host: '127.0.0.1', port: 0, logger });
  return { http, server, registry, logs, url: (path) => `http://127.0.0.1:${server.port}${path}` };
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly text: string;
}

export async function send(url: string, init: RequestInit = {}): Promise<Reply> {
  const response = await fetch(url, init);
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.includes('json') ?? false;
  return { status: response.status, headers: response.headers, text, body: isJson ? JSON.parse(text) : text };
}

export const postJson = (url: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
  send(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

export const FROZEN_TIMESTAMP = '2026-01-01T00:00:00.000Z';

/** The contract's error body, exactly these four fields. */
export function expectErrorBody(reply: Reply, status: number, errorCode: string): Record<string, unknown> {
  expect(reply.status).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
  const body = reply.body as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['details', 'errorCode', 'message', 'timestamp']);
  expect(body.errorCode).toBe(errorCode);
  expect(typeof body.message).toBe('string');
  expect(body.timestamp).toBe(FROZEN_TIMESTAMP);
  return body;
}
