import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { hostname } from 'node:os';
import path from 'node:path';
import { stopChild } from '../core/child-process';
import type { ProcessExit } from '../core/process-exit';
import { findFreePort, isPortFree } from '../net/free-port';
import { ensureHazelcastJar, ensureJmxExporterJar, javaCommand, requireJava } from './jar';
import type { LogLine } from './jar';
import { MEMBER_GC_FLAGS } from './member-jvm';
import { memberMetricsAgentFlag, memberMetricsConfigPath, memberMetricsUrl } from './member-metrics';

type Env = Readonly<Record<string, string | undefined>>;

export const MEMBER_MAIN_CLASS = 'com.hazelcast.core.server.HazelcastMemberStarter';
export const DEFAULT_MEMBER_HEAP = '512m';

export interface StartMemberOptions {
  clusterName: string;
  /** Interface the member binds to and advertises; loopback keeps the local run private. */
  host?: string;
  /** 0 or undefined: a free port on host is picked. */
  port?: number;
  /** -Xms and -Xmx, e.g. '512m'. */
  heap?: string;
  /** Member stdout/stderr go here, never to our console. Default: .run/hazelcast-member-<port>.log. */
  logFile?: string;
  /** Default: config/hazelcast.yaml of this repository. */
  configPath?: string;
  readyTimeoutMs?: number;
  /**
   * How long stop() waits after SIGTERM before SIGKILL. Default 70 s: just above the
   * hazelcast.graceful.shutdown.max.wait (60 s) of config/hazelcast.yaml, so migrations can finish.
   */
  stopTimeoutMs?: number;
  /** TCP-IP join list; default just this member, i.e. a one-member cluster. */
  members?: readonly string[];
  /** Cluster safety, as on Kubernetes (see memberSystemProperties); all off by default. */
  nodeName?: string;
  partitionGroups?: boolean;
  splitBrainQuorum?: number;
  /** Extra -D system properties (Hazelcast properties, diagnostics, …). */
  systemProperties?: Readonly<Record<string, string>>;
  /** Default: ensureHazelcastJar(). */
  jarPath?: string;
  /** Serve the member's JVM metrics (Prometheus JMX exporter agent) on host:metricsPort; 0 picks a free port. */
  metricsPort?: number;
  log?: LogLine;
  env?: Env;
}

export interface HazelcastMember {
  /** host:port, as clients list it. */
  address: string;
  host: string;
  port: number;
  clusterName: string;
  pid: number;
  logFile: string;
  /** Spawn to health/ready answering 200. */
  readyMs: number;
  /** Resolves with the JVM exit code once the process is gone. */
  exited: Promise<number | null>;
  /** The same moment, with the signal that killed it (SIGKILL, an OOM killer …) when there was one. */
  exit: Promise<ProcessExit>;
  /** http://host:port/metrics of the JMX exporter agent, when metricsPort was given. */
  metricsUrl?: string;
  stop(): Promise<void>;
}

/** Marks failures where the port was taken, so callers that picked a port themselves can retry. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

// The JVM flags Hazelcast asks for on Java 9+ (it logs them otherwise); they let it use faster internals.
const MODULE_FLAGS = [
  '--add-modules',
  'java.se',
  '--add-exports',
  'java.base/jdk.internal.ref=ALL-UNNAMED',
  '--add-opens',
  'java.base/java.lang=ALL-UNNAMED',
  '--add-opens',
  'java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens',
  'java.management/sun.management=ALL-UNNAMED',
  '--add-opens',
  'jdk.management/com.sun.management.internal=ALL-UNNAMED',
];

// One line per record instead of JUL's two, so a log tail in an error message reads well.
const LOG_FORMAT = '%1$tF %1$tT.%1$tL %4$s %3$s - %5$s%6$s%n';

/** config/hazelcast.yaml, found from both src/ (ts via jest) and build/src/ (compiled). */
export function defaultConfigPath(): string {
  return path.join(projectRoot(), 'config', 'hazelcast.yaml');
}

