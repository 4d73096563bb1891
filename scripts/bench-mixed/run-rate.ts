import { withTimeout, type Cleanup } from '../bench/cleanup';
import { cpuSnapshot } from '../bench/cpu';
import type { Shop } from '../bench-saga/shop';
import { memoryOf, RssSampler } from '../bench-saga/procfs';
import { MixedWorkload } from '../bench-soak/mix';
import { readSagas } from '../bench-soak/read-sagas';
import { sagaCounts } from '../bench-soak/sampler';
import { settle } from '../bench-soak/settle';
import { openShop, startSoakSystem, type SoakSystem } from '../bench-soak/system';
import { attackPids, startAttack, type VegetaAttack } from '../load-tools/vegeta';
import { cpuFigures, kindFigures } from './figures';
import type { MixedOptions } from './options';
import type { RateResult } from './result';
import { feedTargets, kindOfUrl, targetOf } from './targets';

export interface RateRun {
  readonly options: MixedOptions;
  readonly rate: number;
  readonly runId: string;
  /** Logs of every process of this run go here. */
  readonly dir: string;
  readonly vegeta: string;
  readonly cleanup: Cleanup;
  readonly aborted: () => boolean;
  readonly say: (line: string) => void;
}

/** Hands every vegeta result to the workload's books: how many, and the first and last send (epoch ms). */
async function readResults(attack: VegetaAttack, workload: MixedWorkload): Promise<[number, number, number]> {
  let first = Infinity;
  let last = -Infinity;
  let answered = 0;
  for await (const result of attack.results()) {
    const kind = kindOfUrl(result.url);
    if (kind === undefined) continue;
    answered++;
    first = Math.min(first, result.sentAtEpochMs);
    last = Math.max(last, result.sentAtEpochMs);
    // vegeta's code is 0 when no answer came (timeout, refused connection); its error then says why.
    if (result.code === 0) workload.stats[kind].failed(result.error);
    else {
      const sentAt = performance.now() - (Date.now() - result.sentAtEpochMs);
      workload.record(kind, { status: result.code, body: result.body }, sentAt, result.latencyMs);
    }
  }
  return [answered, first, last];
}

function roundedMb(values: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([name, mb]) => [name, Math.round(mb)]));
}

/** VmRSS of each process now, MB. */
function rssNow(pids: Readonly<Record<string, number | undefined>>): Record<string, number> {
  const now: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    const memory = pid === undefined ? undefined : memoryOf(pid);
    if (memory) now[name] = Math.round(memory.rssMb);
  }
  return now;
}

function progress(rate: number, workload: MixedWorkload, say: (line: string) => void): NodeJS.Timeout {
  const started = performance.now();
  const timer = setInterval(() => {
    const seconds = Math.round((performance.now() - started) / 1000);
    say(
      `  [${rate}/s] t=${seconds} s  orders ${workload.ordersCreated}  shed ${workload.shed}  ` +
        `errors ${workload.errors}`,
    );
  }, 15_000);
  timer.unref();
  return timer;
}

async function prepare(
  run: RateRun,
): Promise<{ system: SoakSystem; workload: MixedWorkload; shop: Shop; tag: string }> {
  const { options, say } = run;
  const system = await startSoakSystem(
    {
      mode: options.mode,
      runId: run.runId,
      dir: run.dir,
      heap: options.heap,
      maxInFlight: 64,
      keepData: false,
      pgStatements: false,
      say,
    },
    run.cleanup,
  );
  const tag = `${run.runId}r${run.rate}`;
  const shop = await openShop(system, options, tag, say);
  const workload = new MixedWorkload(system.http, shop, {
    tag,
    sagaSampleEvery: options.sagaSampleEvery,
    stopped: () => run.aborted() || system.broken() !== undefined,
  });
  return { system, workload, shop, tag };
}

/** One rate on a system of its own: start it, offer the mix through vegeta, settle, read the sagas back. */
export async function runRate(run: RateRun): Promise<RateResult> {
  const { options, rate, say } = run;
  const startedAt = new Date();
  const { system, workload, shop, tag } = await prepare(run);
  const stopped = (): boolean => run.aborted() || system.broken() !== undefined;
  const baseline = await sagaCounts(system.http.admin);
  const planned = Math.round((rate * options.durationMs) / 1000);
  const attack = startAttack(run.vegeta, {
    ratePerSecond: rate,
    durationMs: options.durationMs,
    maxWorkers: options.maxInFlight,
    timeoutMs: 10_000,
  });
  run.cleanup.push('vegeta', async () => attack.process.stop());
  const pids = (): Record<string, number | undefined> => ({
    ...system.pids(),
    ...(system.postgres ? { postgres: system.postgres.pid } : {}),
    bench: process.pid,
    ...attackPids(attack),
  });
  const rss = new RssSampler(pids);
  rss.start();
  const cpuStart = cpuSnapshot(system.cpuPids());
  const loadStart = performance.now();
  say(`  [${rate}/s] offering ${planned} iterations over ${options.durationMs / 1000} s through vegeta …`);
  const ticker = progress(rate, workload, say);
  const baseUrls = {
    account: system.services.account.baseUrl,
    inventory: system.services.inventory.baseUrl,
    order: system.services.order.baseUrl,
  };
  const feeding = feedTargets(
    attack.process.stdin,
    planned,
    (seq) => targetOf(seq, shop, tag, baseUrls),
    stopped,
  );
  const [answered, firstSent, lastSent] = await readResults(attack, workload);
  await feeding;
  clearInterval(ticker);
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const rssEnd = rssNow(pids());
  const atLoadEnd = await sagaCounts(system.http.admin);
  const vegetaEnd = await attack.process.ended;
  say(`  [${rate}/s] load done (vegeta exit ${vegetaEnd.code}); waiting for the sagas to end …`);
  await settle(system.http.admin, options.settleTimeoutMs, stopped, say);
  await withTimeout(workload.drained(), 20_000, 'order-and-poll').catch(() => undefined);
  const settled = await sagaCounts(system.http.admin);
  const cpuEnd = cpuSnapshot(system.cpuPids());
  rss.stop();
  say(`  [${rate}/s] reading ${workload.sampledSagas.length} sampled sagas back …`);
  const sagas = await readSagas(system.http.admin, workload.sampledSagas);
  const completed = settled && baseline ? settled.completed - baseline.completed : undefined;
  const broken = system.broken() ?? (run.aborted() ? 'aborted' : undefined);
  return {
    rate,
    mode: options.mode,
    startedAt: startedAt.toISOString(),
    durationMs: options.durationMs,
    ...(broken ? { broken } : {}),
    load: {
      planned,
      answered,
      heldPerSecond: lastSent > firstSent ? ((answered - 1) * 1000) / (lastSent - firstSent) : 0,
      vegetaCpuSeconds: vegetaEnd.cpuSeconds,
    },
    ...kindFigures(workload),
    ordersCreated: workload.ordersCreated,
    sagas: {
      completedPerSecond:
        atLoadEnd && baseline ? (atLoadEnd.completed - baseline.completed) / loadSeconds : undefined,
      completed,
      runningAfterSettle: settled?.running,
      sampled: sagas.sampled,
      sampledCompleted: sagas.completed,
      compensated: sagas.compensated,
      failed: sagas.failed,
      timedOut: sagas.timedOut,
      unfinished: sagas.unfinished,
      durationMs: sagas.durationMs,
    },
    cpu: cpuFigures(cpuStart, cpuEnd, vegetaEnd.cpuSeconds, completed),
    rssMb: { max: roundedMb(rss.maxima()), end: rssEnd },
  };
}
