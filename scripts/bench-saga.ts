/**
 * `npm run bench:saga`: how many OrderFulfillment sagas per second do the four services sustain, and how
 * fast does one go through? In one run it starts its own Hazelcast member and the four service processes
 * (fresh name prefix), creates customers and products, then offers POST /api/orders OPEN LOOP at a fixed
 * rate (latency measured from each request's scheduled send time, in-flight requests capped), waits for
 * every saga to end and reads the saga records back. It prints and writes (JSON + markdown, .run/bench-saga/)
 * completed sagas/s, outcomes, latencies, and CPU and memory per process. See docs/benchmarks.md.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import type { Client as HazelcastClient } from 'hazelcast-client';
import { isMap, isScalar, parseDocument } from 'yaml';
import { Naming } from '../src/core/naming';
import { sleep } from '../src/core/sleep';
import { connectHazelcast } from '../src/hazelcast/client';
import { HAZELCAST_VERSION, requireJava } from '../src/hazelcast/jar';
import { projectRoot, startMember, type HazelcastMember } from '../src/hazelcast/member';
import { SERVICE_NAMES, ServiceProcess, type ServiceName } from '../src/local/service-process';
import { findFreePort } from '../src/net/free-port';
import { applyPolicy } from '../src/sagas/policy-admin';
import { sagaPolicySpecSchema, type EffectivePolicy } from '../src/sagas/saga-policy';
import { HazelcastKeyValueStore } from '../src/storage/hazelcast-key-value';
import { cpuSnapshot, cpuUsageBetween, type CpuSnapshot } from './bench/cpu';
import { topOf } from './bench/cpuprofile-top';
import { LatencyHistogram } from './bench/histogram';
import { errorTextOf, type HttpLoadClient, type HttpResponse } from './bench/http-scenario';
import { createKeepAliveClient } from './bench/keep-alive-client';
import { gcBetween, gcLogOffset, gcLogToolOptions } from './bench/member-gc';
import { gcPausesBetween } from './bench-saga/gc-pauses';
import { parsePrometheus, sumOf, type MetricSamples } from './bench/workload';
import { Cleanup, messageOf, withTimeout } from './bench/cleanup';
import { runOpenLoop, type ScheduledRequest } from './bench-saga/open-loop';
import { parseOptions, USAGE, type SagaBenchOptions } from './bench-saga/options';
import { codeState, machineInfo } from './bench/report';
import { exitWhenDone, startWatchdog } from './bench/lifecycle';
import { benchServiceEnv } from './bench/service-env';
import { parseOrExit } from './bench/usage';
import { dataInventory, heapHistogram, startJfr, stopJfr, summarizeJfr } from './bench-saga/member-insight';
import { cpuTimesOf, memoryOf, RssSampler, threadCpuBetween, threadCpuSeconds } from './bench-saga/procfs';
import {
  barsOf,
  keptUp,
  quantilesOf,
  renderMarkdown,
  type MachineInfo,
  type ProcessResult,
  type RunResult,
  type SagaBenchResult,
  type ServiceCounters,
} from './bench-saga/report';
import {
  createShop,
  orderBody,
  SagaRecords,
  TERMINAL_STATUSES,
  waitForOrderViews,
  type SagaRecord,
  type Shop,
} from './bench-saga/shop';

const HOST = '127.0.0.1';
/** "Quiet" second: processes outside this run used less than this (% of one core). */
const QUIET_OTHER_PERCENT = 30;
const say = (line: string): void => void process.stdout.write(`${line}\n`);

interface System {
  readonly options: SagaBenchOptions;
  readonly outDir: string;
  readonly runId: string;
  readonly prefix: string;
  readonly member: HazelcastMember;
  readonly memberGcLog: string;
  /** Epoch ms just before the member JVM was spawned (its GC log counts seconds of uptime from about then). */
  readonly memberStartEpoch: number;
  readonly client: HazelcastClient;
  readonly services: Readonly<Record<ServiceName, ServiceProcess>>;
  /** performance.now() when each service was spawned (to cut its CPU profile to the window). */
  readonly spawnedAt: Readonly<Record<ServiceName, number>>;
  readonly http: Readonly<Record<ServiceName, HttpLoadClient>> & { readonly poll: HttpLoadClient };
  readonly shop: Shop;
  readonly records: SagaRecords;
  readonly rss: RssSampler;
  readonly aborted: () => boolean;
}

function pidsOf(system: Pick<System, 'member' | 'services'>): Record<string, number | undefined> {
  return {
    member: system.member.pid,
    ...Object.fromEntries(SERVICE_NAMES.map((name) => [name, system.services[name].pid])),
    bench: process.pid,
  };
}

async function scrape(client: HttpLoadClient): Promise<MetricSamples | undefined> {
  try {
    const response = await client.get('/metrics');
    return response.status === 200 ? parsePrometheus(response.body) : undefined;
  } catch {
    return undefined;
  }
}

