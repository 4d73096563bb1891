/**
 * The member's heap as the JMX exporter agent reports it: the old generation's occupancy against its
 * maximum. Whole-heap use swings with every young collection; the old generation holds what survived them,
 * which is what fills a member to an OOM. Its occupancy after the last collection that touched it lags a
 * fast fill until G1 collects the old generation (the heap can fill first), so the reading is the larger
 * of that and its occupancy now: promotions show at once, garbage among them goes at the next mixed GC.
 */
export interface HeapReading {
  readonly oldGenBytes: number;
  readonly maxBytes: number;
}

export const heapFraction = (reading: HeapReading): number => reading.oldGenBytes / reading.maxBytes;

// Old-generation pools of HotSpot's collectors: G1, Parallel, Serial, CMS, generational ZGC.
const OLD_POOL = /Old Gen|Tenured Gen|Old Generation/;

/**
 * Reads the old generation from Prometheus text. Names of client_java 1.x (the agent 1.x) and 0.x
 * (e.g. the one in the official Hazelcast image) are both accepted. Throws when the text has no old pool.
 */
export function parseHeapReading(text: string): HeapReading {
  const samples = parseSamples(text);
  const oldPools = (names: readonly string[]) =>
    samples.filter((sample) => names.includes(sample.name) && OLD_POOL.test(sample.labels.pool ?? ''));
  const used = oldPools(['jvm_memory_pool_collection_used_bytes']);
  if (used.length === 0) {
    throw new Error(
      'no jvm_memory_pool_collection_used_bytes for an old-generation pool in the member metrics',
    );
  }
  const poolMax = oldPools(['jvm_memory_pool_collection_max_bytes', 'jvm_memory_pool_max_bytes']).filter(
    (sample) => sample.value > 0,
  );
  const heapMax = samples.find(
    (sample) =>
      (sample.name === 'jvm_memory_max_bytes' || sample.name === 'jvm_memory_bytes_max') &&
      sample.labels.area === 'heap' &&
      sample.value > 0,
  );
  // G1's old generation may grow to the whole heap, so its max is -Xmx; without one, the heap's max.
  const maxBytes = poolMax[0]?.value ?? heapMax?.value;
  if (maxBytes === undefined) throw new Error('no heap maximum in the member metrics');
  const now = oldPools(['jvm_memory_pool_used_bytes', 'jvm_memory_pool_bytes_used']);
  return { oldGenBytes: Math.max(...[...used, ...now].map((sample) => sample.value)), maxBytes };
}

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

// name{label="value",…} value — the exposition format's sample line (no timestamps from this agent).
const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match?.[1] || match[3] === undefined) continue;
    const value = Number(match[3]);
    if (!Number.isFinite(value)) continue;
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (match[2] ?? '').matchAll(LABEL)) {
      if (key !== undefined && raw !== undefined) labels[key] = raw.replace(/\\(.)/g, '$1');
    }
    samples.push({ name: match[1], labels, value });
  }
  return samples;
}
