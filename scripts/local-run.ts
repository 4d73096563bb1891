import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { systemClock } from '../src/core/clock';
import type { ProcessExit } from '../src/core/process-exit';
import { HAZELCAST_VERSION } from '../src/hazelcast/jar';
import { projectRoot, startMember, type HazelcastMember } from '../src/hazelcast/member';
import { keepRunning } from '../src/local/keep-running';
import { loadLocalRunSettings, type LocalRunSettings } from '../src/local/local-run-settings';
import { SERVICE_NAMES, ServiceProcess, type ServiceName } from '../src/local/service-process';
import { findFreePort, isPortFree } from '../src/net/free-port';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './local-postgres/embedded-postgres';
import {
  findPrometheus,
  startLocalPrometheus,
  type LocalPrometheus,
} from './local-prometheus/local-prometheus';

/**
 * `npm start`: one Hazelcast member, PostgreSQL in persistent mode, and the four services, each its own
 * process on its own port, on loopback. Logs go to .run/ (HMS_RUN_DIR); Ctrl-C (or SIGTERM) stops
 * everything, services first. Every process is watched: a dead service or database is restarted with a
 * back-off; a dead member is restarted in persistent mode and ends the run in memory mode, where it held
 * all the data. Settings: src/local/local-run-settings.ts, docs/configuration.md.
 */
const HOST = '127.0.0.1';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
// Not core/sleep: its timer is unref'd, and a back-off must keep the run alive when nothing else is.
const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Ports {
  readonly hazelcast: number;
  readonly hazelcastMetrics: number;
  readonly postgres: number | undefined;
  readonly services: Readonly<Record<ServiceName, number>>;
}

