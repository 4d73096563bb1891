import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client as PgClient } from 'pg';
import type { Client as HazelcastClient } from 'hazelcast-client';
import { connectHazelcast } from '../../src/hazelcast/client';
import { projectRoot, startMember, type HazelcastMember } from '../../src/hazelcast/member';
import { SERVICE_NAMES, ServiceProcess, type ServiceName } from '../../src/local/service-process';
import { silentLogger } from '../../src/logging/logger';
import { findFreePort } from '../../src/net/free-port';
import { openDurableStore, storeFor } from '../../src/runtime/service-storage';
import type { KeyValueStore } from '../../src/storage/key-value';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../local-postgres/embedded-postgres';
import type { Cleanup } from '../bench/cleanup';
import type { HttpLoadClient } from '../bench/http-scenario';
import { createKeepAliveClient } from '../bench/keep-alive-client';
import { gcLogToolOptions } from '../bench/member-gc';
import { createShop, waitForOrderViews, type Shop } from '../bench-saga/shop';
import { childrenOf } from '../bench-saga/procfs';
import { benchServiceEnv } from '../bench/service-env';
import type { MixClients } from './mix';
import type { SoakMode } from './options';

const HOST = '127.0.0.1';

/**
 * One soak's system, started fresh for each mode so neither inherits the other's heap: a Hazelcast
 * member (GC log on), in postgres mode an embedded PostgreSQL with a new data directory, and the four
 * services as processes, all on free loopback ports. It notices a process that exits on its own (the
 * member's -XX:+ExitOnOutOfMemoryError, a service crash): the soak stops that mode and says why.
 */
export interface SoakSystem {
  readonly mode: SoakMode;
  readonly prefix: string;
  readonly member: HazelcastMember;
  readonly memberGcLog: string;
  /** Epoch ms just before the member JVM was spawned (its GC log counts from about then). */
  readonly memberStartEpoch: number;
  readonly postgres: EmbeddedPostgres | undefined;
  readonly services: Readonly<Record<ServiceName, ServiceProcess>>;
  /** The storage port as the services open it in this mode (views read through it). */
  readonly store: KeyValueStore;
  readonly http: MixClients & { readonly admin: HttpLoadClient };
  /** The member and each service: the pids whose memory is sampled. */
  pids(): Record<string, number | undefined>;
  /** The same, this process (bench) and every PostgreSQL process (postgres:<pid>): whose CPU is counted. */
  cpuPids(): Record<string, number | undefined>;
  /** Set once a process of the system exited on its own. */
  broken(): string | undefined;
  /** PostgreSQL's database size, bytes (postgres mode). */
  databaseBytes(): Promise<number | undefined>;
  /** The busiest statements since start (with --pg-statements): calls and total ms of each. */
  statements(): Promise<StatementStats[]>;
}

export interface StatementStats {
  readonly calls: number;
  readonly totalMs: number;
  readonly query: string;
}

export interface StartSoakOptions {
  readonly mode: SoakMode;
  readonly runId: string;
  /** Logs (and PostgreSQL's data) of this mode go here. */
  readonly dir: string;
  readonly heap: string;
  readonly maxInFlight: number;
  readonly keepData: boolean;
  readonly pgStatements: boolean;
  readonly say: (line: string) => void;
}

