/**
 * `npm run bench:soak`: does the system stay bounded and serving under a long open-loop run of the mixed
 * workload of the Java framework's k6 script? For each persistence mode (memory, then postgres) it starts
 * its own system (member, PostgreSQL in postgres mode, the four services), creates 100 customers and 100
 * products, offers the mix at a constant rate for the duration, and samples every 10 s the member's live
 * heap, every process's RSS, shed requests and errors. At the end it reads a sample of the sagas back and
 * prints, next to the bars of issue 11 item 9, sagas/s, saga p99, heap growth and bytes per order; results
 * go to .run/bench-soak/ as JSON and markdown. See docs/benchmarks.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { requireJava } from '../src/hazelcast/jar';
import { projectRoot } from '../src/hazelcast/member';
import { Cleanup, withTimeout } from './bench/cleanup';
import { cpuSnapshot, cpuUsageBetween, type CpuUsage } from './bench/cpu';
import { gcBetween, gcLogOffset } from './bench/member-gc';
import { codeState, machineInfo } from './bench/report';
import { exitWhenDone, startWatchdog } from './bench/lifecycle';
import { parseOrExit } from './bench/usage';
import { runOpenLoop } from './bench-saga/open-loop';
import { quantilesOf } from './bench-saga/report';
import { memoryFigures, soakBars } from './bench-soak/bars';
import { KINDS, MixedWorkload, type Kind } from './bench-soak/mix';
import { parseOptions, USAGE, type SoakMode, type SoakOptions } from './bench-soak/options';
import { renderSoak } from './bench-soak/render';
import { kindResult, type KindResult, type ModeResult, type SoakResult } from './bench-soak/result';
import { SoakSampler, type SoakSample } from './bench-soak/sampler';
import { readSagas } from './bench-soak/read-sagas';
import { settle } from './bench-soak/settle';
import { openShop, postgresSummed, startSoakSystem, type SoakSystem } from './bench-soak/system';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

let aborted = false;
let current: Cleanup | undefined;
/** The system being started: its processes reach the cleanup only once their start returns. */
let starting: Promise<unknown> | undefined;

/** One "postgres" figure for the server and its backends. */
function withPostgresSummed(cpu: CpuUsage): CpuUsage {
  return { ...cpu, processes: postgresSummed(cpu.processes) };
}

function progressLine(mode: SoakMode, sample: SoakSample): string {
  const services = Object.entries(sample.rssMb)
    .filter(([name]) => name !== 'member')
    .map(([name, mb]) => `${name} ${mb}`)
    .join(' ');
  return (
    `  [${mode}] t=${Math.round(sample.atS)} s  live heap ${sample.liveHeapMb?.toFixed(0) ?? '?'} MB ` +
    `(full GC ${sample.forcedGcMs ?? '?'} ms)  member RSS ${sample.rssMb.member ?? '?'} MB  RSS ${services}  ` +
    `orders ${sample.ordersCreated}  sagas done ${sample.sagasCompleted ?? '?'} running ${sample.sagasRunning ?? '?'}  ` +
    `shed ${sample.shed}  errors ${sample.errors}`
  );
}

/** The busiest statements of the run, per order created: where PostgreSQL's time goes. */
async function writeStatementProfile(system: SoakSystem, orders: number, dir: string): Promise<void> {
  const statements = await system.statements();
  const perOrder = (count: number): string => (orders > 0 ? (count / orders).toFixed(2) : '?');
  const total = statements.reduce((sum, each) => sum + each.calls, 0);
  const lines = [
    `# Statements of the postgres run: ${orders} orders, ${perOrder(total)} statements per order (top 40)`,
    '',
    '| per order | calls | total ms | statement |',
    '|---:|---:|---:|---|',
    ...statements.map(
      (each) =>
        `| ${perOrder(each.calls)} | ${each.calls} | ${each.totalMs.toFixed(0)} | ` +
        `\`${each.query.replace(/\s+/g, ' ').slice(0, 160)}\` |`,
    ),
  ];
  const file = join(dir, 'statements.md');
  writeFileSync(file, `${lines.join('\n')}\n`);
  say(`  statement profile: ${file} (${perOrder(total)} statements per order)`);
}

