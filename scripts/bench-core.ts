/**
 * `npm run bench:core`: how fast is the core, and what does the framework cost? In one run it starts its
 * own Hazelcast member and measures, closed loop at a fixed concurrency, stock reservations done
 *   A  raw: the same Hazelcast operations written directly with hazelcast-client (no framework code),
 *   B  in-process through the framework (repository.handle with the inventory decider),
 *   A* and B* the same on a single hot product,
 *   C  over HTTP against the real inventory service process,
 * then prints a table and writes it (JSON + a markdown section) to .run/bench/. See docs/benchmarks.md.
 */
import { Cleanup, messageOf } from './bench/cleanup';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import type { Client as HazelcastClient } from 'hazelcast-client';
import { connectHazelcast } from '../src/hazelcast/client';
import { HAZELCAST_VERSION, requireJava } from '../src/hazelcast/jar';
import { projectRoot, startMember, type HazelcastMember } from '../src/hazelcast/member';
import { ServiceProcess } from '../src/local/service-process';
import { findFreePort } from '../src/net/free-port';
import { runClosedLoop, type ClosedLoopResult, type Operation } from './bench/closed-loop';
import { cpuSnapshot, cpuUsageBetween, type CpuSnapshot, type CpuUsage } from './bench/cpu';
import { setUpFramework } from './bench/framework-scenario';
import { gcBetween, gcLogOffset, gcLogToolOptions, type MemberGc } from './bench/member-gc';
import { createHttpClient, setUpHttp } from './bench/http-scenario';
import { parseOptions, USAGE, type BenchOptions, type Phase } from './bench/options';
import { exitWhenDone, startWatchdog } from './bench/lifecycle';
import { benchServiceEnv } from './bench/service-env';
import { parseOrExit } from './bench/usage';
import { setUpRaw, type RawStats } from './bench/raw-scenario';
import {
  barsOf,
  PHASE_TITLES,
  ratiosOf,
  renderMarkdown,
  renderTable,
  fmtInt,
  fmtMs,
  type BenchResult,
  type CodeVersion,
  machineInfo,
  type MachineInfo,
  type PhaseResult,
} from './bench/report';
import {
  destroyPrefixed,
  frameworkCountersBetween,
  type FrameworkCounters,
  type MetricSamples,
} from './bench/workload';

const HOST = '127.0.0.1';
/**
 * Short, equally long order-id tags per phase: the product view stores every order id, so longer ids in
 * one phase would make its documents (the dominant cost) bigger than another's.
 */
const ORDER_TAGS: Readonly<Record<Phase, string>> = {
  raw: 'A0',
  framework: 'B0',
  'raw-hot': 'A1',
  'framework-hot': 'B1',
  http: 'C0',
};
const say = (line: string): void => void process.stdout.write(`${line}\n`);

interface Environment {
  readonly options: BenchOptions;
  readonly root: string;
  readonly outDir: string;
  readonly runId: string;
  readonly member: HazelcastMember;
  readonly memberGcLog: string;
  readonly client: HazelcastClient;
  readonly cleanup: Cleanup;
  readonly aborted: () => boolean;
}

/** A measured window plus what was sampled at its edges. */
interface Measured {
  readonly loop: ClosedLoopResult;
  readonly cpu: CpuUsage;
  readonly benchEventLoop: number;
  readonly counters?: FrameworkCounters;
  readonly memberGc?: MemberGc;
}

