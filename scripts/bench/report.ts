import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { HAZELCAST_VERSION } from '../../src/hazelcast/jar';
import type { CpuUsage } from './cpu';
import type { MemberGc } from './member-gc';
import type { BenchOptions, HttpClientKind, Phase } from './options';

/** The result of one `npm run bench:core` run, also written as JSON so runs can be compared later. */
export interface PhaseResult {
  readonly phase: Phase;
  readonly title: string;
  readonly products: number;
  readonly concurrency: number;
  readonly completed: number;
  readonly errors: number;
  readonly errorSamples: Readonly<Record<string, number>>;
  readonly opsPerSecond: number;
  readonly latencyMs: {
    readonly p50: number;
    readonly p95: number;
    readonly p99: number;
    readonly mean: number;
    readonly max: number;
  };
  /** ops/s per progress interval inside the window, to show a trend. */
  readonly timeline: readonly number[];
  /** % of one core per process during the window. */
  readonly cpu: CpuUsage;
  /** Event-loop utilization of this (the bench) process during the window, 0..1. */
  readonly benchEventLoop: number;
  readonly conflicts?: number;
  readonly appended?: number;
  readonly published?: number;
  readonly stageMeanMs?: Readonly<Record<string, number>>;
  readonly serverMeanMs?: number;
  /** Time to finish background publications after the window. */
  readonly drainMs?: number;
  /** One product's view after the phase: JSON size and open reservations in it. */
  readonly view?: { readonly bytes: number; readonly reservations: number };
  readonly stuck: number;
  readonly httpClient?: HttpClientKind;
  /** The member's stop-the-world GC pauses during the window. */
  readonly memberGc?: MemberGc;
}

export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly java: string;
  readonly hazelcast: string;
  readonly os: string;
  readonly memoryGb: number;
  readonly loadAverageAtStart: readonly number[];
}

/** The code measured: HEAD and the tracked files modified in the working tree at the start. */
export interface MeasuredCode {
  readonly head: string;
  readonly modified: readonly string[];
}

/** What every benchmark's JSON result starts with: which one, when, how it was run, where, on what code. */
export interface BenchResultHeader<Format extends string, Options> {
  readonly format: Format;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly command: string;
  readonly options: Options;
  readonly machine: MachineInfo;
  readonly code?: MeasuredCode;
}

/** This machine, as both benchmarks record it next to their figures. */
export function machineInfo(javaVersion: string): MachineInfo {
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    java: javaVersion,
    hazelcast: HAZELCAST_VERSION,
    os: `${os.type()} ${os.release()}`,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    loadAverageAtStart: os.loadavg(),
  };
}

/** HEAD and the modified tracked files (read-only git commands): other work in progress is measured too. */
export function codeState(root: string): { head: string; modified: string[] } | undefined {
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', ['--no-optional-locks', ...args], { cwd: root, encoding: 'utf8' }).trim();
    const modified = git('diff', '--name-only', 'HEAD')
      .split('\n')
      .filter((line) => line !== '');
    return { head: git('rev-parse', 'HEAD'), modified };
  } catch {
    return undefined;
  }
}

export interface Bar {
  readonly name: string;
  readonly target: string;
  readonly actual: string;
  readonly met: boolean;
}

export interface Ratios {
  /** Raw ops/s ÷ framework ops/s: the throughput cost of the framework (bar: ≤ 1.5). */
  readonly throughput: number;
  /** Framework latency ÷ raw latency at p50 and p99. */
  readonly p50: number;
  readonly p99: number;
}

/** Which code was measured: other people may be editing the tree while the bench runs. */
export interface CodeVersion {
  readonly commit?: string;
  /** Tracked files with uncommitted changes when the run started (names, at most 20). */
  readonly modified?: readonly string[];
}

export interface BenchResult {
  readonly format: 'bench-core/1';
  readonly code?: CodeVersion;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly command: string;
  readonly options: BenchOptions;
  readonly machine: MachineInfo;
  readonly phases: readonly PhaseResult[];
  readonly spread?: Ratios;
  readonly hot?: Ratios;
  readonly bars: readonly Bar[];
}

export const PHASE_TITLES: Readonly<Record<Phase, string>> = {
  raw: 'A  raw hazelcast-client',
  framework: 'B  framework in-process',
  'raw-hot': 'A* raw, one hot product',
  'framework-hot': 'B* framework, one hot product',
  http: 'C  HTTP, inventory service',
};

export function ratiosOf(
  raw: PhaseResult | undefined,
  framework: PhaseResult | undefined,
): Ratios | undefined {
  if (!raw || !framework || framework.opsPerSecond === 0 || raw.latencyMs.p50 === 0) return undefined;
  return {
    throughput: raw.opsPerSecond / framework.opsPerSecond,
    p50: framework.latencyMs.p50 / raw.latencyMs.p50,
    p99: framework.latencyMs.p99 / raw.latencyMs.p99,
  };
}

