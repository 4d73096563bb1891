import { fmtInt, fmtMs } from '../bench-saga/report';
import { SERVICE_NAMES } from '../../src/local/service-process';
import { KINDS, MIX } from './mix';
import type { KindResult, ModeResult, SoakResult } from './result';

/** The markdown of one soak: what the console shows and docs/benchmarks.md quotes. */
const mb = (value: number | undefined): string => (value === undefined ? '–' : value.toFixed(0));

function summaryRows(modes: readonly ModeResult[]): string[] {
  const row = (title: string, cell: (run: ModeResult) => string): string =>
    `| ${title} | ${modes.map(cell).join(' | ')} |`;
  const rss = (name: string) => (run: ModeResult) =>
    `${mb(run.memory.rssMaxMb[name])} / ${mb(run.memory.rssEndMb[name])}`;
  return [
    `| | ${modes.map((run) => run.mode).join(' | ')} |`,
    `|---|${modes.map(() => '---:|').join('')}`,
    row(
      'iterations scheduled / sent (late, not sent)',
      (run) =>
        `${fmtInt(run.load.scheduled)} / ${fmtInt(run.load.sent)} (${fmtInt(run.load.late)}, ${fmtInt(run.load.notSent)})`,
    ),
    row('stopped early', (run) => run.broken ?? 'no'),
    row('orders created', (run) => fmtInt(run.ordersCreated)),
    row('shed (503) / errors', (run) => `${fmtInt(run.shed)} / ${fmtInt(run.errors)}`),
    row('completed sagas/s', (run) =>
      run.sagas.perSecond === undefined ? '–' : run.sagas.perSecond.toFixed(1),
    ),
    row('saga p50 / p95 / p99 ms (server durationMs)', (run) => {
      const q = run.sagas.durationMs;
      return `${fmtMs(q.p50)} / ${fmtMs(q.p95)} / ${fmtMs(q.p99)}`;
    }),
    row('saga p50 / p95 / p99 ms, clear of the forced GCs (n)', (run) => {
      const q = run.sagas.durationMsOutsideSampling;
      return `${fmtMs(q.p50)} / ${fmtMs(q.p95)} / ${fmtMs(q.p99)} (${fmtInt(q.count)})`;
    }),
    row('sagas sampled: completed / compensated / failed / timed out / unfinished', (run) => {
      const s = run.sagas;
      return `${fmtInt(s.completed)} / ${s.compensated} / ${s.failed} / ${s.timedOut} / ${s.unfinished}`;
    }),
    ...KINDS.map((kind) =>
      row(`${kind} (${MIX[kind]} %): ok, p50 / p99 ms`, (run) => {
        const k = run.kinds[kind];
        return `${fmtInt(k.ok)}, ${fmtMs(k.latencyMs.p50)} / ${fmtMs(k.latencyMs.p99)}`;
      }),
    ),
    row(
      'order-and-poll: settled p50 / p99 ms, still PENDING after 10 s',
      (run) => `${fmtMs(run.polls.settledMs.p50)} / ${fmtMs(run.polls.settledMs.p99)}, ${run.polls.timedOut}`,
    ),
    row('CPU % of one core: member / services / postgres / bench / other', (run) => {
      const p = run.cpu.processes;
      const services = SERVICE_NAMES.reduce((sum, name) => sum + (p[name] ?? 0), 0);
      return [p.member, services, p.postgres, p.bench, run.cpu.other].map((value) => mb(value)).join(' / ');
    }),
    row('member live heap MB: before / 2nd minute / last minute / settled', (run) =>
      [
        run.baseline?.liveHeapMb,
        run.memory.secondMinuteHeapMb,
        run.memory.lastMinuteHeapMb,
        run.settled?.liveHeapMb,
      ]
        .map(mb)
        .join(' / '),
    ),
    row('member live heap growth MB', (run) => mb(run.memory.heapGrowthMb)),
    row(
      'member heap bytes per order: slope / overall',
      (run) =>
        `${fmtInt(run.memory.bytesPerOrder ?? NaN)} / ${fmtInt(run.memory.bytesPerOrderOverall ?? NaN)}`,
    ),
    row('member RSS MB: max / end', rss('member')),
    ...SERVICE_NAMES.map((name) => row(`${name} RSS MB: max / end`, rss(name))),
    row('member GC: pauses, total ms (full GCs)', (run) =>
      run.memberGc
        ? `${fmtInt(run.memberGc.pauses)}, ${fmtInt(run.memberGc.pauseMs)} (${run.memberGc.fullGcs})`
        : '–',
    ),
    row('forced full GC (sampling) p50 / max ms', (run) => {
      const times = run.samples
        .map((sample) => sample.forcedGcMs)
        .filter((ms): ms is number => ms !== undefined)
        .sort((a, b) => a - b);
      return times.length === 0
        ? '–'
        : `${fmtInt(times[Math.floor(times.length / 2)]!)} / ${fmtInt(times[times.length - 1]!)}`;
    }),
    row('PostgreSQL database MB', (run) =>
      run.databaseBytes === undefined ? '–' : (run.databaseBytes / 1024 ** 2).toFixed(0),
    ),
  ];
}

