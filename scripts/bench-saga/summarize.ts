/**
 * Medians over several `npm run bench:saga` results (one rate per file, e.g. three runs at 150/s):
 *   ./node_modules/.bin/node build/scripts/bench-saga/summarize.js .run/bench-saga/bench-saga-150-*.json
 * Prints a markdown table per offered rate (what docs/benchmarks.md quotes); bars are judged on medians.
 */
import { readFileSync } from 'node:fs';
import {
  EDGE_TOLERANCE,
  fmtInt,
  fmtMs,
  PROCESSES,
  SERVICES,
  type RunResult,
  type SagaBenchResult,
} from './report';

function median(values: readonly number[]): number {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function spread(values: readonly number[], format: (value: number) => string): string {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return '–';
  const med = median(finite);
  if (finite.length < 2) return format(med);
  return `${format(med)} (${format(Math.min(...finite))}–${format(Math.max(...finite))})`;
}

export function summarize(results: readonly SagaBenchResult[]): string {
  const byRate = new Map<number, RunResult[]>();
  for (const result of results) {
    if (result.mode !== 'rate') continue;
    for (const run of result.runs) byRate.set(run.rate, [...(byRate.get(run.rate) ?? []), run]);
  }
  const out: string[] = [];
  out.push('Medians over runs (min–max in brackets):');
  out.push('');
  out.push(
    '| offered/s | runs | completed sagas/s | lost | timed out | compensated | saga p50 ms | saga p95 ms | saga p99 ms | saga p99 ms, quiet seconds | ' +
      'client p99 ms (→ completedAt) | client p99 ms (polled) | order create p50 / p99 ms |',
  );
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const [rate, runs] of [...byRate].sort((a, b) => a[0] - b[0])) {
    const of = (pick: (run: RunResult) => number, format: (value: number) => string = fmtMs): string =>
      spread(runs.map(pick), format);
    out.push(
      `| ${rate} | ${runs.length} | ${of(
        (run) => run.sagas.completedPerSecond,
        (value) => value.toFixed(1),
      )} | ` +
        `${of((run) => run.sagas.lost, fmtInt)} | ${of((run) => run.sagas.timedOut, fmtInt)} | ` +
        `${of((run) => run.sagas.compensated, fmtInt)} | ${of((run) => run.latencyMs.sagaRecord.p50)} | ` +
        `${of((run) => run.latencyMs.sagaRecord.p95)} | ${of((run) => run.latencyMs.sagaRecord.p99)} | ` +
        `${of((run) => run.latencyMs.sagaRecordQuiet?.p99 ?? NaN)} | ` +
        `${of((run) => run.latencyMs.clientToCompleted.p99)} | ${of((run) => run.latencyMs.clientPolled.p99)} | ` +
        `${of((run) => run.latencyMs.orderCreate.p50)} / ${of((run) => run.latencyMs.orderCreate.p99)} |`,
    );
  }
  out.push('');
  out.push(
    '| offered/s | ' +
      PROCESSES.map((name) => `${name} CPU % / peak RSS MB`).join(' | ') +
      ' | machine CPU % | other processes CPU % |',
  );
  out.push('|---:|' + PROCESSES.map(() => '---|').join('') + '---:|---|');
  for (const [rate, runs] of [...byRate].sort((a, b) => a[0] - b[0])) {
    const cells = PROCESSES.map((name) => {
      const cpu = median(runs.map((run) => run.processes[name]?.cpuPercent ?? NaN));
      const rss = median(runs.map((run) => run.processes[name]?.peakRssMb ?? NaN));
      return `${Number.isFinite(cpu) ? cpu.toFixed(0) : '–'} / ${fmtInt(rss)}`;
    });
    const machine = median(runs.map((run) => run.cpu.machine ?? NaN));
    const other = spread(
      runs.map((run) => run.cpu.other ?? NaN),
      (value) => value.toFixed(0),
    );
    out.push(
      `| ${rate} | ${cells.join(' | ')} | ${Number.isFinite(machine) ? machine.toFixed(0) : '–'} | ${other} |`,
    );
  }
  out.push('');
  out.push(
    '| run (UTC) | offered/s | completed/s | lost | timed out | saga p50 / p95 / p99 ms | p99 quiet s. | create p99 ms | member GC pause ms | other processes CPU % |',
  );
  out.push('|---|---:|---:|---:|---:|---|---:|---:|---:|---:|');
  for (const result of [...results].sort((a, b) => a.startedAt.localeCompare(b.startedAt))) {
    for (const run of result.runs) {
      const record = run.latencyMs.sagaRecord;
      out.push(
        `| ${result.startedAt.slice(0, 16).replace('T', ' ')} | ${run.rate} | ${run.sagas.completedPerSecond.toFixed(1)} | ` +
          `${run.sagas.lost} | ${run.sagas.timedOut} | ${fmtMs(record.p50)} / ${fmtMs(record.p95)} / ${fmtMs(record.p99)} | ` +
          `${run.latencyMs.sagaRecordQuiet ? fmtMs(run.latencyMs.sagaRecordQuiet.p99) : '–'} | ${fmtMs(run.latencyMs.orderCreate.p99)} | ` +
          `${fmtInt(run.memberGc?.pauseMs ?? NaN)} | ${run.cpu.other === undefined ? '–' : run.cpu.other.toFixed(0)} |`,
      );
    }
  }
  out.push('');
  out.push('| offered/s | bar | median | met |');
  out.push('|---:|---|---|---|');
  for (const [rate, runs] of [...byRate].sort((a, b) => a[0] - b[0])) {
    const perSecond = median(runs.map((run) => run.sagas.completedPerSecond));
    const lost = median(runs.map((run) => run.sagas.lost));
    const timedOut = median(runs.map((run) => run.sagas.timedOut));
    const keptAll = runs.every((run) => run.keptUp);
    out.push(
      `| ${rate} | ≥ ${rate} completed/s (−${EDGE_TOLERANCE * 100} % edges), 0 lost, 0 timed out | ` +
        `${perSecond.toFixed(1)}/s, ${lost} lost, ${timedOut} timed out (kept up in ${runs.filter((run) => run.keptUp).length}/${runs.length} runs) | ` +
        `${perSecond >= rate * (1 - EDGE_TOLERANCE) && lost === 0 && timedOut === 0 ? (keptAll ? 'met' : 'met (median)') : '**not met**'} |`,
    );
    const p99 = median(runs.map((run) => run.latencyMs.sagaRecord.p99));
    out.push(`| ${rate} | saga p99 < 200 ms | ${fmtMs(p99)} ms | ${p99 < 200 ? 'met' : '**not met**'} |`);
    const worstRss = Math.max(
      ...SERVICES.map((name) => median(runs.map((run) => run.processes[name]?.peakRssMb ?? NaN))),
    );
    out.push(
      `| ${rate} | each service < 200 MB RSS | largest ${fmtInt(worstRss)} MB | ${worstRss < 200 ? 'met' : '**not met**'} |`,
    );
  }
  return out.join('\n');
}

if (require.main === module) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('usage: node build/scripts/bench-saga/summarize.js <bench-saga-*.json>...\n');
    process.exit(64);
  }
  const results = files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as SagaBenchResult);
  process.stdout.write(`${summarize(results)}\n`);
}