/** The bars of the brief, judged on the figures given (one run, or the medians of several). */
export function barsOf(spread: Ratios | undefined, http: PhaseResult | undefined): Bar[] {
  const bars: Bar[] = [];
  if (spread) {
    bars.push({
      name: 'framework in-process within 1.5× of raw',
      target: 'raw ops/s ÷ framework ops/s ≤ 1.5',
      actual: `${spread.throughput.toFixed(2)}×`,
      met: spread.throughput <= 1.5,
    });
  }
  if (http) {
    bars.push({
      name: 'HTTP reservations/s',
      target: '≥ 2,000/s',
      actual: `${fmtInt(http.opsPerSecond)}/s`,
      met: http.opsPerSecond >= 2000,
    });
    bars.push({
      name: 'HTTP p99 latency',
      target: '< 20 ms',
      actual: `${fmtMs(http.latencyMs.p99)} ms`,
      met: http.latencyMs.p99 < 20,
    });
  }
  return bars;
}

/** Outside load (% of one core) above which a phase's figures are flagged as disturbed. */
export const BUSY_OTHER_PERCENT = 25;

export const fmtInt = (value: number): string => Math.round(value).toLocaleString('en-US');
export const fmtMs = (value: number): string =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
const fmtPct = (value: number | undefined): string => (value === undefined ? '–' : `${value.toFixed(0)}%`);

function cpuCell(cpu: CpuUsage): string {
  const parts = ['member', 'service', 'bench'].flatMap((name) =>
    cpu.processes[name] !== undefined ? [`${name} ${fmtPct(cpu.processes[name])}`] : [],
  );
  if (cpu.other !== undefined) parts.push(`other ${fmtPct(cpu.other)}`);
  return parts.join(', ');
}