function timeline(run: ModeResult): string[] {
  const out = [
    `| ${run.mode}: t s | live heap MB | member RSS | ${SERVICE_NAMES.join(' | ')} | orders | sagas completed | running | shed | errors |`,
    `|---:|---:|---:|${SERVICE_NAMES.map(() => '---:|').join('')}---:|---:|---:|---:|---:|`,
  ];
  const rows = [
    ...(run.baseline ? [{ label: 'before', sample: run.baseline }] : []),
    ...run.samples.map((sample) => ({ label: String(Math.round(sample.atS)), sample })),
    ...(run.settled ? [{ label: 'settled', sample: run.settled }] : []),
  ];
  for (const { label, sample } of rows) {
    out.push(
      `| ${label} | ${mb(sample.liveHeapMb)} | ${mb(sample.rssMb.member)} | ` +
        `${SERVICE_NAMES.map((name) => mb(sample.rssMb[name])).join(' | ')} | ${fmtInt(sample.ordersCreated)} | ` +
        `${fmtInt(sample.sagasCompleted ?? NaN)} | ${fmtInt(sample.sagasRunning ?? NaN)} | ${fmtInt(sample.shed)} | ` +
        `${fmtInt(sample.errors)} |`,
    );
  }
  return out;
}

export function renderSoak(result: SoakResult): string {
  const { machine, options } = result;
  const out: string[] = [
    `### bench:soak ${result.startedAt}`,
    '',
    `Command: \`${result.command}\` — ${options.rate} iterations/s open loop for ${options.durationMs / 1000} s per mode, ` +
      `member heap ${options.heap}, live heap sampled every ${options.sampleEveryMs / 1000} s, 1 saga in ${options.sagaSampleEvery} read back.`,
    '',
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGb} GB, ${machine.os}; Node ${machine.node}, ` +
      `Java ${machine.java}, Hazelcast ${machine.hazelcast}; load average at start ${machine.loadAverageAtStart
        .map((value) => value.toFixed(2))
        .join(' ')}.` +
      (options.note ? ` Note: ${options.note}` : ''),
  ];
  if (result.code) {
    out.push(
      `Code: HEAD ${result.code.head.slice(0, 10)}` +
        (result.code.modified.length > 0
          ? ` plus ${result.code.modified.length} modified tracked files (${result.code.modified.slice(0, 8).join(', ')}${result.code.modified.length > 8 ? ', …' : ''}).`
          : ', clean working tree.'),
    );
  }
  out.push('', ...summaryRows(result.modes), '');
  for (const run of result.modes) {
    for (const [title, pick] of [
      ['errors', (stats: KindResult) => stats.errorSamples],
      ['shed (503)', (stats: KindResult) => stats.shedSamples],
    ] as const) {
      const texts = [...Object.entries(run.kinds), ['poll', run.polls] as const].flatMap(([kind, stats]) =>
        Object.entries(pick(stats)).map(([text, count]) => `${kind}: ${count}× ${text}`),
      );
      if (texts.length > 0) out.push(`${run.mode} ${title}: ${texts.join('; ')}`, '');
    }
  }
  for (const run of result.modes) out.push(...timeline(run), '');
  out.push('| bar | target | actual | met |', '|---|---|---|---|');
  for (const bar of result.bars) {
    out.push(`| ${bar.name} | ${bar.target} | ${bar.actual} | ${bar.met ? 'met' : '**not met**'} |`);
  }
  return out.join('\n');
}