function countersBetween(
  service: ServiceName,
  before: MetricSamples,
  after: MetricSamples,
  windowMs: number,
): ServiceCounters {
  const delta = (name: string, ...labels: string[]): number =>
    sumOf(after, name, ...labels) - sumOf(before, name, ...labels);
  const stageMeanMs: Record<string, number> = {};
  const stageCount: Record<string, number> = {};
  for (const stage of ['append', 'view_update', 'publish', 'handle']) {
    const label = `stage="${stage}"`;
    const count = delta('event_stage_duration_seconds_count', label);
    if (count <= 0) continue;
    stageCount[stage] = count;
    stageMeanMs[stage] = (delta('event_stage_duration_seconds_sum', label) / count) * 1000;
  }
  const route = ['route="/api/orders"', 'method="POST"'];
  const requests = delta('http_server_request_duration_seconds_count', ...route);
  const lag = sumOf(after, 'nodejs_eventloop_lag_p99_seconds');
  return {
    appended: delta('events_appended_total'),
    consumed: delta('events_consumed_total'),
    conflicts: delta('event_append_conflicts_total'),
    handlerFailures: delta('event_handler_failures_total'),
    stageMeanMs,
    stageCount,
    ...(service === 'order' && requests > 0
      ? {
          createOrderServerMeanMs:
            (delta('http_server_request_duration_seconds_sum', ...route) / requests) * 1000,
        }
      : {}),
    gcFraction: delta('nodejs_gc_duration_seconds_sum') / (windowMs / 1000),
    ...(lag > 0 ? { eventLoopLagP99Ms: lag * 1000 } : {}),
    ...(after.size > 0
      ? {
          heapUsedMb: sumOf(after, 'nodejs_heap_size_used_bytes') / 1024 ** 2,
          heapTotalMb: sumOf(after, 'nodejs_heap_size_total_bytes') / 1024 ** 2,
          externalMb: sumOf(after, 'nodejs_external_memory_bytes') / 1024 ** 2,
          heapSpacesMb: heapSpacesOf(after),
        }
      : {}),
  };
}

/** nodejs_heap_space_size_total_bytes per space, MB. */
function heapSpacesOf(samples: MetricSamples): Record<string, number> {
  const spaces: Record<string, number> = {};
  for (const [series, value] of samples) {
    const match = /^nodejs_heap_space_size_total_bytes\{.*space="([^"]+)"/.exec(series);
    if (match) spaces[match[1]!] = Math.round((value / 1024 ** 2) * 10) / 10;
  }
  return spaces;
}

interface Placed {
  readonly seq: number;
  readonly scheduledAt: number;
  readonly sagaId: string;
}

function note(samples: Record<string, number>, text: string): void {
  if (samples[text] !== undefined || Object.keys(samples).length < 8)
    samples[text] = (samples[text] ?? 0) + 1;
}

/**
 * Waits (bounded) until processes other than this run's use less than `belowPercent` of one core over
 * 3 s, so a run does not start in the middle of someone else's build. Returns the last "other" reading.
 */
async function waitForQuiet(system: System): Promise<number | undefined> {
  const { waitQuietMs, quietBelowPercent } = system.options;
  const deadline = performance.now() + waitQuietMs;
  let other: number | undefined;
  let lastSay = 0;
  do {
    const start = cpuSnapshot(pidsOf(system));
    await sleep(3_000);
    other = cpuUsageBetween(start, cpuSnapshot(pidsOf(system))).other;
    if (other === undefined || other < quietBelowPercent || waitQuietMs === 0) return other;
    if (performance.now() - lastSay > 15_000) {
      lastSay = performance.now();
      say(
        `  the rest of the machine uses ${other.toFixed(0)} % of a core; waiting for < ${quietBelowPercent} % …`,
      );
    }
  } while (performance.now() < deadline && !system.aborted());
  say(`  still ${other.toFixed(0)} % after ${waitQuietMs / 1000} s; starting anyway`);
  return other;
}