/** The console table: one line per phase, then ratios and bars. */
export function renderTable(result: BenchResult): string {
  const header = ['phase', 'ops', 'ops/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'CPU (% of one core)'];
  const rows = result.phases.map((phase) => [
    PHASE_TITLES[phase.phase],
    fmtInt(phase.completed),
    fmtInt(phase.opsPerSecond),
    fmtMs(phase.latencyMs.p50),
    fmtMs(phase.latencyMs.p95),
    fmtMs(phase.latencyMs.p99),
    fmtInt(phase.errors),
    cpuCell(phase.cpu),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) =>
        column === 0 || column === 7 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  const out = [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)];
  const { machine, options } = result;
  out.push(
    `${options.concurrency} in flight, ${options.durationMs / 1000} s measured per phase; machine: ` +
      `${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}, Java ${machine.java}, ` +
      `Hazelcast ${machine.hazelcast} member heap ${options.heap}` +
      (result.code?.commit
        ? `; code ${result.code.commit}${result.code.modified?.length ? '+changes' : ''}`
        : ''),
  );
  out.push('');
  for (const [label, ratios] of [
    ['B vs A (100 products)', result.spread],
    ['B* vs A* (hot product)', result.hot],
  ] as const) {
    if (!ratios) continue;
    out.push(
      `${label}: throughput A/B ${ratios.throughput.toFixed(2)}×, latency B/A p50 ${ratios.p50.toFixed(2)}× ` +
        `p99 ${ratios.p99.toFixed(2)}×`,
    );
  }
  for (const phase of result.phases) {
    if (phase.cpu.other !== undefined && phase.cpu.other > BUSY_OTHER_PERCENT) {
      out.push(
        `WARNING: other processes used ${phase.cpu.other.toFixed(0)}% of a core during ` +
          `${PHASE_TITLES[phase.phase].slice(3).trim()}: its figures are depressed by outside load.`,
      );
    }
  }
  for (const bar of result.bars) {
    out.push(`${bar.met ? 'MET    ' : 'NOT MET'}  ${bar.name}: ${bar.actual} (target ${bar.target})`);
  }
  return out.join('\n');
}

/** One run as a markdown section (what docs/benchmarks.md quotes from). */
export function renderMarkdown(result: BenchResult): string {
  const { options, machine } = result;
  const out: string[] = [];
  out.push(`### bench:core run ${result.startedAt}`);
  out.push('');
  out.push(
    `Command: \`${result.command}\` — ${options.durationMs / 1000} s measured after ${options.warmupMs / 1000} s ` +
      `warm-up per phase, closed loop, ${options.concurrency} in flight, ${options.products} products` +
      (result.phases.some((phase) => phase.phase === 'http')
        ? `, HTTP client \`${options.httpClient}\``
        : '') +
      '.',
  );
  out.push('');
  out.push(
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGb} GB, ${machine.os}; ` +
      `Node ${machine.node}, Java ${machine.java}, Hazelcast ${machine.hazelcast} (one member, heap ${options.heap}); ` +
      `load average at start ${machine.loadAverageAtStart.map((value) => value.toFixed(2)).join(' ')}.` +
      (options.note ? ` Note: ${options.note}` : ''),
  );
  out.push('');
  if (result.code?.commit) {
    const modified = result.code.modified ?? [];
    out.push(
      `Code: commit ${result.code.commit}` +
        (modified.length > 0
          ? ` plus uncommitted changes to ${modified.join(', ')}.`
          : ', no uncommitted changes.'),
    );
    out.push('');
  }
  out.push('| phase | ops | ops/s | p50 ms | p95 ms | p99 ms | errors | CPU, % of one core |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const phase of result.phases) {
    out.push(
      `| ${PHASE_TITLES[phase.phase]} | ${fmtInt(phase.completed)} | ${fmtInt(phase.opsPerSecond)} | ` +
        `${fmtMs(phase.latencyMs.p50)} | ${fmtMs(phase.latencyMs.p95)} | ${fmtMs(phase.latencyMs.p99)} | ` +
        `${fmtInt(phase.errors)} | ${cpuCell(phase.cpu)} |`,
    );
  }
  out.push('');
  for (const [label, ratios] of [
    ['B vs A', result.spread],
    ['B* vs A* (one hot product)', result.hot],
  ] as const) {
    if (!ratios) continue;
    out.push(
      `- ${label}: raw/framework throughput **${ratios.throughput.toFixed(2)}×**; framework/raw latency ` +
        `p50 ${ratios.p50.toFixed(2)}×, p99 ${ratios.p99.toFixed(2)}×`,
    );
  }
  for (const bar of result.bars) {
    out.push(`- ${bar.met ? '**met**' : '**not met**'}: ${bar.name} — ${bar.actual} (target ${bar.target})`);
  }
  out.push('');
  out.push('Details per phase:');
  out.push('');
  for (const phase of result.phases) out.push(`- ${PHASE_TITLES[phase.phase]}: ${details(phase)}`);
  out.push('');
  return out.join('\n');
}

function details(phase: PhaseResult): string {
  const parts: string[] = [];
  parts.push(`mean ${fmtMs(phase.latencyMs.mean)} ms, max ${fmtMs(phase.latencyMs.max)} ms`);
  if (phase.conflicts !== undefined) parts.push(`${fmtInt(phase.conflicts)} append conflicts`);
  if (phase.appended !== undefined && phase.published !== undefined) {
    parts.push(
      `${fmtInt(phase.appended)} events appended / ${fmtInt(phase.published)} published in the window`,
    );
  } else if (phase.published !== undefined) {
    parts.push(`${fmtInt(phase.published)} published in the window`);
  }
  const stages = Object.entries(phase.stageMeanMs ?? {});
  if (stages.length > 0) {
    parts.push(`mean stage ms: ${stages.map(([stage, ms]) => `${stage} ${fmtMs(ms)}`).join(', ')}`);
  }
  if (phase.serverMeanMs !== undefined) parts.push(`server-side mean ${fmtMs(phase.serverMeanMs)} ms`);
  if (phase.drainMs !== undefined) parts.push(`publish drain ${fmtInt(phase.drainMs)} ms`);
  if (phase.view) {
    parts.push(
      `a product view ends at ${fmtInt(phase.view.bytes)} bytes (${fmtInt(phase.view.reservations)} reservations)`,
    );
  }
  if (phase.memberGc) {
    const gc = phase.memberGc;
    parts.push(
      `member GC ${gc.pauses} pauses, ${fmtMs(gc.pauseMs)} ms in total` +
        (gc.fullGcs > 0 ? ` (${gc.fullGcs} full)` : '') +
        (gc.heapAfterMb !== undefined ? `, heap after the last ${gc.heapAfterMb} MB` : ''),
    );
  }
  parts.push(`bench event loop ${(phase.benchEventLoop * 100).toFixed(0)}% busy`);
  if (phase.timeline.length > 1)
    parts.push(`ops/s over the window: ${phase.timeline.map(fmtInt).join(' → ')}`);
  if (phase.stuck > 0) parts.push(`${phase.stuck} operations still running at the drain timeout`);
  const errors = Object.entries(phase.errorSamples);
  if (errors.length > 0)
    parts.push(`errors seen: ${errors.map(([message, count]) => `${count}× ${message}`).join('; ')}`);
  if (phase.httpClient) parts.push(`client ${phase.httpClient}`);
  return parts.join('; ');
}