export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'config', 'hazelcast.yaml'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`config/hazelcast.yaml not found above ${__dirname}`);
    dir = parent;
  }
}

export interface MemberPropertyOptions {
  clusterName: string;
  host: string;
  port: number;
  members?: readonly string[];
  /** The node the member runs on (Kubernetes: spec.nodeName). Default: this host's name. */
  nodeName?: string;
  /** NODE_AWARE partition groups; only meaningful when members run on several nodes. Default off. */
  partitionGroups?: boolean;
  /**
   * Split-brain protection's quorum (at least 2) for the event stores, saga records and streams.
   * Default off: a one-member cluster (the local run, the tests) could never reach a quorum.
   */
  splitBrainQuorum?: number;
}

/**
 * The system properties config/hazelcast.yaml substitutes. Hazelcast's `${name}` replacement has no
 * default syntax and fails on a missing name, so all of them are always passed.
 */
export function memberSystemProperties(options: MemberPropertyOptions): Record<string, string> {
  const self = `${options.host}:${options.port}`;
  const quorum = options.splitBrainQuorum;
  if (quorum !== undefined && !(Number.isInteger(quorum) && quorum >= 2)) {
    throw new Error(`splitBrainQuorum must be an integer of at least 2 (Hazelcast's minimum), got ${quorum}`);
  }
  return {
    'hzms.cluster.name': options.clusterName,
    'hzms.port': String(options.port),
    'hzms.public.address': self,
    'hzms.interfaces.enabled': 'true',
    'hzms.interface': options.host,
    'hzms.bind.any': 'false',
    'hzms.members': (options.members?.length ? options.members : [self]).join(','),
    'hzms.node.name': options.nodeName ?? hostname(),
    'hzms.partition.group.enabled': String(options.partitionGroups ?? false),
    'hzms.split.brain.protection.enabled': String(quorum !== undefined),
    // Read even when protection is off, and Hazelcast refuses anything below 2.
    'hzms.split.brain.protection.min': String(quorum ?? 2),
  };
}

/** Starts a Hazelcast member JVM and resolves once its health endpoint reports ready. */
export async function startMember(options: StartMemberOptions): Promise<HazelcastMember> {
  const env = options.env ?? process.env;
  const host = options.host ?? '127.0.0.1';
  await requireJava({ env });
  const jarPath = options.jarPath ?? (await ensureHazelcastJar({ log: options.log, env }));
  const agentJar =
    options.metricsPort === undefined ? undefined : await ensureJmxExporterJar({ log: options.log, env });
  if (options.port) return launch(options, host, options.port, { jarPath, agentJar }, env);
  // A picked port can be taken between probing and the JVM binding it; pick again a few times.
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort(host);
    try {
      return await launch(options, host, port, { jarPath, agentJar }, env);
    } catch (error) {
      if (!(error instanceof PortInUseError) || attempt >= 3) throw error;
    }
  }
}

