import type { CpuUsage } from '../bench/cpu';
import type { LatencyHistogram } from '../bench/histogram';
import type { MemberGc } from '../bench/member-gc';
import type { HeapHistogram, JfrSummary, StructureData } from './member-insight';
import type { SagaBenchOptions } from './options';
import type { Bar, BenchResultHeader, MachineInfo } from '../bench/report';

// The machine and bar records are bench:core's; bench:saga reports them the same way.
export type { Bar, MachineInfo };

/** The result of one `npm run bench:saga` run, also written as JSON so runs can be compared later. */
export interface Quantiles {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly mean: number;
  readonly max: number;
}

export function quantilesOf(histogram: LatencyHistogram): Quantiles {
  return {
    count: histogram.count,
    p50: histogram.percentileMs(0.5),
    p95: histogram.percentileMs(0.95),
    p99: histogram.percentileMs(0.99),
    mean: histogram.meanMs(),
    max: histogram.maxMs(),
  };
}

export interface ProcessResult {
  /** % of one core over the measured window (200 % = both cores of a 2-core machine). */
  readonly cpuPercent: number | undefined;
  /** The kernel's part of cpuPercent (system time). */
  readonly systemCpuPercent?: number;
  /** VmHWM at the end of the phase: the highest RSS over the process's life. */
  readonly peakRssMb: number | undefined;
  /** Highest VmRSS sampled (every second) inside the measured window. */
  readonly windowMaxRssMb: number | undefined;
}

/** A service's own metrics (/metrics) over the measured window. */
export interface ServiceCounters {
  readonly appended: number;
  readonly consumed: number;
  readonly conflicts: number;
  readonly handlerFailures: number;
  /** Mean ms per framework stage: append, view_update, publish, handle. */
  readonly stageMeanMs: Readonly<Record<string, number>>;
  /** Events handled per stage (count of the stage histogram). */
  readonly stageCount: Readonly<Record<string, number>>;
  /** Mean server-side time of POST /api/orders (order service only). */
  readonly createOrderServerMeanMs?: number;
  /** V8 GC pause time, seconds per second of window. */
  readonly gcFraction: number;
  /** Event-loop delay p99 (ms) as prom-client saw it since the window opened. */
  readonly eventLoopLagP99Ms?: number;
  /** V8 heap at the end of the window (prom-client default metrics), MB. */
  readonly heapUsedMb?: number;
  readonly heapTotalMb?: number;
  readonly externalMb?: number;
  /** V8 heap spaces at the end of the window (size, MB), e.g. new, old, code, large_object. */
  readonly heapSpacesMb?: Readonly<Record<string, number>>;
}

