import type { Client as HazelcastClient } from 'hazelcast-client';

/**
 * What every phase shares: which product an operation hits (the same deterministic spread for the raw,
 * framework and HTTP phases), unique order ids, and the Prometheus counters read around a window.
 */

/** Product of operation `seq`: a fixed pseudo-random (uniform) spread, identical across phases and runs. */
export function productFor(seq: number, productIds: readonly string[]): string {
  return productIds[mix32(seq) % productIds.length]!;
}

/** murmur3's 32-bit finalizer: consecutive integers land on well-spread values. */
export function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Runs `task` for 0..count-1 with at most `parallel` at a time (setup: creating products). */
export async function forEachLimited(
  count: number,
  parallel: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, lane));
}

/** Destroys every map and ringbuffer whose name starts with prefix, so phases do not fill the member's heap. */
export async function destroyPrefixed(client: HazelcastClient, prefix: string): Promise<number> {
  const objects = await client.getDistributedObjects();
  const mine = objects.filter((object) => object.getName().startsWith(prefix));
  await Promise.all(mine.map((object) => object.destroy()));
  return mine.length;
}

/** Prometheus text format → value per `name{labels}` series (only what the bench reads back). */
export type MetricSamples = ReadonlyMap<string, number>;

export function parsePrometheus(text: string): MetricSamples {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    if (space < 0) continue;
    const value = Number(line.slice(space + 1));
    if (Number.isFinite(value)) samples.set(line.slice(0, space), value);
  }
  return samples;
}

/** Sum of every series of `name` whose labels contain all of `labels` (e.g. `stage="append"`). */
export function sumOf(samples: MetricSamples, name: string, ...labels: string[]): number {
  let total = 0;
  for (const [series, value] of samples) {
    const brace = series.indexOf('{');
    const seriesName = brace < 0 ? series : series.slice(0, brace);
    if (seriesName !== name) continue;
    if (labels.every((label) => series.includes(label))) total += value;
  }
  return total;
}

/** What the framework's own metrics say about a window: events, conflicts, mean time per stage. */
export interface FrameworkCounters {
  readonly appended: number;
  readonly published: number;
  readonly conflicts: number;
  /** Mean ms per stage (append, view_update, publish) over the window. */
  readonly stageMeanMs: Readonly<Record<string, number>>;
  /** Mean server-side time of the reserve route (HTTP phase only). */
  readonly serverMeanMs?: number;
}

export function frameworkCountersBetween(before: MetricSamples, after: MetricSamples): FrameworkCounters {
  const delta = (name: string, ...labels: string[]): number =>
    sumOf(after, name, ...labels) - sumOf(before, name, ...labels);
  const stageMeanMs: Record<string, number> = {};
  for (const stage of ['append', 'view_update', 'publish']) {
    const label = `stage="${stage}"`;
    const count = delta('event_stage_duration_seconds_count', label);
    if (count > 0) stageMeanMs[stage] = (delta('event_stage_duration_seconds_sum', label) / count) * 1000;
  }
  const route = 'route="/api/products/:productId/stock/reserve"';
  const requests = delta('http_server_request_duration_seconds_count', route);
  return {
    appended: delta('events_appended_total'),
    published: delta('events_published_total'),
    conflicts: delta('event_append_conflicts_total'),
    stageMeanMs,
    ...(requests > 0
      ? { serverMeanMs: (delta('http_server_request_duration_seconds_sum', route) / requests) * 1000 }
      : {}),
  };
}