async function launch(
  options: StartMemberOptions,
  host: string,
  port: number,
  jars: { jarPath: string; agentJar: string | undefined },
  env: Env,
): Promise<HazelcastMember> {
  const { jarPath, agentJar } = jars;
  if (!(await isPortFree(host, port))) {
    throw new PortInUseError(
      `Cannot start the Hazelcast member: port ${port} on ${host} is already in use ` +
        `(another member still running? see 'ss -ltnp "sport = :${port}"'). Stop it or choose another port.`,
    );
  }
  const configPath = path.resolve(options.configPath ?? defaultConfigPath());
  if (!fs.existsSync(configPath)) throw new Error(`Hazelcast member config not found: ${configPath}`);
  const logFile = path.resolve(
    options.logFile ?? path.join(projectRoot(), '.run', `hazelcast-member-${port}.log`),
  );
  const heap = options.heap ?? DEFAULT_MEMBER_HEAP;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const properties: Record<string, string> = {
    'hazelcast.config': configPath,
    'java.util.logging.SimpleFormatter.format': LOG_FORMAT,
    ...memberSystemProperties({ ...options, host, port }),
    ...options.systemProperties,
  };
  const metricsPort = agentJar === undefined ? undefined : options.metricsPort || (await findFreePort(host));
  const metricsAgent =
    agentJar === undefined || metricsPort === undefined ? [] : [agentFlag(agentJar, host, metricsPort)];
  const args = [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    '-XX:+ExitOnOutOfMemoryError',
    ...MEMBER_GC_FLAGS,
    ...metricsAgent,
    ...MODULE_FLAGS,
    ...Object.entries(properties).map(([key, value]) => `-D${key}=${value}`),
    '-cp',
    jarPath,
    MEMBER_MAIN_CLASS,
  ];

  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const command = javaCommand(env);
  fs.writeFileSync(logFile, `# ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
  const fd = fs.openSync(logFile, 'a');
  const startedAt = Date.now();
  let child: ChildProcess;
  try {
    child = spawn(command, args, { env: { ...env }, stdio: ['ignore', fd, fd] });
  } finally {
    fs.closeSync(fd);
  }
  const exit = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  const exited = exit.then(({ code }) => code);
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const stop = (): Promise<void> => stopChild(child, exited, options.stopTimeoutMs ?? 70_000);

  const address = `${host}:${port}`;
  const polling = new AbortController();
  const outcome = await Promise.race([
    waitUntilReady(host, port, readyTimeoutMs, polling.signal).then((ready) => (ready ? 'ready' : 'timeout')),
    exited.then(() => 'exited' as const),
    spawnError,
  ]);
  polling.abort();
  if (outcome === 'ready' && child.exitCode === null && child.pid !== undefined) {
    return {
      address,
      host,
      port,
      clusterName: options.clusterName,
      pid: child.pid,
      logFile,
      readyMs: Date.now() - startedAt,
      exited,
      exit,
      metricsUrl: metricsPort === undefined ? undefined : memberMetricsUrl(host, metricsPort),
      stop,
    };
  }

  await stop();
  const tail = logTail(logFile);
  if (outcome instanceof Error) {
    throw new Error(`Could not run '${command}' for the Hazelcast member: ${outcome.message}`);
  }
  if (/already in use/i.test(tail)) {
    throw new PortInUseError(
      `Hazelcast member could not bind ${address}: port already in use. Log ${logFile}:\n${tail}`,
    );
  }
  const why =
    outcome === 'timeout'
      ? `was not ready within ${readyTimeoutMs} ms (GET http://${address}/hazelcast/health/ready)`
      : `exited early with code ${child.exitCode ?? child.signalCode}`;
  throw new Error(
    `Hazelcast member on ${address} (cluster ${options.clusterName}) ${why}. Log ${logFile}:\n${tail}`,
  );
}

const agentFlag = (agentJar: string, host: string, port: number): string =>
  memberMetricsAgentFlag(agentJar, host, port, memberMetricsConfigPath(projectRoot()));

/** Polls the member's HEALTH_CHECK REST endpoint (enabled in config/hazelcast.yaml). */
async function waitUntilReady(
  host: string,
  port: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !signal.aborted) {
    if ((await httpStatus(host, port, '/hazelcast/health/ready', 1_000)) === 200) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** Status code of GET path, or 0 when nothing answers. */
export function httpStatus(host: string, port: number, urlPath: string, timeoutMs = 2_000): Promise<number> {
  return new Promise((resolve) => {
    const request = http.get({ host, port, path: urlPath, agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(0));
  });
}

/** Last lines of the member log, minus Java stack frames and our command-line header, for error messages. */
export function logTail(logFile: string, maxLines = 25): string {
  let text: string;
  try {
    text = fs.readFileSync(logFile, 'utf8');
  } catch {
    return '  (no log written)';
  }
  const lines = text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '' && !/^\s+at |^\s+\.\.\. \d+ more|^# .*java /.test(line))
    .slice(-maxLines);
  return lines.map((line) => `  ${line}`).join('\n');
}
