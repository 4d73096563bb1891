/**
 * Medians and spread over several `npm run bench:core` results:
 *   ./node_modules/.bin/node build/scripts/bench/summarize.js .run/bench/bench-core-*.json
 * Prints a markdown section (what docs/benchmarks.md quotes). The bars are judged on the medians.
 */
import { readFileSync } from 'node:fs';
import type { Phase } from './options';
import { PHASES } from './options';
import {
  barsOf,
  BUSY_OTHER_PERCENT,
  fmtInt,
  fmtMs,
  PHASE_TITLES,
  ratiosOf,
  type BenchResult,
  type PhaseResult,
  type Ratios,
} from './report';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function spread(values: readonly number[], format: (value: number) => string): string {
  const med = median(values);
  if (values.length < 2) return format(med);
  return `${format(med)} (${format(Math.min(...values))}–${format(Math.max(...values))})`;
}

function medianPhase(runs: readonly PhaseResult[]): PhaseResult {
  const first = runs[0]!;
  const of = (pick: (run: PhaseResult) => number): number => median(runs.map(pick));
  return {
    ...first,
    completed: of((run) => run.completed),
    errors: of((run) => run.errors),
    opsPerSecond: of((run) => run.opsPerSecond),
    latencyMs: {
      p50: of((run) => run.latencyMs.p50),
      p95: of((run) => run.latencyMs.p95),
      p99: of((run) => run.latencyMs.p99),
      mean: of((run) => run.latencyMs.mean),
      max: of((run) => run.latencyMs.max),
    },
  };
}

const quiet = (phase: PhaseResult): boolean =>
  phase.cpu.other !== undefined && phase.cpu.other <= BUSY_OTHER_PERCENT;

/** Medians over every run, then over the quiet phases only (outside load ≤ BUSY_OTHER_PERCENT). */
export function summarize(results: readonly BenchResult[]): string {
  return [
    `### All runs: medians of ${results.length} (min–max in brackets)`,
    '',
    medianSection(results, () => true),
    '',
    `### Quiet phases only (outside load ≤ ${BUSY_OTHER_PERCENT}% of a core while measured)`,
    '',
    medianSection(results, quiet),
    '',
    `Runs: ${results
      .map(
        (result) =>
          `${result.startedAt} (\`${result.command}\`${result.code?.commit ? `, ${result.code.commit}` : ''})`,
      )
      .join(', ')}`,
  ].join('\n');
}

function medianSection(results: readonly BenchResult[], keep: (phase: PhaseResult) => boolean): string {
  const out: string[] = [];
  out.push('| phase | runs | ops/s | p50 ms | p95 ms | p99 ms | errors | CPU, % of one core (median) |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---|');
  const medians = new Map<Phase, PhaseResult>();
  for (const phase of PHASES) {
    const runs = results.flatMap((result) =>
      result.phases.filter((entry) => entry.phase === phase && keep(entry)),
    );
    if (runs.length === 0) continue;
    medians.set(phase, medianPhase(runs));
    const cpuNames = ['member', 'service', 'bench'].filter((name) =>
      runs.some((run) => run.cpu.processes[name] !== undefined),
    );
    const cpu = cpuNames
      .map((name) => `${name} ${median(runs.map((run) => run.cpu.processes[name] ?? 0)).toFixed(0)}%`)
      .concat(
        runs.every((run) => run.cpu.other !== undefined)
          ? [`other ${median(runs.map((run) => run.cpu.other ?? 0)).toFixed(0)}%`]
          : [],
      )
      .join(', ');
    out.push(
      `| ${PHASE_TITLES[phase]} | ${runs.length} | ${spread(
        runs.map((run) => run.opsPerSecond),
        fmtInt,
      )} | ${spread(
        runs.map((run) => run.latencyMs.p50),
        fmtMs,
      )} | ${spread(
        runs.map((run) => run.latencyMs.p95),
        fmtMs,
      )} | ${spread(
        runs.map((run) => run.latencyMs.p99),
        fmtMs,
      )} | ${spread(
        runs.map((run) => run.errors),
        fmtInt,
      )} | ${cpu} |`,
    );
  }
  out.push('');
  const ratioLine = (label: string, pick: (result: BenchResult) => Ratios | undefined): void => {
    const ratios = results.map(pick).filter((ratio): ratio is Ratios => ratio !== undefined);
    if (ratios.length === 0) return;
    const format = (value: number): string => `${value.toFixed(2)}×`;
    out.push(
      `- ${label}: raw/framework throughput **${spread(
        ratios.map((ratio) => ratio.throughput),
        format,
      )}**; framework/raw latency p50 ${spread(
        ratios.map((ratio) => ratio.p50),
        format,
      )}, p99 ${spread(
        ratios.map((ratio) => ratio.p99),
        format,
      )}`,
    );
  };
  // Ratios pair A and B of the same run, when both phases are kept.
  const paired = (rawPhase: Phase, frameworkPhase: Phase) => (result: BenchResult) => {
    const raw = result.phases.find((entry) => entry.phase === rawPhase);
    const framework = result.phases.find((entry) => entry.phase === frameworkPhase);
    return raw && framework && keep(raw) && keep(framework) ? ratiosOf(raw, framework) : undefined;
  };
  ratioLine('B vs A (100 products), paired per run', paired('raw', 'framework'));
  ratioLine('B* vs A* (one hot product), paired per run', paired('raw-hot', 'framework-hot'));
  const ofMedians = ratiosOf(medians.get('raw'), medians.get('framework'));
  if (ofMedians) {
    out.push(
      `- B vs A from the medians above: raw/framework throughput **${ofMedians.throughput.toFixed(2)}×**, ` +
        `framework/raw latency p50 ${ofMedians.p50.toFixed(2)}×, p99 ${ofMedians.p99.toFixed(2)}×`,
    );
  }
  for (const bar of barsOf(ofMedians, medians.get('http'))) {
    out.push(
      `- ${bar.met ? '**met**' : '**not met**'}: ${bar.name} — median ${bar.actual} (target ${bar.target})`,
    );
  }
  return out.join('\n');
}

function main(): void {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('usage: node build/scripts/bench/summarize.js <bench-core-*.json> …\n');
    process.exit(64);
  }
  const results = files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as BenchResult);
  const bad = results.findIndex((result) => result.format !== 'bench-core/1');
  if (bad >= 0) throw new Error(`${files[bad]} is not a bench:core result`);
  process.stdout.write(`${summarize(results)}\n`);
}

if (require.main === module) main();
