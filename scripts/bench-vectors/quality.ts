import type { VectorIndex } from '../../src/vectors/vector-index';
import type { CatalogueProduct } from './catalogue';

/** Every `count`-th product's position, spread evenly over the catalogue. */
export function queryPositions(size: number, count: number): number[] {
  const step = Math.max(1, Math.floor(size / count));
  const positions: number[] = [];
  for (let at = 0; at < size && positions.length < count; at += step) positions.push(at);
  return positions;
}

/**
 * Recall@k of same-category neighbours: of the k products returned as most similar to a product (itself
 * left out), the share with the same label, averaged over the queries. 1.0 means every recommendation is
 * of the right kind; with 12 equal categories, random answers score about 0.083.
 */
export function sameCategoryRecall(
  index: VectorIndex,
  products: readonly CatalogueProduct[],
  vectors: readonly Float32Array[],
  positions: readonly number[],
  k: number,
): number {
  const labelOf = new Map(products.map((product) => [product.id, product.label]));
  let same = 0;
  let returned = 0;
  for (const at of positions) {
    const product = products[at]!;
    for (const match of index.search(vectors[at]!, k, product.id)) {
      returned++;
      if (labelOf.get(match.id) === product.label) same++;
    }
  }
  return returned === 0 ? 0 : same / returned;
}

/** How many of the exact top k an approximate index also returns (the ANN's own recall). */
export function neighbourRecall(
  approximate: VectorIndex,
  exact: VectorIndex,
  products: readonly CatalogueProduct[],
  vectors: readonly Float32Array[],
  positions: readonly number[],
  k: number,
): number {
  let found = 0;
  let wanted = 0;
  for (const at of positions) {
    const id = products[at]!.id;
    const truth = new Set(exact.search(vectors[at]!, k, id).map((match) => match.id));
    wanted += truth.size;
    for (const match of approximate.search(vectors[at]!, k, id)) if (truth.has(match.id)) found++;
  }
  return wanted === 0 ? 1 : found / wanted;
}

export interface LatencySummary {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Query latency by product (as GET /similar does), in `rounds` rounds; the median round is reported. */
export function queryLatency(
  index: VectorIndex,
  products: readonly CatalogueProduct[],
  vectors: readonly Float32Array[],
  positions: readonly number[],
  k: number,
  rounds: number,
): LatencySummary {
  const summaries: LatencySummary[] = [];
  for (let round = 0; round < rounds; round++) {
    const times: number[] = [];
    for (const at of positions) {
      const started = performance.now();
      index.search(vectors[at]!, k, products[at]!.id);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    summaries.push({ p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), maxMs: times.at(-1)! });
  }
  const median = (pick: (summary: LatencySummary) => number) =>
    percentile(
      summaries.map(pick).sort((a, b) => a - b),
      50,
    );
  return { p50Ms: median((s) => s.p50Ms), p99Ms: median((s) => s.p99Ms), maxMs: median((s) => s.maxMs) };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