export interface RunResult {
  readonly label: string;
  readonly rate: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly windowStart: string;
  readonly orders: {
    readonly scheduled: number;
    readonly sent: number;
    readonly late: number;
    readonly waitedForSlot: number;
    readonly notSent: number;
    readonly created: number;
    readonly failed: number;
    readonly errorSamples: Readonly<Record<string, number>>;
    readonly latenessP99Ms: number;
    readonly latenessMaxMs: number;
    readonly maxInFlight: number;
  };
  readonly sagas: {
    /** Sagas of every created order of the phase (warm-up included). */
    readonly total: number;
    readonly completed: number;
    /** COMPENSATED without a timeout. */
    readonly compensated: number;
    readonly failed: number;
    readonly timedOut: number;
    /** Not ended when the settle timeout ran out (or no record at all). */
    readonly lost: number;
    readonly completedInWindow: number;
    readonly completedPerSecond: number;
    /** Completions per second of the window, second by second. */
    readonly perSecond: readonly number[];
    readonly failureSamples: Readonly<Record<string, number>>;
    /** From the end of the load to the last saga ending. */
    readonly settleMs: number;
  };
  readonly latencyMs: {
    /** completedAt − startedAt of the saga record, sagas whose order was due inside the window. */
    readonly sagaRecord: Quantiles;
    /** The same, only sagas whose seconds had other processes below 30 % of a core (shared machine). */
    readonly sagaRecordQuiet?: Quantiles;
    /** completedAt − the POST's scheduled send time (same machine, same clock), same sagas. */
    readonly clientToCompleted: Quantiles;
    /** Scheduled send → COMPLETED seen by polling GET /api/sagas/{id}, sampled sagas. */
    readonly clientPolled: Quantiles;
    /** POST /api/orders from its scheduled send time to the 201. */
    readonly orderCreate: Quantiles;
    /** The same from the actual send (service time, without waiting for a slot). */
    readonly orderCreateFromSend: Quantiles;
  };
  /** Per second of the whole load, warm-up first (by saga start): p99 of the saga record latency. */
  readonly p99BySecondMs: readonly number[];
  /** CPU used by other processes per second of the load (warm-up first), % of one core. */
  readonly otherCpuBySecond?: readonly number[];
  /** The member's GC pauses in the window: seconds after the window opened, and ms. */
  readonly memberGcPauses: ReadonlyArray<{
    readonly atS: number;
    readonly ms: number;
    readonly kind: string;
  }>;
  /** Saga record, from startedAt / one step's timestamp to the next (ms). */
  readonly hopsMs: Readonly<Record<string, Quantiles>>;
  readonly cpu: CpuUsage;
  readonly processes: Readonly<Record<string, ProcessResult>>;
  /** VmRSS over the window, every 5 s, per process. */
  readonly rssTimeline: ReadonlyArray<{
    readonly atS: number;
    readonly rssMb: Readonly<Record<string, number>>;
  }>;
  /** The member JVM's threads, % of one core over the window, biggest first. */
  readonly memberThreads: ReadonlyArray<{ readonly thread: string; readonly percent: number }>;
  readonly memberGc?: MemberGc;
  readonly services: Readonly<Record<string, ServiceCounters>>;
  readonly benchEventLoop: number;
  /** JFR execution samples of the member over the window (--profile-member). */
  readonly memberProfile?: JfrSummary;
  /** CPU used by other processes (not this run's) just before the load, % of one core. */
  readonly otherCpuBefore?: number;
  /** find-max: did this step keep up? */
  readonly keptUp: boolean;
  readonly keptUpWhy: string;
}

export interface SagaBenchResult extends BenchResultHeader<'bench-saga/1', SagaBenchOptions> {
  readonly mode: 'rate' | 'find-max';
  readonly runs: readonly RunResult[];
  /** find-max: the highest rate that kept up. */
  readonly maxSustainedRate?: number;
  readonly bars: readonly Bar[];
  readonly profiles?: Readonly<Record<string, string>>;
  /** After the last phase: what the member holds (payload per structure, live heap after a full GC). */
  readonly memberData?: {
    readonly structures: readonly StructureData[];
    readonly heap?: HeapHistogram;
  };
}

export const SERVICES = ['account', 'inventory', 'order', 'payment'] as const;
export const PROCESSES = ['member', ...SERVICES, 'bench'] as const;

/** Window edges cut a saga or two either way; 0.5 % of the target is allowed for that, no more. */
export const EDGE_TOLERANCE = 0.005;

/** Did a run keep up with its offered rate? (find-max uses this to stop; the bars use it too.) */
export function keptUp(run: Omit<RunResult, 'keptUp' | 'keptUpWhy'>): { ok: boolean; why: string } {
  const problems: string[] = [];
  if (run.sagas.completedPerSecond < run.rate * (1 - EDGE_TOLERANCE)) {
    problems.push(`${run.sagas.completedPerSecond.toFixed(1)} completed/s < ${run.rate}/s offered`);
  }
  if (run.sagas.lost > 0) problems.push(`${run.sagas.lost} lost`);
  if (run.sagas.timedOut > 0) problems.push(`${run.sagas.timedOut} timed out`);
  if (run.orders.notSent > 0) problems.push(`${run.orders.notSent} orders not sent (in-flight cap)`);
  if (run.orders.failed > 0) problems.push(`${run.orders.failed} order POSTs failed`);
  return { ok: problems.length === 0, why: problems.join('; ') || 'kept up' };
}