async function measure(
  env: Environment,
  phase: Phase,
  operation: Operation,
  pids: Readonly<Record<string, number | undefined>>,
  metrics?: () => Promise<MetricSamples>,
  hooks: { readonly start?: () => void; readonly end?: () => void } = {},
): Promise<Measured> {
  const { options } = env;
  let cpuStart: CpuSnapshot | undefined;
  let cpuEnd: CpuSnapshot | undefined;
  let eluStart: EventLoopUtilization | undefined;
  let eluEnd: EventLoopUtilization | undefined;
  let metricsStart: Promise<MetricSamples> | undefined;
  let metricsEnd: Promise<MetricSamples> | undefined;
  let gcStart = 0;
  let gcEnd = 0;
  const loop = await runClosedLoop(operation, {
    label: PHASE_TITLES[phase].slice(3).trim(),
    concurrency: options.concurrency,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
    maxOps: options.maxOpsPerPhase,
    drainTimeoutMs: 30_000,
    progressEveryMs: options.quick ? 1_000 : 3_000,
    say,
    aborted: env.aborted,
    onWindowStart: () => {
      cpuStart = cpuSnapshot(pids);
      eluStart = performance.eventLoopUtilization();
      metricsStart = metrics?.();
      gcStart = gcLogOffset(env.memberGcLog);
      hooks.start?.();
    },
    onWindowEnd: () => {
      cpuEnd = cpuSnapshot(pids);
      eluEnd = performance.eventLoopUtilization();
      metricsEnd = metrics?.();
      gcEnd = gcLogOffset(env.memberGcLog);
      hooks.end?.();
    },
  });
  // Interrupted: stopEverything is tearing the processes down; the phase has nothing left to report.
  if (env.aborted()) throw new Error('interrupted');
  const cpu =
    cpuStart && cpuEnd
      ? cpuUsageBetween(cpuStart, cpuEnd)
      : { processes: {}, machine: undefined, other: undefined };
  const benchEventLoop =
    eluStart && eluEnd ? performance.eventLoopUtilization(eluEnd, eluStart).utilization : 0;
  let counters: FrameworkCounters | undefined;
  if (metricsStart && metricsEnd) {
    try {
      counters = frameworkCountersBetween(await metricsStart, await metricsEnd);
    } catch (error) {
      say(`  (could not read the framework metrics: ${messageOf(error)})`);
    }
  }
  const memberGc = gcBetween(env.memberGcLog, gcStart, gcEnd);
  return { loop, cpu, benchEventLoop, ...(counters ? { counters } : {}), ...(memberGc ? { memberGc } : {}) };
}

type EventLoopUtilization = ReturnType<typeof performance.eventLoopUtilization>;

function phaseResult(
  env: Environment,
  phase: Phase,
  products: number,
  measured: Measured,
  extra: Partial<PhaseResult>,
): PhaseResult {
  const { loop } = measured;
  const counters = measured.counters;
  return {
    phase,
    title: PHASE_TITLES[phase],
    products,
    concurrency: env.options.concurrency,
    completed: loop.completed,
    errors: loop.errors,
    errorSamples: loop.errorSamples,
    opsPerSecond: loop.opsPerSecond,
    latencyMs: {
      p50: loop.latency.percentileMs(0.5),
      p95: loop.latency.percentileMs(0.95),
      p99: loop.latency.percentileMs(0.99),
      mean: loop.latency.meanMs(),
      max: loop.latency.maxMs(),
    },
    timeline: loop.timeline,
    cpu: measured.cpu,
    benchEventLoop: measured.benchEventLoop,
    stuck: loop.stuck,
    ...(measured.memberGc ? { memberGc: measured.memberGc } : {}),
    ...(counters
      ? {
          conflicts: counters.conflicts,
          appended: counters.appended,
          published: counters.published,
          stageMeanMs: counters.stageMeanMs,
          ...(counters.serverMeanMs !== undefined ? { serverMeanMs: counters.serverMeanMs } : {}),
        }
      : {}),
    ...extra,
  };
}

async function viewOf(
  client: HazelcastClient,
  mapName: string,
  productId: string | undefined,
): Promise<{ bytes: number; reservations: number } | undefined> {
  if (productId === undefined) return undefined;
  const map = await client.getMap<string, { toString(): string }>(mapName);
  const value = await map.get(productId);
  if (!value) return undefined;
  const json = value.toString();
  const parsed = JSON.parse(json) as { state?: { reservations?: Record<string, number> } };
  return {
    bytes: Buffer.byteLength(json),
    reservations: Object.keys(parsed.state?.reservations ?? {}).length,
  };
}

