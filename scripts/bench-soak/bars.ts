import type { Bar } from '../bench/report';
import { fmtInt, fmtMs } from '../bench-saga/report';
import type { MemoryFigures, ModeResult } from './result';
import type { SoakSample } from './sampler';

/**
 * The member heap an order of the mixed workload keeps in the in-memory mode, bytes, as documented in
 * docs/guides/persistence.md ("Sizing the grid"): 20 KB, the slope of the 10-minute run of 2026-12-03 (60 s
 * runs give ≈28 KB: their start-up share is larger). The one place the soak's bar reads it from: update it
 * together with the guide.
 */
export const DOCUMENTED_BYTES_PER_ORDER: number | undefined = 20_000;

/** Issue 11, item 9. */
export const HEAP_FLAT_TOLERANCE = 0.2;
export const BYTES_PER_ORDER_TOLERANCE = 0.1;
export const MIN_THROUGHPUT_RATIO = 0.7;
export const MAX_P99_RATIO = 2;

const MB = 1024 ** 2;

/** Samples in [fromS, toS); none there → the one nearest the middle (a short run samples sparsely). */
function samplesIn(samples: readonly SoakSample[], fromS: number, toS: number): SoakSample[] {
  const withHeap = samples.filter((sample) => sample.liveHeapMb !== undefined);
  const inside = withHeap.filter((sample) => sample.atS >= fromS && sample.atS < toS);
  if (inside.length > 0 || withHeap.length === 0) return inside;
  const middle = (fromS + toS) / 2;
  const nearest = withHeap.reduce((best, sample) =>
    Math.abs(sample.atS - middle) < Math.abs(best.atS - middle) ? sample : best,
  );
  return [nearest];
}

const meanHeap = (samples: readonly SoakSample[]): number | undefined =>
  samples.length === 0
    ? undefined
    : samples.reduce((sum, sample) => sum + sample.liveHeapMb!, 0) / samples.length;

/** Least-squares slope of y over x; undefined with fewer than two distinct x. */
export function slopeOf(points: ReadonlyArray<readonly [number, number]>): number | undefined {
  if (points.length < 2) return undefined;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / points.length;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / points.length;
  let covariance = 0;
  let variance = 0;
  for (const [x, y] of points) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  return variance === 0 ? undefined : covariance / variance;
}

/**
 * The memory figures of one mode. "Minutes" are tenths of the run, so a 10-minute soak compares its
 * second and last minute and a shorter smoke run the same shares of itself.
 */
export function memoryFigures(
  durationMs: number,
  baseline: SoakSample | undefined,
  samples: readonly SoakSample[],
  settled: SoakSample | undefined,
): MemoryFigures {
  const tenthS = durationMs / 1000 / 10;
  const second = meanHeap(samplesIn(samples, tenthS, 2 * tenthS));
  const last = meanHeap(samplesIn(samples, 9 * tenthS, Infinity));
  const end = settled?.liveHeapMb !== undefined ? settled : samples[samples.length - 1];
  const growthMb =
    baseline?.liveHeapMb !== undefined && end?.liveHeapMb !== undefined
      ? end.liveHeapMb - baseline.liveHeapMb
      : undefined;
  const points = samples
    .filter((sample) => sample.liveHeapMb !== undefined && sample.atS >= tenthS)
    .map((sample) => [sample.ordersCreated, sample.liveHeapMb! * MB] as const);
  const rssMaxMb: Record<string, number> = {};
  for (const sample of samples) {
    for (const [name, mb] of Object.entries(sample.rssMb)) rssMaxMb[name] = Math.max(rssMaxMb[name] ?? 0, mb);
  }
  return {
    secondMinuteHeapMb: second,
    lastMinuteHeapMb: last,
    heapChange: second !== undefined && last !== undefined && second > 0 ? last / second - 1 : undefined,
    heapGrowthMb: growthMb,
    bytesPerOrder: slopeOf(points),
    bytesPerOrderOverall:
      growthMb !== undefined && end && end.ordersCreated > 0
        ? (growthMb * MB) / end.ordersCreated
        : undefined,
    rssMaxMb,
    rssEndMb: samples[samples.length - 1]?.rssMb ?? {},
  };
}