async function soak(
  options: SoakOptions,
  mode: SoakMode,
  outDir: string,
  runId: string,
): Promise<ModeResult> {
  const startedAt = new Date();
  const dir = join(outDir, `${runId}-${mode}`);
  mkdirSync(dir, { recursive: true });
  const cleanup = new Cleanup(say);
  current = cleanup;
  try {
    say(`\n== ${mode} mode ==`);
    const startingSystem = startSoakSystem(
      {
        mode,
        runId,
        dir,
        heap: options.heap,
        maxInFlight: options.maxInFlight,
        keepData: options.keepData,
        pgStatements: options.pgStatements,
        say,
      },
      cleanup,
    );
    starting = startingSystem;
    const system = await startingSystem.finally(() => (starting = undefined));
    const tag = `${runId}${mode.slice(0, 1)}`;
    const shop = await openShop(system, options, tag, say);

    const stopped = (): boolean => aborted || system.broken() !== undefined;
    const workload = new MixedWorkload(system.http, shop, {
      tag,
      sagaSampleEvery: options.sagaSampleEvery,
      stopped,
    });
    let sent = 0;
    const sampler = new SoakSampler(
      system.member.pid,
      () => system.pids(),
      system.http.admin,
      () => ({
        iterations: sent,
        ordersCreated: workload.ordersCreated,
        shed: workload.shed,
        errors: workload.errors,
      }),
      say,
    );
    sampler.begin(performance.now());
    const baseline = await sampler.take();
    say(`  before the load: ${progressLine(mode, baseline).trim()}`);

    const startPerf = performance.now() + 100;
    sampler.begin(startPerf);
    const cpuStart = cpuSnapshot(system.cpuPids());
    const gcStart = gcLogOffset(system.memberGcLog);
    const samples: SoakSample[] = [];
    let loadDone = false;
    const sampling = sampler.run(
      options.sampleEveryMs,
      () => loadDone || stopped(),
      (sample) => {
        samples.push(sample);
        say(progressLine(mode, sample));
      },
    );
    const loop = await runOpenLoop(
      (seq, scheduledAt) => {
        sent++;
        return workload.iteration(seq, scheduledAt);
      },
      {
        label: mode,
        ratePerSecond: options.rate,
        startPerf,
        totalMs: options.durationMs,
        maxRequests: Number.MAX_SAFE_INTEGER,
        maxInFlight: options.maxInFlight,
        lateToleranceMs: 50,
        sendGraceMs: 5_000,
        progressEveryMs: 30_000,
        say,
        aborted: stopped,
      },
    );
    loadDone = true;
    const cpu = cpuUsageBetween(cpuStart, cpuSnapshot(system.cpuPids()));
    await sampling;
    const gcEnd = gcLogOffset(system.memberGcLog);
    if (!stopped()) {
      const end = await sampler.take();
      samples.push(end);
      say(progressLine(mode, end));
    }
    const broken = system.broken();
    if (broken) say(`  [${mode}] STOPPED EARLY: ${broken}`);

    say(`  [${mode}] load done; waiting for the sagas to end …`);
    await settle(system.http.admin, options.settleTimeoutMs, stopped, say);
    await withTimeout(workload.drained(), 20_000, 'order-and-poll').catch(() => undefined);
    const settled = stopped() ? undefined : await sampler.take();
    if (settled) say(`  settled: ${progressLine(mode, settled).trim()}`);

    // The last sample of the load whose saga counts came back (an overloaded service may not answer).
    const last = samples.findLast((sample) => sample.sagasCompleted !== undefined);
    const perSecond =
      last?.sagasCompleted !== undefined && baseline.sagasCompleted !== undefined && last.atS > 0
        ? (last.sagasCompleted - baseline.sagasCompleted) / last.atS
        : undefined;
    say(`  reading ${workload.sampledSagas.length} sampled sagas back …`);
    const forcedGcs = [baseline, ...samples, ...(settled ? [settled] : [])].flatMap((sample) =>
      sample.forcedGcEpoch ? [sample.forcedGcEpoch] : [],
    );
    const sagas = {
      ...(await readSagas(system.http.admin, workload.sampledSagas, forcedGcs)),
      perSecond,
      runningAfterSettle: settled?.sagasRunning,
    };
    const databaseBytes = await system.databaseBytes().catch(() => undefined);
    if (options.pgStatements) await writeStatementProfile(system, workload.ordersCreated, dir);
    const memberGc = gcBetween(system.memberGcLog, gcStart, gcEnd);
    // A process that dies while the sagas settle or are read back broke the run as well.
    const brokenAtEnd = system.broken();
    if (brokenAtEnd && !broken) say(`  [${mode}] A PROCESS DIED AFTER THE LOAD: ${brokenAtEnd}`);

    const kinds = Object.fromEntries(KINDS.map((kind) => [kind, kindResult(workload.stats[kind])])) as Record<
      Kind,
      KindResult
    >;
    return {
      mode,
      startedAt: startedAt.toISOString(),
      rate: options.rate,
      durationMs: options.durationMs,
      ...(brokenAtEnd ? { broken: brokenAtEnd } : aborted ? { broken: 'aborted' } : {}),
      load: {
        scheduled: loop.scheduled,
        sent: loop.sent,
        late: loop.late,
        notSent: loop.notSent,
        latenessP99Ms: loop.lateness.percentileMs(0.99),
        maxInFlight: loop.maxInFlightSeen,
      },
      kinds,
      polls: {
        ...kindResult(workload.polls),
        settledMs: quantilesOf(workload.pollSettled),
        timedOut: workload.pollTimedOut,
      },
      ordersCreated: workload.ordersCreated,
      shed: workload.shed,
      errors: workload.errors,
      cpu: withPostgresSummed(cpu),
      baseline,
      samples,
      settled,
      memory: memoryFigures(options.durationMs, baseline, samples, settled),
      sagas,
      ...(memberGc ? { memberGc } : {}),
      ...(databaseBytes !== undefined ? { databaseBytes } : {}),
    };
  } finally {
    say(`  stopping the ${mode} system …`);
    await cleanup.runAll();
    current = undefined;
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parseOrExit('bench:soak', USAGE, () => parseOptions(argv, process.env));
  const startedAt = new Date();
  const outDir = resolve(options.outDir ?? join(projectRoot(), '.run', 'bench-soak'));
  mkdirSync(outDir, { recursive: true });
  const runId = startedAt.getTime().toString(36);

  const stopEverything = async (why: string, code: number): Promise<never> => {
    aborted = true;
    say(`\n${why}: stopping what this run started …`);
    if (starting) await withTimeout(starting, 180_000, 'start').catch(() => undefined);
    await current?.runAll();
    say('Stopped.');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (aborted) say(`Got ${signal} again: still stopping …`);
      else void stopEverything(`Got ${signal}`, 130);
    });
  }
  const perModeMs = 240_000 + options.durationMs + options.settleTimeoutMs + 120_000;
  const watchdogMs = 60_000 + options.modes.length * perModeMs;
  startWatchdog(watchdogMs, stopEverything);

  const java = await requireJava();
  say(
    `bench:soak: ${options.rate} iterations/s open loop for ${options.durationMs / 1000} s per mode ` +
      `(${options.modes.join(', then ')}); member heap ${options.heap}; results in ${outDir}`,
  );
  const machine = machineInfo(java.version);
  const code = codeState(projectRoot());
  const modes: ModeResult[] = [];
  for (const mode of options.modes) {
    if (aborted) break;
    modes.push(await soak(options, mode, outDir, runId));
  }
  if (aborted) return;

  const result: SoakResult = {
    format: 'bench-soak/1',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: `npm run bench:soak${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    options,
    machine,
    ...(code ? { code } : {}),
    modes,
    bars: soakBars(
      modes.find((run) => run.mode === 'memory'),
      modes.find((run) => run.mode === 'postgres'),
    ),
  };
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const jsonFile = join(outDir, `bench-soak-${stamp}.json`);
  const markdownFile = join(outDir, `bench-soak-${stamp}.md`);
  const markdown = renderSoak(result);
  writeFileSync(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(markdownFile, `${markdown}\n`);
  say(`\n${markdown}\n`);
  for (const bar of result.bars) {
    say(`${bar.met ? 'MET    ' : 'NOT MET'}  ${bar.name}: ${bar.actual} (target ${bar.target})`);
  }
  say(`\nWritten: ${jsonFile}\n         ${markdownFile}`);
}

exitWhenDone(
  'bench:soak',
  main(),
  () => aborted,
  async () => current?.runAll(),
);