/** One load phase at one rate: warm-up, measured window, then every saga waited for and read back. */
async function runPhase(
  system: System,
  phase: {
    readonly label: string;
    readonly rate: number;
    readonly warmupMs: number;
    readonly durationMs: number;
  },
  salt: number,
): Promise<RunResult> {
  const { options } = system;
  const { rate, warmupMs, durationMs } = phase;
  const otherBefore = await waitForQuiet(system);
  if (otherBefore !== undefined)
    say(`  [${phase.label}] other processes use ${otherBefore.toFixed(0)} % of a core`);
  const totalMs = warmupMs + durationMs;
  const jfrFile = join(system.outDir, `member-${system.runId}-${phase.label.replace(/\W+/g, '')}.jfr`);
  let jfrStarted: Promise<boolean> | undefined;
  let jfrStopped: Promise<boolean> | undefined;
  // JFR attaches with a stop of its own: started before the load, its samples are cut to the window later.
  if (options.profileMember) {
    jfrStarted = startJfr(system.member.pid, jfrFile).then(
      () => true,
      (error: unknown) => {
        say(`  (JFR did not start: ${messageOf(error)})`);
        return false;
      },
    );
    await jfrStarted;
  }
  const anchorPerf = performance.now();
  const anchorEpoch = Date.now();
  const epochOf = (perf: number): number => anchorEpoch + (perf - anchorPerf);
  const startPerf = performance.now() + 100;
  const windowStart = startPerf + warmupMs;
  const windowEnd = windowStart + durationMs;
  const inWindow = (perf: number): boolean => perf >= windowStart && perf < windowEnd;

  const placed: Placed[] = [];
  const create = new LatencyHistogram();
  const createFromSend = new LatencyHistogram();
  const polled = new LatencyHistogram();
  const errorSamples: Record<string, number> = {};
  let failed = 0;
  const pollers = new Set<Promise<void>>();
  const pollDeadline = windowEnd + options.settleTimeoutMs;

  const poll = async (sagaId: string, scheduledAt: number): Promise<void> => {
    while (performance.now() < pollDeadline && !system.aborted()) {
      await sleep(options.pollIntervalMs);
      let response: HttpResponse;
      try {
        response = await system.http.poll.get(`/api/sagas/${sagaId}`);
      } catch {
        continue;
      }
      if (response.status !== 200) continue;
      const status = (JSON.parse(response.body) as { status: string }).status;
      if (status === 'COMPLETED') {
        polled.recordMs(performance.now() - scheduledAt);
        return;
      }
      if (TERMINAL_STATUSES.includes(status)) return;
    }
  };

  const request: ScheduledRequest = async (seq, scheduledAt, sentAt) => {
    let response: HttpResponse;
    try {
      response = await system.http.order.post(
        '/api/orders',
        orderBody(seq, system.shop, options.maxLines, salt),
      );
    } catch (error) {
      failed++;
      note(errorSamples, messageOf(error));
      throw error;
    }
    const answeredAt = performance.now();
    if (response.status !== 201) {
      failed++;
      note(errorSamples, `HTTP ${response.status} ${errorTextOf(response)}`);
      throw new Error(`HTTP ${response.status}`);
    }
    const sagaId = (JSON.parse(response.body) as { sagaId: string }).sagaId;
    placed.push({ seq, scheduledAt, sagaId });
    if (!inWindow(scheduledAt)) return;
    create.recordMs(answeredAt - scheduledAt);
    createFromSend.recordMs(answeredAt - sentAt);
    if (options.pollEvery > 0 && seq % options.pollEvery === 0) {
      const polling = poll(sagaId, scheduledAt);
      pollers.add(polling);
      void polling.finally(() => pollers.delete(polling));
    }
  };

  // Edges of the measured window: CPU, member threads and GC, memory, the services' own counters.
  const pids = pidsOf(system);
  let cpuStart: CpuSnapshot | undefined;
  let cpuEnd: CpuSnapshot | undefined;
  let threadsStart = new Map<string, number>();
  let threadsEnd = new Map<string, number>();
  let eluStart: ReturnType<typeof performance.eventLoopUtilization> | undefined;
  let eluEnd: ReturnType<typeof performance.eventLoopUtilization> | undefined;
  let gcStart = 0;
  let gcEnd = 0;
  let rssInWindow: Record<string, number> = {};
  let rssTimeline: RunResult['rssTimeline'] = [];
  let metricsStart: Promise<Array<MetricSamples | undefined>> | undefined;
  let metricsEnd: Promise<Array<MetricSamples | undefined>> | undefined;
  const scrapeAll = (): Promise<Array<MetricSamples | undefined>> =>
    Promise.all(SERVICE_NAMES.map((name) => scrape(system.http[name])));
  let kernelStart: Record<string, number> = {};
  let kernelEnd: Record<string, number> = {};
  const kernelSeconds = (): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(pids)) {
      const times = pid === undefined ? undefined : cpuTimesOf(pid);
      if (times) out[name] = times.system;
    }
    return out;
  };
  let windowOpened = false;
  let windowClosed = false;
  const openWindow = (): void => {
    if (windowOpened) return;
    windowOpened = true;
    cpuStart = cpuSnapshot(pids);
    kernelStart = kernelSeconds();
    threadsStart = threadCpuSeconds(system.member.pid);
    eluStart = performance.eventLoopUtilization();
    gcStart = gcLogOffset(system.memberGcLog);
    system.rss.reset();
    metricsStart = scrapeAll();
    say(`  [${phase.label}] measured window opens`);
  };
  const closeWindow = (): void => {
    if (windowClosed) return;
    windowClosed = true;
    cpuEnd = cpuSnapshot(pids);
    kernelEnd = kernelSeconds();
    threadsEnd = threadCpuSeconds(system.member.pid);
    eluEnd = performance.eventLoopUtilization();
    gcEnd = gcLogOffset(system.memberGcLog);
    rssInWindow = system.rss.maxima();
    rssTimeline = system.rss.timeline();
    metricsEnd = scrapeAll();
    if (jfrStarted) {
      jfrStopped = jfrStarted.then((started) =>
        started
          ? stopJfr(system.member.pid).then(
              () => true,
              (error: unknown) => {
                say(`  (JFR did not stop: ${messageOf(error)})`);
                return false;
              },
            )
          : false,
      );
    }
    say(`  [${phase.label}] measured window closes`);
  };
  const openTimer = setTimeout(openWindow, Math.max(0, windowStart - performance.now()));
  const closeTimer = setTimeout(closeWindow, Math.max(0, windowEnd - performance.now()));

  // CPU of everything else on the machine, second by second: tells outside noise from our own stalls.
  const otherBySecond: number[] = [];
  let lastCpu = cpuSnapshot(pids);
  const cpuTicker = setInterval(() => {
    const now = cpuSnapshot(pids);
    const other = cpuUsageBetween(lastCpu, now).other;
    lastCpu = now;
    if (performance.now() >= startPerf) otherBySecond.push(Math.round(other ?? 0));
  }, 1_000);
  let unfinished = '';
  let counting = false;
  const loop = await runOpenLoop(request, {
    label: phase.label,
    ratePerSecond: rate,
    startPerf,
    totalMs,
    maxRequests: options.maxOrders,
    maxInFlight: options.maxInFlight,
    lateToleranceMs: options.lateToleranceMs,
    sendGraceMs: 5_000,
    progressEveryMs: options.quick ? 2_000 : 5_000,
    say,
    aborted: system.aborted,
    progressExtra: () => {
      if (!counting) {
        counting = true;
        void system.records
          .unfinished()
          .then((count) => (unfinished = `sagas running ${count}`))
          .catch(() => undefined)
          .finally(() => (counting = false));
      }
      return unfinished;
    },
  });
  clearInterval(cpuTicker);
  // The last order is usually answered before the window's end: the window still closes on time.
  if (!system.aborted()) await sleep(Math.max(0, windowEnd - performance.now()) + 5);
  clearTimeout(openTimer);
  clearTimeout(closeTimer);
  openWindow();
  closeWindow();
  const scheduleEnd = startPerf + totalMs;

  // Every saga of the phase, waited for until it ends or the settle timeout runs out.
  say(`  [${phase.label}] load done: ${placed.length} orders created; waiting for every saga to end …`);
  const records = new Map<string, SagaRecord>();
  const pending = new Set(placed.map((order) => order.sagaId));
  const settleDeadline = performance.now() + options.settleTimeoutMs;
  let lastSay = performance.now();
  for (;;) {
    const read = await system.records.read([...pending]);
    for (const [sagaId, record] of read) {
      records.set(sagaId, record);
      if (TERMINAL_STATUSES.includes(record.status)) pending.delete(sagaId);
    }
    if (pending.size === 0 || performance.now() > settleDeadline || system.aborted()) break;
    if (performance.now() - lastSay > 5_000) {
      lastSay = performance.now();
      say(`  [${phase.label}] ${pending.size} sagas still running …`);
    }
    await sleep(500);
  }
  await withTimeout(Promise.all([...pollers]), options.settleTimeoutMs + 15_000, 'saga pollers').catch(
    () => undefined,
  );

  // Outcomes and latencies.
  const sagaRecord = new LatencyHistogram();
  // The same, only for sagas that started and ended in seconds when other processes used < 30 % of a core:
  // on a shared machine, this separates the system's own tail from the neighbours'.
  const sagaRecordQuiet = new LatencyHistogram();
  const quietSecond = (epoch: number): boolean => {
    const second = Math.floor((epoch - loadStartEpoch) / 1000);
    const other = otherBySecond[second];
    return other !== undefined && other < QUIET_OTHER_PERCENT;
  };
  const clientToCompleted = new LatencyHistogram();
  const hopNames = ['start→created', 'created→reserved', 'reserved→paid', 'paid→confirmed'];
  const hops = hopNames.map(() => new LatencyHistogram());
  // Per second of the whole load (warm-up included), by saga start: where the stalls are.
  const bySecond = Array.from(
    { length: Math.max(1, Math.ceil(totalMs / 1000)) },
    () => new LatencyHistogram(),
  );
  const loadStartEpoch = epochOf(startPerf);
  const failureSamples: Record<string, number> = {};
  let completed = 0;
  let compensated = 0;
  let sagaFailed = 0;
  let timedOut = 0;
  let lost = 0;
  let lastEnd = 0;
  for (const order of placed) {
    const record = records.get(order.sagaId);
    if (!record || !TERMINAL_STATUSES.includes(record.status)) {
      lost++;
      if (record?.timedOut) timedOut++;
      continue;
    }
    if (record.completedAt !== null) lastEnd = Math.max(lastEnd, record.completedAt);
    if (record.timedOut) timedOut++;
    if (record.status === 'COMPLETED') completed++;
    else {
      if (record.status === 'COMPENSATED' && !record.timedOut) compensated++;
      if (record.status === 'FAILED') sagaFailed++;
      note(failureSamples, `${record.status}: ${record.failureReason ?? '?'}`);
      continue;
    }
    if (record.completedAt === null) continue;
    const second = Math.floor((record.startedAt - loadStartEpoch) / 1000);
    bySecond[Math.min(bySecond.length - 1, Math.max(0, second))]!.recordMs(
      record.completedAt - record.startedAt,
    );
    if (!inWindow(order.scheduledAt)) continue;
    sagaRecord.recordMs(record.completedAt - record.startedAt);
    let quiet = true;
    for (let at = record.startedAt; at <= record.completedAt + 999 && quiet; at += 1000) {
      quiet = quietSecond(Math.min(at, record.completedAt));
    }
    if (quiet) sagaRecordQuiet.recordMs(record.completedAt - record.startedAt);
    clientToCompleted.recordMs(record.completedAt - epochOf(order.scheduledAt));
    const times = [record.startedAt, ...record.stepTimes];
    for (let hop = 0; hop < hops.length; hop++) {
      const from = times[hop];
      const to = times[hop + 1];
      if (typeof from === 'number' && typeof to === 'number') hops[hop]!.recordMs(to - from);
    }
  }
  const windowStartEpoch = epochOf(windowStart);
  const seconds = Math.round(durationMs / 1000);
  const perSecond = new Array<number>(Math.max(1, seconds)).fill(0);
  let completedInWindow = 0;
  for (const record of records.values()) {
    if (record.status !== 'COMPLETED' || record.completedAt === null) continue;
    const offset = record.completedAt - windowStartEpoch;
    if (offset < 0 || offset >= durationMs) continue;
    completedInWindow++;
    const second = Math.floor(offset / 1000);
    if (second < perSecond.length) perSecond[second]! += 1;
  }

  // What the processes used.
  const cpu =
    cpuStart && cpuEnd
      ? cpuUsageBetween(cpuStart, cpuEnd)
      : { processes: {}, machine: undefined, other: undefined };
  const processes: Record<string, ProcessResult> = {};
  for (const [name, pid] of Object.entries(pids)) {
    const kernel =
      kernelStart[name] !== undefined && kernelEnd[name] !== undefined
        ? ((kernelEnd[name] - kernelStart[name]) / (durationMs / 1000)) * 100
        : undefined;
    processes[name] = {
      cpuPercent: cpu.processes[name],
      ...(kernel !== undefined ? { systemCpuPercent: kernel } : {}),
      peakRssMb: pid === undefined ? undefined : memoryOf(pid)?.peakRssMb,
      windowMaxRssMb: rssInWindow[name],
    };
  }
  const services: Record<string, ServiceCounters> = {};
  if (metricsStart && metricsEnd) {
    const [before, after] = await Promise.all([metricsStart, metricsEnd]);
    SERVICE_NAMES.forEach((name, index) => {
      const from = before[index];
      const to = after[index];
      if (from && to) services[name] = countersBetween(name, from, to, durationMs);
    });
  }
  const memberGc = gcBetween(system.memberGcLog, gcStart, gcEnd);
  const pauses = gcPausesBetween(
    system.memberGcLog,
    gcStart,
    gcEnd,
    (uptimeS) => Math.round((system.memberStartEpoch + uptimeS * 1000 - epochOf(windowStart)) / 100) / 10,
  );
  let memberProfile: Awaited<ReturnType<typeof summarizeJfr>> | undefined;
  if (jfrStopped) {
    try {
      if (await jfrStopped) {
        memberProfile = await summarizeJfr(jfrFile, epochOf(windowStart), epochOf(windowEnd));
        say(`  [${phase.label}] member JFR recording: ${jfrFile}`);
      }
    } catch (error) {
      say(`  (member JFR summary failed: ${messageOf(error)})`);
    }
  }
  const partial: Omit<RunResult, 'keptUp' | 'keptUpWhy'> = {
    label: phase.label,
    rate,
    warmupMs,
    durationMs,
    windowStart: new Date(windowStartEpoch).toISOString(),
    orders: {
      scheduled: loop.scheduled,
      sent: loop.sent,
      late: loop.late,
      waitedForSlot: loop.waitedForSlot,
      notSent: loop.notSent,
      created: placed.length,
      failed,
      errorSamples,
      latenessP99Ms: loop.lateness.percentileMs(0.99),
      latenessMaxMs: loop.lateness.maxMs(),
      maxInFlight: loop.maxInFlightSeen,
    },
    sagas: {
      total: placed.length,
      completed,
      compensated,
      failed: sagaFailed,
      timedOut,
      lost,
      completedInWindow,
      completedPerSecond: completedInWindow / (durationMs / 1000),
      perSecond,
      failureSamples,
      settleMs: Math.max(0, lastEnd - epochOf(scheduleEnd)),
    },
    latencyMs: {
      sagaRecord: quantilesOf(sagaRecord),
      sagaRecordQuiet: quantilesOf(sagaRecordQuiet),
      clientToCompleted: quantilesOf(clientToCompleted),
      clientPolled: quantilesOf(polled),
      orderCreate: quantilesOf(create),
      orderCreateFromSend: quantilesOf(createFromSend),
    },
    p99BySecondMs: bySecond.map((histogram) => histogram.percentileMs(0.99)),
    memberGcPauses: pauses,
    otherCpuBySecond: otherBySecond,
    hopsMs: Object.fromEntries(hopNames.map((name, index) => [name, quantilesOf(hops[index]!)])),
    cpu,
    processes,
    rssTimeline,
    memberThreads: threadCpuBetween(threadsStart, threadsEnd, durationMs),
    ...(memberGc ? { memberGc } : {}),
    services,
    benchEventLoop: eluStart && eluEnd ? performance.eventLoopUtilization(eluEnd, eluStart).utilization : 0,
    ...(otherBefore !== undefined ? { otherCpuBefore: otherBefore } : {}),
    ...(memberProfile ? { memberProfile } : {}),
  };
  const verdict = keptUp(partial);
  const result: RunResult = { ...partial, keptUp: verdict.ok, keptUpWhy: verdict.why };
  const cpuLine = Object.entries(cpu.processes)
    .map(([name, percent]) => `${name} ${percent.toFixed(0)}%`)
    .join(', ');
  say(
    `  [${phase.label}] ${result.sagas.completedPerSecond.toFixed(1)} completed sagas/s; ` +
      `${completed} completed, ${compensated} compensated, ${sagaFailed} failed, ${timedOut} timed out, ${lost} lost; ` +
      `saga p50/p99 ${result.latencyMs.sagaRecord.p50.toFixed(1)}/${result.latencyMs.sagaRecord.p99.toFixed(1)} ms; ` +
      `CPU ${cpuLine}${cpu.machine !== undefined ? ` (machine ${cpu.machine.toFixed(0)}%)` : ''}`,
  );
  return result;
}