function sayDone(result: PhaseResult): void {
  const cpu = Object.entries(result.cpu.processes)
    .map(([name, percent]) => `${name} ${percent.toFixed(0)}%`)
    .join(', ');
  say(
    `  [${result.title.slice(3).trim()}] done: ${fmtInt(result.completed)} ops, ${fmtInt(result.opsPerSecond)} ops/s, ` +
      `p50 ${fmtMs(result.latencyMs.p50)} / p95 ${fmtMs(result.latencyMs.p95)} / p99 ${fmtMs(result.latencyMs.p99)} ms, ` +
      `errors ${result.errors}; CPU ${cpu}${result.cpu.other !== undefined ? `, other ${result.cpu.other.toFixed(0)}%` : ''}`,
  );
}

/**
 * The member's JIT compiles its hot paths during the first seconds of load; without this the first
 * phase (raw) would pay for it alone. Raw reservations on throwaway maps, not measured.
 */
async function warmUpMember(env: Environment): Promise<void> {
  const { options } = env;
  if (options.memberWarmupMs <= 0) return;
  const prefix = `${env.runId}-member-warmup.`;
  say(`\nWarming up the member JVM: ${options.memberWarmupMs / 1000} s of raw reservations, not measured …`);
  const scenario = await setUpRaw(env.client, {
    prefix,
    products: options.products,
    orderTag: `${env.runId}-W0`,
  });
  const loop = await runClosedLoop(scenario.operation, {
    label: 'member warm-up',
    concurrency: options.concurrency,
    warmupMs: 0,
    durationMs: options.memberWarmupMs,
    maxOps: options.maxOpsPerPhase,
    drainTimeoutMs: 30_000,
    progressEveryMs: options.quick ? 1_000 : 5_000,
    say,
    aborted: env.aborted,
  });
  await scenario.drain();
  await destroyPrefixed(env.client, prefix);
  say(`  warm-up done: ${fmtInt(loop.completed)} reservations, errors ${loop.errors}`);
}

async function runRaw(env: Environment, phase: 'raw' | 'raw-hot'): Promise<PhaseResult> {
  const products = phase === 'raw-hot' ? 1 : env.options.products;
  const prefix = `${env.runId}-${phase}.`;
  say(`\n${PHASE_TITLES[phase]}: creating ${products} product(s) directly in maps '${prefix}Product.*' …`);
  const scenario = await setUpRaw(env.client, {
    prefix,
    products,
    orderTag: `${env.runId}-${ORDER_TAGS[phase]}`,
    view: env.options.rawView,
    conflict: env.options.rawConflict,
  });
  if (env.options.rawView !== 'mirror' || env.options.rawConflict !== 'walk') {
    say(`  experiment: --raw-view=${env.options.rawView} --raw-conflict=${env.options.rawConflict}`);
  }
  let statsStart = scenario.stats();
  let statsEnd: RawStats | undefined;
  const measured = await measure(
    env,
    phase,
    scenario.operation,
    { member: env.member.pid, bench: process.pid },
    undefined,
    { start: () => (statsStart = scenario.stats()), end: () => (statsEnd = scenario.stats()) },
  );
  statsEnd ??= scenario.stats();
  const backlog = statsEnd.publishBacklog;
  const drainMs = await scenario.drain();
  const view = await viewOf(env.client, `${prefix}Product.view`, scenario.productIds[0]);
  await destroyPrefixed(env.client, prefix);
  const result = phaseResult(env, phase, products, measured, {
    conflicts: statsEnd.conflicts - statsStart.conflicts,
    published: statsEnd.published - statsStart.published,
    drainMs,
    ...(view ? { view } : {}),
  });
  sayDone(result);
  say(`  (publish backlog at the end ${backlog}, drained in ${fmtInt(drainMs)} ms)`);
  return result;
}