export function barsOf(run: RunResult): Bar[] {
  const bars: Bar[] = [];
  const seconds = run.durationMs / 1000;
  bars.push({
    name: `throughput at ${run.rate}/s offered`,
    target: `≥ ${run.rate} completed sagas/s for ${seconds} s (−${EDGE_TOLERANCE * 100} % window edges), 0 lost, 0 timed out`,
    actual:
      `${run.sagas.completedPerSecond.toFixed(1)}/s (slowest second ${Math.min(...run.sagas.perSecond)}), ` +
      `${run.sagas.lost} lost, ${run.sagas.timedOut} timed out`,
    met: run.keptUp,
  });
  bars.push({
    name: `saga p99 at ${run.rate}/s`,
    target: '< 200 ms (completedAt − startedAt)',
    actual: `${fmtMs(run.latencyMs.sagaRecord.p99)} ms`,
    met: run.latencyMs.sagaRecord.count > 0 && run.latencyMs.sagaRecord.p99 < 200,
  });
  const rss = SERVICES.map((name) => run.processes[name]?.peakRssMb ?? Infinity);
  bars.push({
    name: 'service memory',
    target: 'each service < 200 MB RSS (VmHWM)',
    actual: SERVICES.map((name, index) => `${name} ${fmtInt(rss[index]!)}`).join(', ') + ' MB',
    met: rss.every((value) => value < 200),
  });
  return bars;
}

export const fmtInt = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–';
export const fmtMs = (value: number): string =>
  !Number.isFinite(value) ? '–' : value >= 100 ? value.toFixed(0) : value.toFixed(1);
const fmtPct = (value: number | undefined): string => (value === undefined ? '–' : `${value.toFixed(0)}`);

function quantileRow(name: string, q: Quantiles): string {
  return `| ${name} | ${fmtInt(q.count)} | ${fmtMs(q.p50)} | ${fmtMs(q.p95)} | ${fmtMs(q.p99)} | ${fmtMs(q.mean)} | ${fmtMs(q.max)} |`;
}

export const HOP_TITLES: Readonly<Record<string, string>> = {
  'start→created': 'saga started → OrderCreated recorded (order service, in the POST)',
  'created→reserved': 'OrderCreated → StockReserved recorded (inventory)',
  'reserved→paid': 'StockReserved → PaymentProcessed recorded (payment)',
  'paid→confirmed': 'PaymentProcessed → OrderConfirmed recorded (order)',
};