/**
 * Experiment: the member config with Hazelcast's default `metadata-policy: CREATE_ON_UPDATE` on every map,
 * so the member parses every JSON value it stores to build query metadata (the project sets OFF). Written
 * next to the results, never over the real one.
 */
function writeMetadataCreateConfig(root: string, outDir: string, base: string | undefined): string {
  const source = base ? resolve(base) : join(root, 'config', 'hazelcast.yaml');
  const document = parseDocument(readFileSync(source, 'utf8'));
  const maps = document.getIn(['hazelcast', 'map']);
  if (!isMap(maps)) throw new Error(`${source} has no hazelcast.map section`);
  for (const pair of maps.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    document.setIn(['hazelcast', 'map', name, 'metadata-policy'], 'CREATE_ON_UPDATE');
  }
  const file = join(outDir, 'hazelcast-metadata-create.yaml');
  writeFileSync(file, document.toString());
  return file;
}

async function startSystem(options: SagaBenchOptions, outDir: string, runId: string, cleanup: Cleanup) {
  const root = projectRoot();
  const memberGcLog = join(outDir, `member-gc-${runId}.log`);
  say(`Starting a Hazelcast ${HAZELCAST_VERSION} member (heap ${options.heap}) on ${HOST} …`);
  const memberConfig = options.memberMetadataCreate
    ? writeMetadataCreateConfig(root, outDir, options.memberConfig)
    : options.memberConfig && resolve(options.memberConfig);
  const memberStartEpoch = Date.now();
  const member = await startMember({
    clusterName: `bench-saga-${runId}`,
    host: HOST,
    port: 0,
    heap: options.heap,
    logFile: join(outDir, 'hazelcast-member.log'),
    log: (line) => say(`  ${line}`),
    ...(memberConfig ? { configPath: memberConfig } : {}),
    env: {
      ...process.env,
      JAVA_TOOL_OPTIONS: gcLogToolOptions(
        memberGcLog,
        [process.env.JAVA_TOOL_OPTIONS, options.memberJvmOptions].filter(Boolean).join(' '),
      ),
    },
  });
  if (memberConfig || options.memberJvmOptions) {
    say(`  EXPERIMENT: member config ${memberConfig ?? 'default'}, JVM flags '${options.memberJvmOptions}'`);
  }
  cleanup.push('Hazelcast member', () => member.stop());
  say(`  member ${member.address} ready in ${(member.readyMs / 1000).toFixed(1)} s (pid ${member.pid})`);
  const client = await connectHazelcast({ clusterName: member.clusterName, addresses: [member.address] });
  cleanup.push('Hazelcast client', () => client.shutdown());
  const prefix = `sb${runId}.`;

  if (options.sagaTimeoutMs !== undefined || options.sagaCheckIntervalMs !== undefined) {
    const policies = new HazelcastKeyValueStore(client).map<EffectivePolicy>(new Naming(prefix).sagaPolicy());
    const applied = await applyPolicy(
      policies,
      sagaPolicySpecSchema.parse({
        sagaType: 'OrderFulfillment',
        ...(options.sagaTimeoutMs !== undefined ? { timeout: `${options.sagaTimeoutMs}ms` } : {}),
        ...(options.sagaCheckIntervalMs !== undefined
          ? { checkInterval: `${options.sagaCheckIntervalMs}ms` }
          : {}),
      }),
      'bench-saga',
    );
    say(
      `  saga policy: timeout ${applied.timeoutMs / 1000} s, check every ${applied.checkIntervalMs / 1000} s ` +
        `(generation ${applied.generation})`,
    );
  }

  const profileDir = join(outDir, 'profiles');
  const services = {} as Record<ServiceName, ServiceProcess>;
  const spawnedAt = {} as Record<ServiceName, number>;
  for (const name of SERVICE_NAMES) {
    const profiled = options.profile.includes(name);
    services[name] = new ServiceProcess({
      name,
      port: await findFreePort(HOST),
      buildDir: join(root, 'build'),
      logFile: join(outDir, `${name}.log`),
      env: {
        ...benchServiceEnv(member, prefix),
        ...options.serviceEnv,
        ...(profiled
          ? {
              NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir} --cpu-prof-name=${name}-${runId}.cpuprofile`,
            }
          : {}),
      },
    });
  }
  say(`Starting the four services (prefix '${prefix}', logs in ${outDir}/<service>.log) …`);
  if (Object.keys(options.serviceEnv).length > 0) {
    say(`  EXPERIMENT: service environment ${JSON.stringify(options.serviceEnv)}`);
  }
  for (const name of SERVICE_NAMES) {
    spawnedAt[name] = performance.now();
    services[name].start();
    const service = services[name];
    cleanup.push(`${name} service`, () => service.stop());
  }
  await Promise.all(SERVICE_NAMES.map((name) => services[name].waitReady(90_000)));
  say(
    `  ready: ${SERVICE_NAMES.map((name) => `${name} :${services[name].options.port} (pid ${services[name].pid})`).join(', ')}`,
  );

  const sockets = options.maxInFlight + 8;
  const http = {
    account: createKeepAliveClient(services.account.baseUrl, 32),
    inventory: createKeepAliveClient(services.inventory.baseUrl, 32),
    order: createKeepAliveClient(services.order.baseUrl, sockets),
    payment: createKeepAliveClient(services.payment.baseUrl, 8),
    poll: createKeepAliveClient(services.order.baseUrl, 64),
  };
  cleanup.push('HTTP clients', async () => {
    for (const each of Object.values(http)) each.close();
  });
  return { root, member, memberGcLog, memberStartEpoch, client, prefix, services, spawnedAt, http };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options: SagaBenchOptions = parseOrExit('bench:saga', USAGE, () => parseOptions(argv, process.env));
  const startedAt = new Date();
  const outDir = resolve(options.outDir ?? join(projectRoot(), '.run', 'bench-saga'));
  mkdirSync(outDir, { recursive: true });
  const runId = startedAt.getTime().toString(36);

  const stopEverything = async (why: string, code: number): Promise<never> => {
    aborted = true;
    say(`\n${why}: stopping the services, the client and the member …`);
    // Processes still starting are only known to the cleanup once their start returns: wait for it.
    if (starting) await withTimeout(starting, 120_000, 'start').catch(() => undefined);
    await cleanup.runAll();
    say('Stopped.');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (aborted) say(`Got ${signal} again: still stopping the processes this run started …`);
      else void stopEverything(`Got ${signal}`, 130);
    });
  }
  const phases = options.findMax
    ? Math.floor((options.findMax.maxRate - options.findMax.startRate) / options.findMax.stepRate) + 1
    : 1;
  const perPhaseMs = options.findMax
    ? options.findMax.stepWarmupMs + options.findMax.stepDurationMs + options.settleTimeoutMs + 30_000
    : options.warmupMs + options.durationMs + options.settleTimeoutMs + 30_000;
  const watchdogMs = 300_000 + phases * (perPhaseMs + options.waitQuietMs);
  startWatchdog(watchdogMs, stopEverything);

  const java = await requireJava();
  say(
    options.findMax
      ? `bench:saga --find-max: ${options.findMax.startRate} → ${options.findMax.maxRate} orders/s in steps of ` +
          `${options.findMax.stepRate}, ${options.findMax.stepWarmupMs / 1000} s + ${options.findMax.stepDurationMs / 1000} s each`
      : `bench:saga: ${options.rate} orders/s open loop, ${options.warmupMs / 1000} s warm-up + ` +
          `${options.durationMs / 1000} s measured${options.quick ? ' (quick smoke run)' : ''}`,
  );
  say(
    `  ${options.customers} customers, ${options.products} products, 1..${options.maxLines} line(s) per order, ` +
      `≤ ${options.maxInFlight} in flight, polling 1 saga in ${options.pollEvery || '∞'} every ${options.pollIntervalMs} ms`,
  );
  say(
    `Machine: ${os.cpus().length} cores, Node ${process.version}, Java ${java.version}; results in ${outDir}`,
  );
  const machine: MachineInfo = machineInfo(java.version);

  const code = codeState(projectRoot());
  const startingSystem = startSystem(options, outDir, runId, cleanup);
  starting = startingSystem;
  const started = await startingSystem;
  starting = undefined;
  if (aborted) return;
  const rss = new RssSampler(() => pidsOf(started));
  rss.start();
  cleanup.push('RSS sampler', async () => rss.stop());

  say(`Creating ${options.customers} customers and ${options.products} products (stock 100,000,000 each) …`);
  const shop = await createShop(started.http, {
    customers: options.customers,
    products: options.products,
    tag: runId,
  });
  await waitForOrderViews(new HazelcastKeyValueStore(started.client), started.prefix, shop, 60_000);
  say('  the order service has every customer and product');

  const system: System = {
    ...started,
    options,
    outDir,
    runId,
    shop,
    records: await SagaRecords.open(started.client, started.prefix),
    rss,
    aborted: () => aborted,
  };

  const runs: RunResult[] = [];
  let maxSustainedRate: number | undefined;
  if (options.findMax) {
    const { startRate, stepRate, maxRate, stepDurationMs, stepWarmupMs } = options.findMax;
    for (let rate = startRate, step = 0; rate <= maxRate && !aborted; rate += stepRate, step++) {
      say(`\nStep ${step + 1}: ${rate} orders/s …`);
      const run = await runPhase(
        system,
        { label: `${rate}/s`, rate, warmupMs: stepWarmupMs, durationMs: stepDurationMs },
        step,
      );
      runs.push(run);
      if (!run.keptUp) {
        say(`  fell behind at ${rate}/s: ${run.keptUpWhy}`);
        break;
      }
      maxSustainedRate = rate;
    }
  } else {
    say(`\nLoad: ${options.rate} orders/s …`);
    runs.push(
      await runPhase(
        system,
        {
          label: `${options.rate}/s`,
          rate: options.rate,
          warmupMs: options.warmupMs,
          durationMs: options.durationMs,
        },
        0,
      ),
    );
  }
  if (aborted) return;

  say('\nReading what the member holds (payload per structure; jcmd GC.class_histogram forces a full GC) …');
  let memberData: SagaBenchResult['memberData'];
  try {
    const structures = await dataInventory(system.client, system.prefix);
    const heap = await heapHistogram(system.member.pid).catch((error: unknown) => {
      say(`  (jcmd GC.class_histogram failed: ${messageOf(error)})`);
      return undefined;
    });
    memberData = { structures, ...(heap ? { heap } : {}) };
  } catch (error) {
    say(`  (could not read the member's data: ${messageOf(error)})`);
  }

  say('\nStopping the services (CPU profiles are written on exit), the client and the member …');
  await cleanup.runAll();
  const profiles = summarizeProfiles(system, runs[runs.length - 1]);

  const finishedAt = new Date();
  const last = runs[runs.length - 1];
  const result: SagaBenchResult = {
    format: 'bench-saga/1',
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    command: `npm run bench:saga${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    options,
    machine,
    mode: options.findMax ? 'find-max' : 'rate',
    runs,
    ...(maxSustainedRate !== undefined ? { maxSustainedRate } : {}),
    bars: !options.findMax && last ? barsOf(last) : [],
    ...(Object.keys(profiles).length > 0 ? { profiles } : {}),
    ...(memberData ? { memberData } : {}),
    ...(code ? { code } : {}),
  };
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const tag = options.findMax ? 'find-max' : `${options.rate}`;
  const jsonFile = join(outDir, `bench-saga-${tag}-${stamp}.json`);
  const markdownFile = join(outDir, `bench-saga-${tag}-${stamp}.md`);
  writeFileSync(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
  const markdown = renderMarkdown(result);
  writeFileSync(markdownFile, `${markdown}\n`);
  say(`\n${markdown}`);
  for (const [name, file] of Object.entries(profiles)) say(`CPU profile of ${name} (window only): ${file}`);
  say(`Written: ${jsonFile}\n         ${markdownFile}`);
  say(
    `Medians over several runs: ./node_modules/.bin/node build/scripts/bench-saga/summarize.js ${outDir}/bench-saga-${tag}-*.json`,
  );
}

/** For each profiled service: the top functions of the last measured window, next to the profile. */
function summarizeProfiles(system: System, run: RunResult | undefined): Record<string, string> {
  const written: Record<string, string> = {};
  if (system.options.profile.length === 0 || !run) return written;
  const dir = join(system.outDir, 'profiles');
  let files: string[] = [];
  try {
    files = readdirSync(dir);
  } catch {
    return written;
  }
  const windowStartEpoch = Date.parse(run.windowStart);
  for (const name of system.options.profile) {
    const file = files.find((entry) => entry === `${name}-${system.runId}.cpuprofile`);
    if (!file) {
      say(`  (no CPU profile found for ${name} in ${dir})`);
      continue;
    }
    try {
      const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Parameters<typeof topOf>[0];
      // The profile's clock starts when the process does; the window opened this long after the spawn.
      const spawnEpoch = Date.now() - (performance.now() - system.spawnedAt[name]);
      const fromS = (windowStartEpoch - spawnEpoch) / 1000;
      const toS = fromS + run.durationMs / 1000;
      const out = join(dir, `${name}-${system.runId}-window-top.txt`);
      writeFileSync(out, `${topOf(profile, 40, fromS, toS)}\n`);
      written[name] = out;
      say(`\nCPU profile of ${name}, measured window only:`);
      say(topOf(profile, 12, fromS, toS));
    } catch (error) {
      say(`  (could not read the CPU profile of ${name}: ${messageOf(error)})`);
    }
  }
  return written;
}

const cleanup = new Cleanup(say);
let aborted = false;
let starting: Promise<unknown> | undefined;

exitWhenDone(
  'bench:saga',
  main(),
  () => aborted,
  () => cleanup.runAll(),
);