async function runFramework(env: Environment, phase: 'framework' | 'framework-hot'): Promise<PhaseResult> {
  const products = phase === 'framework-hot' ? 1 : env.options.products;
  const prefix = `${env.runId}-${phase}.`;
  say(
    `\n${PHASE_TITLES[phase]}: creating ${products} product(s) with repository.handle (prefix '${prefix}') …`,
  );
  const scenario = await setUpFramework(env.client, {
    prefix,
    products,
    orderTag: `${env.runId}-${ORDER_TAGS[phase]}`,
    logFile: join(env.outDir, 'bench-framework.log'),
  });
  const forget = env.cleanup.push(`framework runtime ${phase}`, async () => void (await scenario.close()));
  const measured = await measure(
    env,
    phase,
    scenario.operation,
    { member: env.member.pid, bench: process.pid },
    scenario.metrics,
  );
  const drainMs = await scenario.close();
  forget();
  const view = await viewOf(env.client, `${prefix}Product.view`, scenario.productIds[0]);
  await destroyPrefixed(env.client, prefix);
  const result = phaseResult(env, phase, products, measured, { drainMs, ...(view ? { view } : {}) });
  sayDone(result);
  return result;
}

async function runHttp(env: Environment): Promise<PhaseResult> {
  const { options } = env;
  const prefix = `${env.runId}-http.`;
  const port = await findFreePort(HOST);
  const profileDir = join(env.outDir, 'profiles');
  const service = new ServiceProcess({
    name: 'inventory',
    port,
    buildDir: join(env.root, 'build'),
    logFile: join(env.outDir, 'inventory.log'),
    env: {
      ...benchServiceEnv(env.member, prefix),
      ...(options.profileService ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}),
    },
  });
  say(
    `\n${PHASE_TITLES.http}: starting the inventory service on ${HOST}:${port} (log .run/bench/inventory.log) …`,
  );
  service.start();
  const forgetService = env.cleanup.push('inventory service', () => service.stop());
  await service.waitReady(60_000);
  const client = createHttpClient(options.httpClient, service.baseUrl, options.concurrency + 1);
  const forgetClient = env.cleanup.push('http client', async () => client.close());
  say(
    `  creating ${options.products} products with POST /api/products; load generator: ${options.httpClient} …`,
  );
  const scenario = await setUpHttp(client, {
    products: options.products,
    orderTag: `${env.runId}-${ORDER_TAGS.http}`,
  });
  const measured = await measure(
    env,
    'http',
    scenario.operation,
    { member: env.member.pid, service: service.pid, bench: process.pid },
    scenario.metrics,
  );
  client.close();
  forgetClient();
  say('  stopping the inventory service (it drains its outbox) …');
  const stopStarted = performance.now();
  await service.stop();
  const drainMs = performance.now() - stopStarted;
  forgetService();
  if (options.profileService) say(`  service CPU profile written to ${profileDir}/`);
  const view = await viewOf(env.client, `${prefix}Product.view`, scenario.productIds[0]);
  await destroyPrefixed(env.client, prefix);
  const result = phaseResult(env, 'http', options.products, measured, {
    drainMs,
    httpClient: options.httpClient,
    ...(view ? { view } : {}),
  });
  sayDone(result);
  return result;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options: BenchOptions = parseOrExit('bench:core', USAGE, () => parseOptions(argv, process.env));

  const startedAt = new Date();
  const root = projectRoot();
  const code = codeVersion(root);
  const outDir = resolve(options.outDir ?? join(root, '.run', 'bench'));
  mkdirSync(outDir, { recursive: true });
  const runId = `b${startedAt.getTime().toString(36)}`;
  const stopEverything = async (why: string, code: number): Promise<never> => {
    aborted = true;
    say(`\n${why}: stopping the service, the client and the member …`);
    await cleanup.runAll();
    say('Stopped.');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stopEverything(`Got ${signal}`, 130));
  }
  const perPhaseMs = options.warmupMs + options.durationMs + 90_000;
  const watchdogMs = 180_000 + options.phases.length * perPhaseMs;
  startWatchdog(watchdogMs, stopEverything);

  const java = await requireJava();
  say(
    `bench:core: ${options.phases.join(', ')}; ${options.durationMs / 1000} s measured after ` +
      `${options.warmupMs / 1000} s warm-up each, ${options.concurrency} in flight, ${options.products} products` +
      `${options.quick ? ' (quick smoke run)' : ''}`,
  );
  say(
    `Machine: ${os.cpus().length} cores, Node ${process.version}, Java ${java.version}; results go to ${outDir}`,
  );
  const memberGcLog = join(outDir, 'hazelcast-member-gc.log');
  say(`Starting a Hazelcast ${HAZELCAST_VERSION} member (heap ${options.heap}) on ${HOST} …`);
  const member = await startMember({
    clusterName: `bench-${runId}`,
    host: HOST,
    heap: options.heap,
    logFile: join(outDir, 'hazelcast-member.log'),
    log: (line) => say(`  ${line}`),
    env: { ...process.env, JAVA_TOOL_OPTIONS: gcLogToolOptions(memberGcLog, process.env.JAVA_TOOL_OPTIONS) },
  });
  cleanup.push('Hazelcast member', () => member.stop());
  say(`  member ${member.address} ready in ${(member.readyMs / 1000).toFixed(1)} s (pid ${member.pid})`);
  const client = await connectHazelcast({ clusterName: member.clusterName, addresses: [member.address] });
  cleanup.push('Hazelcast client', () => client.shutdown());

  const env: Environment = {
    options,
    root,
    outDir,
    runId,
    member,
    memberGcLog,
    client,
    cleanup,
    aborted: () => aborted,
  };
  const machine: MachineInfo = machineInfo(java.version);

  await warmUpMember(env);
  const phases: PhaseResult[] = [];
  for (const phase of options.phases) {
    if (aborted) break;
    if (phase === 'raw' || phase === 'raw-hot') phases.push(await runRaw(env, phase));
    else if (phase === 'framework' || phase === 'framework-hot') phases.push(await runFramework(env, phase));
    else phases.push(await runHttp(env));
  }
  if (aborted) return;

  const find = (phase: Phase): PhaseResult | undefined => phases.find((result) => result.phase === phase);
  const spread = ratiosOf(find('raw'), find('framework'));
  const hot = ratiosOf(find('raw-hot'), find('framework-hot'));
  const result: BenchResult = {
    format: 'bench-core/1',
    code,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: `npm run bench:core${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    options,
    machine,
    phases,
    ...(spread ? { spread } : {}),
    ...(hot ? { hot } : {}),
    bars: barsOf(spread, find('http')),
  };

  say('\nStopping the client and the member …');
  await cleanup.runAll();
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const jsonFile = join(outDir, `bench-core-${stamp}.json`);
  const markdownFile = join(outDir, `bench-core-${stamp}.md`);
  writeFileSync(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(markdownFile, renderMarkdown(result));
  say(`\n${renderTable(result)}\n`);
  say(`Written: ${jsonFile}\n         ${markdownFile}`);
  say(
    `Medians over several runs: ./node_modules/.bin/node build/scripts/bench/summarize.js ${outDir}/bench-core-*.json`,
  );
}

/** Read-only git: the commit and the tracked files changed in the working tree (no index refresh). */
function codeVersion(root: string): CodeVersion {
  const git = (...args: string[]): string =>
    execFileSync('git', ['--no-optional-locks', '-C', root, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    });
  try {
    const commit = git('rev-parse', '--short', 'HEAD').trim();
    const modified = git('status', '--porcelain', '--untracked-files=no')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => line.slice(3))
      .slice(0, 20);
    return { commit, modified };
  } catch {
    return {};
  }
}

const cleanup = new Cleanup(say, 45_000);
let aborted = false;

exitWhenDone(
  'bench:core',
  main(),
  () => aborted,
  () => cleanup.runAll(),
);