/** The markdown of one run: what docs/benchmarks.md quotes. */
export function renderRun(run: RunResult): string {
  const out: string[] = [];
  const { orders, sagas, latencyMs } = run;
  out.push(
    `**${run.label}**: ${run.rate} orders/s offered for ${run.warmupMs / 1000} s warm-up + ${run.durationMs / 1000} s measured` +
      ` — ${run.keptUp ? 'kept up' : `did not keep up (${run.keptUpWhy})`}.`,
  );
  out.push('');
  out.push(
    '| sagas | completed/s in window | slowest / fastest second | completed | compensated | failed | timed out | lost | settled in |',
  );
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  const slowest = sagas.perSecond.length ? Math.min(...sagas.perSecond) : 0;
  const fastest = sagas.perSecond.length ? Math.max(...sagas.perSecond) : 0;
  out.push(
    `| ${fmtInt(sagas.total)} | ${sagas.completedPerSecond.toFixed(1)} | ${slowest} / ${fastest} | ${fmtInt(sagas.completed)} | ` +
      `${sagas.compensated} | ${sagas.failed} | ${sagas.timedOut} | ${sagas.lost} | ${(sagas.settleMs / 1000).toFixed(1)} s |`,
  );
  out.push('');
  out.push(
    `Orders: ${fmtInt(orders.scheduled)} scheduled, ${fmtInt(orders.sent)} sent, ${fmtInt(orders.created)} created, ` +
      `${orders.failed} failed, ${orders.late} sent > tolerance late (p99 lateness ${fmtMs(orders.latenessP99Ms)} ms, ` +
      `max ${fmtMs(orders.latenessMaxMs)} ms), ${orders.waitedForSlot} waited for an in-flight slot, ${orders.notSent} not sent; ` +
      `at most ${orders.maxInFlight} in flight.`,
  );
  if (Object.keys(orders.errorSamples).length > 0) {
    out.push(
      `Order errors: ${Object.entries(orders.errorSamples)
        .map(([text, count]) => `${count}× ${text}`)
        .join('; ')}`,
    );
  }
  if (Object.keys(sagas.failureSamples).length > 0) {
    out.push(
      `Saga failures: ${Object.entries(sagas.failureSamples)
        .map(([text, count]) => `${count}× ${text}`)
        .join('; ')}`,
    );
  }
  out.push('');
  out.push('| latency (ms), orders due in the window | n | p50 | p95 | p99 | mean | max |');
  out.push('|---|---:|---:|---:|---:|---:|---:|');
  out.push(quantileRow('saga, record: completedAt − startedAt', latencyMs.sagaRecord));
  if (latencyMs.sagaRecordQuiet) {
    out.push(
      quantileRow(
        'saga, record, only sagas in quiet seconds (other processes < 30 % of a core)',
        latencyMs.sagaRecordQuiet,
      ),
    );
  }
  out.push(quantileRow('saga, client: scheduled send → completedAt', latencyMs.clientToCompleted));
  out.push(
    quantileRow('saga, client: scheduled send → COMPLETED seen by polling (sample)', latencyMs.clientPolled),
  );
  out.push(quantileRow('order create: scheduled send → 201', latencyMs.orderCreate));
  out.push(quantileRow('order create: actual send → 201', latencyMs.orderCreateFromSend));
  for (const [hop, q] of Object.entries(run.hopsMs))
    out.push(quantileRow(`hop: ${HOP_TITLES[hop] ?? hop}`, q));
  out.push('');
  const warmupSeconds = Math.round(run.warmupMs / 1000);
  const worst = run.p99BySecondMs
    .map((p99, second) => ({ p99, second: second - warmupSeconds }))
    .sort((a, b) => b.p99 - a.p99)
    .slice(0, 6)
    .map(
      ({ p99, second }) =>
        `${second >= 0 ? '+' : ''}${second} s ${fmtMs(p99)}` +
        (run.otherCpuBySecond?.[second + warmupSeconds] !== undefined
          ? ` (others ${run.otherCpuBySecond[second + warmupSeconds]} %)`
          : ''),
    )
    .join(', ');
  if (worst) out.push(`Worst seconds by saga p99 (seconds from the window's start, ms): ${worst}.`);
  const longest = [...run.memberGcPauses]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 6)
    .map((pause) => `+${pause.atS} s ${fmtMs(pause.ms)}`)
    .join(', ');
  if (longest) out.push(`Longest member GC pauses in the window (ms): ${longest}.`);
  out.push('');
  out.push('| process | CPU, % of one core | of which kernel | peak RSS (VmHWM) MB | max RSS in window MB |');
  out.push('|---|---:|---:|---:|---:|');
  for (const name of PROCESSES) {
    const stats = run.processes[name];
    if (!stats) continue;
    out.push(
      `| ${name} | ${fmtPct(stats.cpuPercent)} | ${fmtPct(stats.systemCpuPercent)} | ${fmtInt(stats.peakRssMb ?? NaN)} | ` +
        `${fmtInt(stats.windowMaxRssMb ?? NaN)} |`,
    );
  }
  if (run.cpu.machine !== undefined) {
    out.push(
      `| whole machine (other: ${fmtPct(run.cpu.other)}) | ${fmtPct(run.cpu.machine)} of ${200} | | | |`,
    );
  }
  out.push('');
  if (run.rssTimeline.length > 1) {
    const first = run.rssTimeline[0]!;
    const last = run.rssTimeline[run.rssTimeline.length - 1]!;
    out.push(
      `RSS from the window's start to its end (MB): ${PROCESSES.filter(
        (name) => first.rssMb[name] !== undefined,
      )
        .map((name) => `${name} ${first.rssMb[name]} → ${last.rssMb[name] ?? '–'}`)
        .join(', ')}.`,
    );
  }
  const threads = run.memberThreads
    .slice(0, 6)
    .map((row) => `${row.thread} ${row.percent.toFixed(0)}%`)
    .join(', ');
  if (threads) out.push(`Member threads (% of one core): ${threads}.`);
  if (run.memberGc) {
    out.push(
      `Member GC in the window: ${run.memberGc.pauses} pauses, ${fmtMs(run.memberGc.pauseMs)} ms in total, ` +
        `${run.memberGc.fullGcs} full.`,
    );
  }
  out.push(
    `Load generator event loop busy ${(run.benchEventLoop * 100).toFixed(0)} % of the window.` +
      (run.otherCpuBefore !== undefined
        ? ` Other processes on the machine used ${run.otherCpuBefore.toFixed(0)} % of a core just before the load,` +
          ` ${fmtPct(run.cpu.other)} % during the window.`
        : ''),
  );
  out.push('');
  out.push(
    '| service | events appended | handled | CAS conflicts | handler failures | append / view / publish / handle mean ms | GC % | event-loop p99 ms | V8 heap used / total MB | external MB |',
  );
  out.push('|---|---:|---:|---:|---:|---|---:|---:|---:|---:|');
  for (const name of SERVICES) {
    const counters = run.services[name];
    if (!counters) continue;
    const stages = ['append', 'view_update', 'publish', 'handle']
      .map((stage) => (counters.stageMeanMs[stage] === undefined ? '–' : fmtMs(counters.stageMeanMs[stage])))
      .join(' / ');
    out.push(
      `| ${name} | ${fmtInt(counters.appended)} | ${fmtInt(counters.consumed)} | ${fmtInt(counters.conflicts)} | ` +
        `${counters.handlerFailures} | ${stages} | ${(counters.gcFraction * 100).toFixed(1)} | ` +
        `${counters.eventLoopLagP99Ms === undefined ? '–' : fmtMs(counters.eventLoopLagP99Ms)} | ` +
        `${fmtInt(counters.heapUsedMb ?? NaN)} / ${fmtInt(counters.heapTotalMb ?? NaN)} | ${fmtInt(counters.externalMb ?? NaN)} |`,
    );
  }
  if (run.memberProfile) {
    const list = (rows: JfrSummary['selfTop'], count: number): string =>
      rows
        .slice(0, count)
        .map((row) => `${row.frame} ${row.percent.toFixed(1)}%`)
        .join(', ');
    out.push('');
    out.push(`Member JFR, ${fmtInt(run.memberProfile.samples)} execution samples in the window:`);
    out.push(`- threads: ${list(run.memberProfile.threadTop, 8)}`);
    out.push(`- under Hazelcast operation / task: ${list(run.memberProfile.operationTop, 12)}`);
    out.push(`- self: ${list(run.memberProfile.selfTop, 12)}`);
    if (run.memberProfile.allocationTop) {
      out.push(
        `- allocation ${fmtInt(run.memberProfile.allocatedMbPerSecond ?? NaN)} MB/s, by operation: ` +
          list(run.memberProfile.allocationTop, 10),
      );
    }
  }
  const serverMean = run.services.order?.createOrderServerMeanMs;
  if (serverMean !== undefined) out.push(`\nPOST /api/orders server-side mean: ${fmtMs(serverMean)} ms.`);
  return out.join('\n');
}

