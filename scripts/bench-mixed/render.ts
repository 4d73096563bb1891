import { fmtMs } from '../bench-saga/report';
import type { MixedResult, RateResult } from './result';

/** The printed (and markdown) table of a run: one row per rate, then the RSS of every process. */
const fixed = (value: number | undefined, digits = 1): string =>
  value === undefined ? '–' : value.toFixed(digits);

function row(run: RateResult): string {
  const order = run.kinds.order.latencyMs;
  const shed = Object.values(run.kinds).reduce((sum, kind) => sum + kind.shed, 0);
  const errors = Object.values(run.kinds).reduce((sum, kind) => sum + kind.errors, 0);
  return (
    `| ${run.rate} | ${fixed(run.load.heldPerSecond)} | ${fixed(run.sagas.completedPerSecond)} | ` +
    `${fmtMs(order.p50)} / ${fmtMs(order.p99)} | ` +
    `${fmtMs(run.sagas.durationMs.p50)} / ${fmtMs(run.sagas.durationMs.p99)} | ` +
    `${fixed(run.cpu.msPerSaga, 2)} / ${fixed(run.cpu.systemMsPerSaga, 2)} | ${shed} / ${errors} |` +
    (run.broken ? ` stopped: ${run.broken}` : '')
  );
}

function rssTable(runs: readonly RateResult[]): string[] {
  const names = [...new Set(runs.flatMap((run) => Object.keys(run.rssMb.max)))];
  return [
    `| RSS max, MB | ${names.join(' | ')} |`,
    `|---:|${names.map(() => '---:').join('|')}|`,
    ...runs.map(
      (run) => `| ${run.rate}/s | ${names.map((name) => run.rssMb.max[name] ?? '–').join(' | ')} |`,
    ),
  ];
}

function cpuTable(runs: readonly RateResult[]): string[] {
  const names = [...new Set(runs.flatMap((run) => Object.keys(run.cpu.seconds)))];
  return [
    `| CPU s (load + settle) | ${names.join(' | ')} |`,
    `|---:|${names.map(() => '---:').join('|')}|`,
    ...runs.map(
      (run) =>
        `| ${run.rate}/s (${fixed(run.cpu.windowSeconds, 0)} s) | ` +
        `${names.map((name) => fixed(run.cpu.seconds[name], 1)).join(' | ')} |`,
    ),
  ];
}

export function renderMixed(result: MixedResult): string {
  const { options } = result;
  return [
    `## bench:mixed, ${options.mode} mode, ${options.durationMs / 1000} s per rate (${result.startedAt})`,
    '',
    '| iterations/s | held/s | sagas completed/s | order create p50 / p99 | saga p50 / p99 (durationMs) | ' +
      'CPU ms per saga: all / system | shed / errors |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...result.runs.map(row),
    '',
    ...cpuTable(result.runs),
    '',
    ...rssTable(result.runs),
  ].join('\n');
}