export async function startSoakSystem(options: StartSoakOptions, cleanup: Cleanup): Promise<SoakSystem> {
  const { mode, runId, dir, say } = options;
  let stopping = false;
  let broken: string | undefined;
  const watch = (name: string, exited: Promise<number | null>): void => {
    void exited.then((code) => {
      if (!stopping && broken === undefined) broken = `${name} exited on its own (code ${code})`;
    });
  };

  const memberGcLog = join(dir, 'member-gc.log');
  say(`  starting a Hazelcast member (heap ${options.heap}) …`);
  const memberStartEpoch = Date.now();
  const member = await startMember({
    clusterName: `bench-soak-${runId}-${mode}`,
    host: HOST,
    port: 0,
    heap: options.heap,
    // Its JVM metrics feed the services' write guard (503 above the heap's high-water mark), as in npm start.
    metricsPort: 0,
    logFile: join(dir, 'hazelcast-member.log'),
    log: (line) => say(`    ${line}`),
    env: { ...process.env, JAVA_TOOL_OPTIONS: gcLogToolOptions(memberGcLog, process.env.JAVA_TOOL_OPTIONS) },
  });
  cleanup.push('Hazelcast member', () => member.stop());
  watch('the Hazelcast member', member.exited);
  say(`    member ${member.address} (pid ${member.pid}) ready in ${(member.readyMs / 1000).toFixed(1)} s`);

  let postgres: EmbeddedPostgres | undefined;
  if (mode === 'postgres') {
    const dataDir = join(dir, 'postgres', 'data');
    postgres = await startEmbeddedPostgres({
      dataDir,
      port: await findFreePort(HOST),
      host: HOST,
      logFile: join(dir, 'postgres.log'),
      log: (line) => say(`    ${line}`),
      ...(options.pgStatements
        ? { settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' } }
        : {}),
    });
    const server = postgres;
    if (options.pgStatements)
      await onDatabase(server.url, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    cleanup.push('PostgreSQL', async () => {
      await server.stop();
      if (!options.keepData) rmSync(dirname(dataDir), { recursive: true, force: true });
    });
    watch('PostgreSQL', postgres.exited);
    say(`    PostgreSQL on port ${postgres.port} (pid ${postgres.pid}), data in ${dataDir}`);
  }

  const prefix = `soak${runId}.`;
  const persistence = {
    HMS_PERSISTENCE: mode,
    ...(postgres ? { DATABASE_URL: postgres.url } : {}),
  };
  const services = {} as Record<ServiceName, ServiceProcess>;
  for (const name of SERVICE_NAMES) {
    services[name] = new ServiceProcess({
      name,
      port: await findFreePort(HOST),
      buildDir: join(projectRoot(), 'build'),
      logFile: join(dir, `${name}.log`),
      env: {
        ...benchServiceEnv(member, prefix),
        HAZELCAST_METRICS_URLS: member.metricsUrl ?? '',
        ...persistence,
      },
    });
  }
  say(`  starting the four services (HMS_PERSISTENCE=${mode}, logs in ${dir}) …`);
  for (const name of SERVICE_NAMES) {
    const service = services[name];
    service.start();
    cleanup.push(`${name} service`, () => service.stop());
  }
  await Promise.all(SERVICE_NAMES.map((name) => services[name].waitReady(120_000)));
  for (const name of SERVICE_NAMES) watch(`the ${name} service`, services[name].exited);
  say(`    ready: ${SERVICE_NAMES.map((name) => `${name} :${services[name].options.port}`).join(', ')}`);

  const client: HazelcastClient = await connectHazelcast({
    clusterName: member.clusterName,
    addresses: [member.address],
  });
  cleanup.push('Hazelcast client', () => client.shutdown());
  const durable = await openDurableStore(
    { HMS_PERSISTENCE: mode, DATABASE_URL: postgres?.url, DATABASE_POOL_SIZE: 2 },
    silentLogger(),
  );
  cleanup.push('PostgreSQL pool', () => durable.close());

  const http = {
    account: createKeepAliveClient(services.account.baseUrl, 64),
    inventory: createKeepAliveClient(services.inventory.baseUrl, 128),
    order: createKeepAliveClient(services.order.baseUrl, options.maxInFlight + 8),
    poll: createKeepAliveClient(services.order.baseUrl, 64),
    admin: createKeepAliveClient(services.order.baseUrl, 16),
  };
  cleanup.push('HTTP clients', async () => {
    for (const each of Object.values(http)) each.close();
  });
  // Runs first on cleanup: from here on, exits are ours.
  cleanup.push('stop watching', async () => {
    stopping = true;
  });

  const pids = (): Record<string, number | undefined> => ({
    member: member.pid,
    ...Object.fromEntries(SERVICE_NAMES.map((name) => [name, services[name].pid])),
  });
  return {
    mode,
    prefix,
    member,
    memberGcLog,
    memberStartEpoch,
    postgres,
    services,
    store: storeFor(durable, client),
    http,
    pids,
    cpuPids: () => ({
      ...pids(),
      bench: process.pid,
      ...(postgres
        ? Object.fromEntries(
            [postgres.pid, ...childrenOf(postgres.pid)].map((pid) => [`postgres:${pid}`, pid]),
          )
        : {}),
    }),
    broken: () => broken,
    databaseBytes: async () => {
      if (!postgres) return undefined;
      const rows = await onDatabase<{ bytes: string }>(
        postgres.url,
        'SELECT pg_database_size(current_database()) AS bytes',
      );
      return Number(rows[0]?.bytes);
    },
    statements: async () => {
      if (!postgres || !options.pgStatements) return [];
      const rows = await onDatabase<{ calls: string; total: number; query: string }>(
        postgres.url,
        'SELECT calls, total_exec_time AS total, query FROM pg_stat_statements ORDER BY calls DESC LIMIT 40',
      );
      return rows.map((row) => ({ calls: Number(row.calls), totalMs: row.total, query: row.query }));
    },
  };
}

/** One statement on a connection of its own. */
async function onDatabase<Row extends object>(url: string, sql: string): Promise<Row[]> {
  const pg = new PgClient({ connectionString: url });
  await pg.connect();
  try {
    return (await pg.query<Row>(sql)).rows;
  } finally {
    await pg.end();
  }
}

/** Per-process figures with PostgreSQL's server and backends (postgres:<pid> each, see cpuPids) as one. */
export function postgresSummed(processes: Readonly<Record<string, number>>): Record<string, number> {
  const summed: Record<string, number> = {};
  for (const [name, value] of Object.entries(processes)) {
    const key = name.startsWith('postgres:') ? 'postgres' : name;
    summed[key] = (summed[key] ?? 0) + value;
  }
  return summed;
}

/** Creates the soak's customers and products and waits until the order service's copies hold them all. */
export async function openShop(
  system: SoakSystem,
  pools: { readonly customers: number; readonly products: number },
  tag: string,
  say: (line: string) => void,
): Promise<Shop> {
  say(`  creating ${pools.customers} customers and ${pools.products} products …`);
  const shop = await createShop(system.http, { ...pools, tag });
  await waitForOrderViews(system.store, system.prefix, shop, 60_000);
  say('  the order service has every customer and product');
  return shop;
}