export function renderMarkdown(result: SagaBenchResult): string {
  const out: string[] = [];
  const { machine } = result;
  out.push(`### bench:saga ${result.startedAt}`);
  out.push('');
  out.push(`Command: \`${result.command}\``);
  out.push('');
  out.push(
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGb} GB, ${machine.os}; Node ${machine.node}, ` +
      `Java ${machine.java}, Hazelcast ${machine.hazelcast}; load average at start ${machine.loadAverageAtStart
        .map((value) => value.toFixed(2))
        .join(' ')}.` +
      (result.options.note ? ` Note: ${result.options.note}` : ''),
  );
  if (result.code) {
    out.push(
      `Code: HEAD ${result.code.head.slice(0, 10)}` +
        (result.code.modified.length > 0
          ? ` plus ${result.code.modified.length} modified tracked files in the working tree (${result.code.modified.slice(0, 8).join(', ')}${result.code.modified.length > 8 ? ', …' : ''}).`
          : ', clean working tree.'),
    );
    out.push('');
  }
  out.push('');
  if (result.mode === 'find-max') {
    out.push(
      '| rate offered | completed/s | lost | timed out | saga p50 / p99 ms | order create p99 ms | kept up |',
    );
    out.push('|---:|---:|---:|---:|---|---:|---|');
    for (const run of result.runs) {
      out.push(
        `| ${run.rate} | ${run.sagas.completedPerSecond.toFixed(1)} | ${run.sagas.lost} | ${run.sagas.timedOut} | ` +
          `${fmtMs(run.latencyMs.sagaRecord.p50)} / ${fmtMs(run.latencyMs.sagaRecord.p99)} | ` +
          `${fmtMs(run.latencyMs.orderCreate.p99)} | ${run.keptUp ? 'yes' : `no: ${run.keptUpWhy}`} |`,
      );
    }
    out.push('');
    out.push(`Highest rate that kept up: ${result.maxSustainedRate ?? 'none'} orders/s.`);
    out.push('');
  }
  for (const run of result.runs) {
    out.push(renderRun(run));
    out.push('');
  }
  if (result.memberData) {
    const { structures, heap } = result.memberData;
    const total = structures.reduce((sum, row) => sum + row.payloadMb, 0);
    const entries = structures.reduce((sum, row) => sum + row.entries, 0);
    out.push(
      `Member data after the run: ${fmtInt(entries)} entries, ${total.toFixed(0)} MB of JSON payload` +
        (heap ? `; live heap after a full GC ${heap.liveMb.toFixed(0)} MB (jcmd GC.class_histogram)` : '') +
        '. Largest structures:',
    );
    out.push('');
    out.push('| structure | kind | entries | mean payload bytes | payload MB |');
    out.push('|---|---|---:|---:|---:|');
    for (const row of structures.slice(0, 12)) {
      out.push(
        `| ${row.name} | ${row.kind} | ${fmtInt(row.entries)} | ${fmtInt(row.meanBytes)} | ${row.payloadMb.toFixed(1)} |`,
      );
    }
    if (heap) {
      out.push('');
      out.push(
        `Heap by class: ${heap.top
          .slice(0, 6)
          .map((row) => `${row.className} ${row.mb.toFixed(0)} MB`)
          .join(', ')}.`,
      );
    }
    out.push('');
  }
  if (result.bars.length > 0) {
    out.push('| bar | target | actual | met |');
    out.push('|---|---|---|---|');
    for (const bar of result.bars) {
      out.push(`| ${bar.name} | ${bar.target} | ${bar.actual} | ${bar.met ? 'met' : '**not met**'} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