const pct = (ratio: number): string => `${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(1)} %`;

/** The bars of issue 11 item 9, judged on one run; a bar whose mode did not run is left out. */
export function soakBars(memory: ModeResult | undefined, postgres: ModeResult | undefined): Bar[] {
  const bars: Bar[] = [];
  for (const run of [memory, postgres]) {
    if (!run) continue;
    bars.push({
      name: `${run.mode}: kept serving`,
      target: `the whole ${run.durationMs / 1000} s, no process died, 0 errors`,
      actual: run.broken ?? `${fmtInt(run.errors)} errors, ${fmtInt(run.shed)} shed (503)`,
      met: run.broken === undefined && run.errors === 0,
    });
  }
  if (postgres) {
    const { heapChange, secondMinuteHeapMb, lastMinuteHeapMb } = postgres.memory;
    bars.push({
      name: 'postgres: member live heap flat',
      target: `last minute's within ${HEAP_FLAT_TOLERANCE * 100} % of the second minute's`,
      actual:
        heapChange === undefined
          ? 'no live-heap samples'
          : `${lastMinuteHeapMb!.toFixed(0)} MB vs ${secondMinuteHeapMb!.toFixed(0)} MB (${pct(heapChange)})`,
      met: heapChange !== undefined && Math.abs(heapChange) <= HEAP_FLAT_TOLERANCE && !postgres.broken,
    });
  }
  if (memory) {
    const measured = memory.memory.bytesPerOrder;
    const documented = DOCUMENTED_BYTES_PER_ORDER;
    const off = measured !== undefined && documented !== undefined ? measured / documented - 1 : undefined;
    bars.push({
      name: 'memory: heap grows by the documented bytes per order',
      target:
        documented === undefined
          ? 'within 10 % of docs/guides/persistence.md (no figure there yet)'
          : `within ${BYTES_PER_ORDER_TOLERANCE * 100} % of ${fmtInt(documented)} bytes per order`,
      actual:
        measured === undefined
          ? 'too few live-heap samples'
          : `${fmtInt(measured)} bytes per order${off !== undefined ? ` (${pct(off)})` : ''}`,
      met: off !== undefined && Math.abs(off) <= BYTES_PER_ORDER_TOLERANCE && !memory.broken,
    });
    bars.push({
      name: 'memory: no request shed',
      target: '0 answers 503',
      actual: `${fmtInt(memory.shed)} shed`,
      met: memory.shed === 0 && !memory.broken,
    });
  }
  if (memory && postgres) {
    const base = memory.sagas.perSecond;
    const persistent = postgres.sagas.perSecond;
    const ratio = base && persistent !== undefined ? persistent / base : undefined;
    bars.push({
      name: 'postgres throughput ≥ 70 % of memory',
      target: `completed sagas/s ≥ ${MIN_THROUGHPUT_RATIO * 100} % of the in-memory mode's`,
      actual:
        ratio === undefined
          ? 'no saga counts'
          : `${persistent!.toFixed(1)}/s vs ${base!.toFixed(1)}/s (${(ratio * 100).toFixed(0)} %)`,
      met: ratio !== undefined && ratio >= MIN_THROUGHPUT_RATIO,
    });
    const p99Memory = memory.sagas.durationMsOutsideSampling;
    const p99Postgres = postgres.sagas.durationMsOutsideSampling;
    const p99Ratio =
      p99Memory.count > 0 && p99Postgres.count > 0 ? p99Postgres.p99 / p99Memory.p99 : undefined;
    bars.push({
      name: 'postgres saga p99 ≤ 2× memory',
      target: `server-side durationMs p99 ≤ ${MAX_P99_RATIO}× the in-memory mode's (sagas clear of the forced GCs)`,
      actual:
        p99Ratio === undefined
          ? 'no completed sagas sampled'
          : `${fmtMs(p99Postgres.p99)} ms vs ${fmtMs(p99Memory.p99)} ms (${p99Ratio.toFixed(2)}×)`,
      met: p99Ratio !== undefined && p99Ratio <= MAX_P99_RATIO,
    });
  }
  return bars;
}
