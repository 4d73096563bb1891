import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { findFreePort } from '../../src/net/free-port';
import { SERVICE_NAMES, ServiceProcess, type ServiceName } from '../../src/local/service-process';
import { testDatabaseUrl } from './postgres';

const ROOT = join(__dirname, '..', '..');

export interface TestSystem {
  readonly prefix: string;
  readonly services: Readonly<Record<ServiceName, ServiceProcess>>;
  url(service: ServiceName, path: string): string;
  /** Restarts a service (after a kill or a stop) with optional extra env, and waits until it is ready. */
  restart(service: ServiceName, extraEnv?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The four real service processes against the test run's Hazelcast member, on free loopback ports,
 * with a fresh name prefix so every test file has a cluster of its own in all but name.
 */
export interface TestSystemOptions {
  readonly only?: readonly ServiceName[];
  readonly env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** postgres: the system of record in the run's PostgreSQL (or `databaseUrl`), as in production. */
  readonly persistence?: 'memory' | 'postgres';
  readonly databaseUrl?: string;
  /** A member of the test's own instead of the run's shared one (to kill it). */
  readonly hazelcast?: { readonly address: string; readonly clusterName: string };
  /** Keep this prefix (a restarted system reading what an earlier one wrote). */
  readonly prefix?: string;
}

export async function startTestSystem(options: TestSystemOptions = {}): Promise<TestSystem> {
  const address = options.hazelcast?.address ?? process.env.HZ_ADDRESS;
  const cluster = options.hazelcast?.clusterName ?? process.env.HZ_CLUSTER_NAME;
  if (!address || !cluster)
    throw new Error('HZ_ADDRESS/HZ_CLUSTER_NAME are not set: the integration globalSetup did not run');
  const buildDir = join(ROOT, 'build');
  if (!existsSync(join(buildDir, 'services', 'account', 'main.js'))) {
    throw new Error(`${buildDir} has no compiled services: run "npm run build" first (npm test does)`);
  }
  const prefix = options.prefix ?? `t${randomUUID().slice(0, 8)}.`;
  const names = options.only ?? SERVICE_NAMES;
  const persistence: Record<string, string> =
    options.persistence === 'postgres'
      ? { HMS_PERSISTENCE: 'postgres', DATABASE_URL: options.databaseUrl ?? testDatabaseUrl() }
      : {};
  const baseEnv = (name: ServiceName): Record<string, string> => ({
    HTTP_HOST: '127.0.0.1',
    HAZELCAST_ADDRESSES: address,
    HAZELCAST_CLUSTER_NAME: cluster,
    HAZELCAST_NAME_PREFIX: prefix,
    LOG_LEVEL: 'info',
    OUTBOX_GRACE_MS: '1000',
    OUTBOX_INTERVAL_MS: '250',
    SUBSCRIPTION_LEASE_MS: '3000',
    SHUTDOWN_GRACE_MS: '2000',
    ...persistence,
    ...options.env?.[name],
  });
  const services = {} as Record<ServiceName, ServiceProcess>;
  for (const name of names) {
    services[name] = new ServiceProcess({
      name,
      port: await findFreePort('127.0.0.1'),
      buildDir,
      env: baseEnv(name),
      logFile: join(ROOT, '.run', 'tests', `${prefix}${name}.log`),
    });
  }
  const all = Object.values(services);
  for (const service of all) service.start();
  try {
    await Promise.all(all.map((service) => service.waitReady()));
  } catch (error) {
    await Promise.all(all.map((service) => service.kill()));
    throw error;
  }
  return {
    prefix,
    services,
    url: (service, path) => `${services[service].baseUrl}${path}`,
    restart: async (name, extraEnv = {}) => {
      const previous = services[name];
      await previous.stop();
      const next = new ServiceProcess({ ...previous.options, env: { ...baseEnv(name), ...extraEnv } });
      services[name] = next;
      next.start();
      await next.waitReady();
    },
    stop: async () => {
      await Promise.all(Object.values(services).map((service) => service.stop()));
    },
  };
}

export interface JsonResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** fetch with a JSON body in and out; never throws on a 4xx/5xx. */
export async function call<T = Record<string, unknown>>(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : undefined) as T,
    headers: response.headers,
  };
}

/** Polls until the probe returns something truthy; for effects that happen asynchronously (events). */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`${what} not reached within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