async function main(): Promise<void> {
  const root = projectRoot();
  const settings = loadLocalRunSettings(process.env, root);
  const { runDir } = settings;
  // Paths under the working directory are shown relative to it, others in full.
  const shown = (file: string): string => {
    const inside = relative(process.cwd(), file);
    return inside && !inside.startsWith('..') ? inside : file;
  };
  const embeddedPostgres = settings.persistence === 'postgres' && !settings.databaseUrl;
  const ports = await claimPorts(settings, embeddedPostgres);

  let stopping = false;
  let member: HazelcastMember | undefined;
  let postgres: EmbeddedPostgres | undefined;
  let prometheus: LocalPrometheus | undefined;
  let services: ServiceProcess[] = [];
  const stopAll = async (code: number): Promise<never> => {
    stopping = true;
    await prometheus?.stop();
    say('\nStopping the services …');
    await Promise.all(services.map((service) => service.stop()));
    say('Stopping the Hazelcast member …');
    await member?.stop();
    if (postgres) {
      say('Stopping PostgreSQL …');
      await postgres.stop();
    }
    say('Stopped.');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stopAll(0));

  say(
    settings.persistence === 'postgres'
      ? 'Persistent mode (HMS_PERSISTENCE=postgres): PostgreSQL is the system of record.'
      : 'Memory mode (HMS_PERSISTENCE=memory, the default): all data lives in the Hazelcast member and ' +
          'dies with it; HMS_PERSISTENCE=postgres keeps it.',
  );
  if (settings.persistence === 'memory' && process.env.DATABASE_URL) {
    say('  DATABASE_URL is set but not used in memory mode.');
  }

  let databaseUrl = settings.databaseUrl;
  const postgresOptions = {
    dataDir: join(runDir, 'postgres'),
    port: ports.postgres ?? 0,
    logFile: join(runDir, 'postgres.log'),
    log: (line: string) => say(`  ${line}`),
  };
  if (embeddedPostgres) {
    say(
      `Starting PostgreSQL on ${HOST}:${postgresOptions.port} (data in ${shown(postgresOptions.dataDir)}) …`,
    );
    postgres = await startEmbeddedPostgres(postgresOptions);
    databaseUrl = postgres.url;
  }

  say(
    `Starting a Hazelcast ${HAZELCAST_VERSION} member on ${HOST}:${ports.hazelcast} ` +
      `(cluster "${settings.clusterName}", heap ${settings.memberHeap}) …`,
  );
  const memberOptions = {
    clusterName: settings.clusterName,
    host: HOST,
    port: ports.hazelcast,
    heap: settings.memberHeap,
    metricsPort: ports.hazelcastMetrics,
    logFile: join(runDir, 'hazelcast.log'),
    log: (line: string) => say(`  ${line}`),
  };
  member = await startMember(memberOptions).catch(async (error: unknown) => {
    await postgres?.stop();
    throw error;
  });
  say(`  member ready in ${(member.readyMs / 1000).toFixed(1)} s (log: ${shown(member.logFile)})`);

  services = SERVICE_NAMES.map(
    (name) =>
      new ServiceProcess({
        name,
        port: ports.services[name],
        buildDir: join(root, 'build'),
        logFile: join(runDir, `${name}.log`),
        env: {
          HTTP_HOST: HOST,
          HAZELCAST_ADDRESSES: member!.address,
          HAZELCAST_CLUSTER_NAME: settings.clusterName,
          HAZELCAST_METRICS_URLS: member!.metricsUrl ?? '',
          HMS_PERSISTENCE: settings.persistence,
          ...(databaseUrl && settings.persistence === 'postgres' ? { DATABASE_URL: databaseUrl } : {}),
        },
      }),
  );

  say('Starting account, inventory, order and payment …');
  for (const service of services) service.start();
  try {
    await Promise.all(services.map((service) => service.waitReady()));
  } catch (error) {
    say(`\n${error instanceof Error ? error.message : String(error)}`);
    for (const service of services) {
      const reason = fatalLine(service);
      if (reason) say(`  ${reason}`);
    }
    await stopAll(1);
  }

  const supervision = { stopping: () => stopping, say, clock: systemClock, sleep: wait };
  void keepRunning({
    ...supervision,
    name: 'The Hazelcast member',
    logFile: shown(member.logFile),
    running: member.exit,
    start: async () => {
      member = await startMember(memberOptions);
      return { exit: member.exit, description: `${member.address}, pid ${member.pid}` };
    },
    onDeath: (exit) => {
      const oom = ranOutOfMemory(exit, memberOptions.logFile);
      if (oom) say(`  It ran out of memory: give it more with HAZELCAST_HEAP (now ${settings.memberHeap}).`);
      if (settings.persistence === 'postgres') return 'restart';
      say(
        '  In memory mode every customer, product, order and payment was in the member and is gone: ' +
          'stopping everything. (HMS_PERSISTENCE=postgres keeps the data in PostgreSQL across a member restart.)',
      );
      void stopAll(1);
      return 'give-up';
    },
    restartNote: 'the data is in PostgreSQL and the services reconnect',
  });
  if (postgres) {
    void keepRunning({
      ...supervision,
      name: 'PostgreSQL',
      logFile: shown(postgres.logFile),
      running: postgresExit(postgres),
      start: async () => {
        postgres = await startEmbeddedPostgres(postgresOptions);
        return { exit: postgresExit(postgres), description: `pid ${postgres.pid}` };
      },
      restartNote: 'what it acknowledged is in its write-ahead log; the services reconnect',
    });
  }
  for (const service of services) {
    void keepRunning({
      ...supervision,
      name: service.options.name,
      logFile: shown(service.options.logFile),
      running: service.exit,
      start: async () => {
        service.start();
        // Not ready in time: kill it, or the next attempt would start a second copy beside it.
        await service.waitReady().catch(async (error: unknown) => {
          await service.kill();
          throw error;
        });
        return { exit: service.exit, description: `${service.baseUrl}, pid ${service.pid}` };
      },
      restartNote: 'nothing it committed is lost',
    });
  }

  // A local Prometheus with the project's alert rules, when Debian's (or any) prometheus is installed.
  const prometheusPort = settings.ports.prometheus;
  if (prometheusPort !== undefined && findPrometheus() && (await isPortFree(HOST, prometheusPort))) {
    const rules = join(root, 'dashboards', 'generated', 'hms-alerts.rules.yaml');
    prometheus = await startLocalPrometheus({
      targets: services.map((service) => `${HOST}:${service.options.port}`),
      port: prometheusPort,
      ruleFiles: existsSync(rules) ? [rules] : [],
      dir: join(runDir, 'prometheus'),
      scrapeInterval: '5s',
    }).catch((error: unknown) => {
      say(`  no local Prometheus: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    });
  }

  say('\nThe system is up:');
  for (const service of services) {
    say(
      `  ${service.options.name.padEnd(10)} ${service.baseUrl}   (pid ${service.pid}; /openapi.json, /metrics, /actuator/health)` +
        `   log ${shown(service.options.logFile)}`,
    );
  }
  say(
    `  ${'hazelcast'.padEnd(10)} ${member.address}  (cluster "${settings.clusterName}", heap ` +
      `${settings.memberHeap}, pid ${member.pid}; metrics ${member.metricsUrl})   log ${shown(member.logFile)}`,
  );
  if (postgres) {
    say(
      `  ${'postgres'.padEnd(10)} ${postgres.url}  (data ${shown(postgres.dataDir)}, kept across runs; ` +
        `pid ${postgres.pid})   log ${shown(postgres.logFile)}`,
    );
  } else if (databaseUrl) {
    say(
      `  ${'postgres'.padEnd(10)} ${withoutPassword(databaseUrl)}  (DATABASE_URL: not started by npm start)`,
    );
  }
  if (prometheus) {
    say(
      `  ${'prometheus'.padEnd(10)} ${prometheus.url}   (/targets, /alerts; rules from dashboards/generated)`,
    );
  } else if (prometheusPort !== undefined) {
    say('  prometheus not started (install it to get one: apt-get install prometheus)');
  }
  say(`Try: curl -s ${services[0]!.baseUrl}/api/customers`);
  say('Press Ctrl-C to stop everything.');
}

/** Every fixed port must be free before anything starts; a port of 0 is picked now and kept across restarts. */
async function claimPorts(settings: LocalRunSettings, embeddedPostgres: boolean): Promise<Ports> {
  const { ports } = settings;
  const wanted: Array<[string, number]> = [
    ['HAZELCAST_PORT', ports.hazelcast],
    ['HAZELCAST_METRICS_PORT', ports.hazelcastMetrics],
    ...(embeddedPostgres ? [['POSTGRES_PORT', ports.postgres] as [string, number]] : []),
    ...SERVICE_NAMES.map((name): [string, number] => [`${name.toUpperCase()}_PORT`, ports.services[name]]),
  ];
  const busy: string[] = [];
  const chosen = new Map<string, number>();
  for (const [variable, port] of wanted) {
    if (port === 0) chosen.set(variable, await findFreePort(HOST));
    else if (!(await isPortFree(HOST, port))) busy.push(`${port} (${variable})`);
    else chosen.set(variable, port);
  }
  if (busy.length > 0) {
    throw new Error(
      `port${busy.length > 1 ? 's' : ''} ${busy.join(', ')} on ${HOST} ${busy.length > 1 ? 'are' : 'is'} already in use. ` +
        'Is the system already running (stop it with Ctrl-C in its terminal), or is something else using the port? ' +
        'Each can be moved with its variable (0 picks a free port).',
    );
  }
  const port = (variable: string): number => chosen.get(variable)!;
  return {
    hazelcast: port('HAZELCAST_PORT'),
    hazelcastMetrics: port('HAZELCAST_METRICS_PORT'),
    postgres: embeddedPostgres ? port('POSTGRES_PORT') : undefined,
    services: Object.fromEntries(
      SERVICE_NAMES.map((name) => [name, port(`${name.toUpperCase()}_PORT`)]),
    ) as Record<ServiceName, number>,
  };
}

/** The embedded server reports only a code (null after a signal). */
const postgresExit = (server: EmbeddedPostgres): Promise<ProcessExit> =>
  server.exited.then((code) => ({ code, signal: null }));

/** -XX:+ExitOnOutOfMemoryError exits with code 3, after the JVM logs the error. */
function ranOutOfMemory(exit: ProcessExit, logFile: string): boolean {
  if (exit.code === 3) return true;
  try {
    return readFileSync(logFile, 'utf8').slice(-20_000).includes('java.lang.OutOfMemoryError');
  } catch {
    return false;
  }
}

/** The one line a service writes to stderr when it cannot start (src/runtime/run-service.ts main). */
function fatalLine(service: ServiceProcess): string | undefined {
  try {
    const prefix = `${service.options.name}: `;
    const lines = readFileSync(service.options.logFile, 'utf8').slice(-20_000).split('\n');
    return lines.findLast((line) => line.startsWith(prefix));
  } catch {
    return undefined;
  }
}

const withoutPassword = (url: string): string => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:…@');

main().catch((error: unknown) => {
  process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
