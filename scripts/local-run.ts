import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HAZELCAST_VERSION } from '../src/hazelcast/jar';
import { projectRoot, startMember } from '../src/hazelcast/member';
import { DEFAULT_PORTS, SERVICE_NAMES, ServiceProcess } from '../src/local/service-process';
import { isPortFree } from '../src/net/free-port';
import {
  findPrometheus,
  startLocalPrometheus,
  type LocalPrometheus,
} from './local-prometheus/local-prometheus';

/**
 * `npm start`: one Hazelcast member and the four services, each its own process on its own port, on
 * loopback. Logs go to .run/; Ctrl-C (or SIGTERM) stops everything, services first.
 */
const HOST = '127.0.0.1';
const MEMBER_PORT = Number(process.env.HAZELCAST_PORT ?? 5701);
const CLUSTER = process.env.HAZELCAST_CLUSTER_NAME ?? 'dev';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const root = projectRoot();
  const runDir = join(root, '.run');
  const wanted = [MEMBER_PORT, ...SERVICE_NAMES.map((name) => DEFAULT_PORTS[name])];
  const busy: number[] = [];
  for (const port of wanted) if (!(await isPortFree(HOST, port))) busy.push(port);
  if (busy.length > 0) {
    throw new Error(
      `port${busy.length > 1 ? 's' : ''} ${busy.join(', ')} on ${HOST} ${busy.length > 1 ? 'are' : 'is'} already in use. ` +
        'Is the system already running (stop it with Ctrl-C in its terminal), or is something else using the port?',
    );
  }

  say(`Starting a Hazelcast ${HAZELCAST_VERSION} member on ${HOST}:${MEMBER_PORT} (cluster "${CLUSTER}") …`);
  const member = await startMember({
    clusterName: CLUSTER,
    host: HOST,
    port: MEMBER_PORT,
    logFile: join(runDir, 'hazelcast.log'),
    log: (line) => say(`  ${line}`),
  });
  say(`  member ready in ${(member.readyMs / 1000).toFixed(1)} s (log: .run/hazelcast.log)`);

  const services = SERVICE_NAMES.map(
    (name) =>
      new ServiceProcess({
        name,
        port: DEFAULT_PORTS[name],
        buildDir: join(root, 'build'),
        logFile: join(runDir, `${name}.log`),
        env: {
          HTTP_HOST: HOST,
          HAZELCAST_ADDRESSES: member.address,
          HAZELCAST_CLUSTER_NAME: CLUSTER,
        },
      }),
  );
  let stopping = false;
  let prometheus: LocalPrometheus | undefined;
  const stopAll = async (code: number): Promise<never> => {
    stopping = true;
    await prometheus?.stop();
    say('\nStopping the services …');
    await Promise.all(services.map((service) => service.stop()));
    say('Stopping the Hazelcast member …');
    await member.stop();
    say('Stopped.');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stopAll(0));

  say('Starting account, inventory, order and payment …');
  for (const service of services) service.start();
  try {
    await Promise.all(services.map((service) => service.waitReady()));
  } catch (error) {
    say(`\n${error instanceof Error ? error.message : String(error)}`);
    await stopAll(1);
  }
  for (const service of services) superviseRestarts(service, () => stopping);

  // A local Prometheus with the project's alert rules, when Debian's (or any) prometheus is installed.
  if (findPrometheus() && (await isPortFree(HOST, 9090))) {
    const rules = join(root, 'dashboards', 'generated', 'hms-alerts.rules.yaml');
    prometheus = await startLocalPrometheus({
      targets: services.map((service) => `${HOST}:${service.options.port}`),
      port: 9090,
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
      `  ${service.options.name.padEnd(10)} ${service.baseUrl}   (/openapi.json, /metrics, /actuator/health)`,
    );
  }
  say(`  hazelcast  ${member.address}  (cluster "${CLUSTER}")`);
  say(
    prometheus
      ? `  prometheus ${prometheus.url}   (/targets, /alerts; rules from dashboards/generated)`
      : '  prometheus not started (install it to get one: apt-get install prometheus)',
  );
  say('Logs: .run/<service>.log   Try: curl -s localhost:8081/api/customers');
  say('Press Ctrl-C to stop everything.');
}

/** A service that dies is started again, as its Deployment would restart it; nothing it committed is lost. */
function superviseRestarts(service: ServiceProcess, stopping: () => boolean): void {
  const watch = (): void => {
    void service.exited.then(async (code) => {
      if (stopping()) return;
      say(`${service.options.name} exited (code ${code}); restarting it …`);
      service.start();
      watch();
      await service.waitReady().then(
        () => say(`${service.options.name} is back on ${service.baseUrl}`),
        (error: unknown) => say(error instanceof Error ? error.message : String(error)),
      );
    });
  };
  watch();
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
