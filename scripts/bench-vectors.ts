/**
 * `npm run bench:vectors`: are similar-product answers useful, and fast enough? In one run it generates a
 * labelled catalogue (scripts/bench-vectors/catalogue.ts), embeds it with the semantic MiniLM embedder and
 * the hashing fallback, and reports
 *   - quality: recall@5 of same-category neighbours for each embedder (exact search, so only the
 *     embedder differs), the same as served through HNSW, and HNSW's recall of the exact top 5;
 *   - speed and memory: HNSW build time, query p50/p99 (top 5, by product, as GET /similar does) and
 *     index memory at each size, beside exact cosine search as the baseline.
 * Writes the table to .run/bench/vectors-<time>.md. See docs/benchmarks.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/hazelcast/member';
import { HashingEmbedder, productText, type Embedder } from '../src/vectors/embedder';
import { isMiniLmModelInstalled, miniLmModelFiles } from '../src/vectors/embedding-model';
import { HnswVectorIndex } from '../src/vectors/hnsw-index';
import { MiniLmEmbedder } from '../src/vectors/minilm-embedder';
import { ExactVectorIndex, type VectorIndex } from '../src/vectors/vector-index';
import { CATEGORY_COUNT, generateCatalogue, type CatalogueProduct } from './bench-vectors/catalogue';
import {
  neighbourRecall,
  queryLatency,
  queryPositions,
  sameCategoryRecall,
  type LatencySummary,
} from './bench-vectors/quality';

const K = 5;
const P99_BAR_MS = 10;

interface Options {
  sizes: number[];
  queries: number;
  rounds: number;
  threads: number;
  seed: number;
}

const USAGE = `npm run bench:vectors [-- options]
  --sizes=10000,100000   catalogue sizes for speed and memory (default 10000,100000)
  --queries=1000         queries per latency round and per recall figure (default 1000)
  --rounds=5             latency rounds; the median round is reported (default 5)
  --threads=2            onnxruntime threads while embedding the catalogue (default 2)
  --seed=42              catalogue seed
  --quick                --sizes=2000 --queries=200 --rounds=3`;

function parseOptions(argv: readonly string[]): Options {
  const options: Options = {
    sizes: [10_000, 100_000],
    queries: 1_000,
    rounds: 5,
    threads: 2,
    seed: 42,
  };
  const int = (name: string, raw: string, min: number): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min)
      throw new Error(`--${name} must be an integer ≥ ${min}: '${raw}'`);
    return value;
  };
  for (const arg of argv) {
    const [name, raw = ''] = arg.replace(/^--/, '').split('=', 2) as [string, string?];
    if (name === 'help') {
      console.log(USAGE);
      process.exit(0);
    } else if (name === 'quick') {
      Object.assign(options, { sizes: [2_000], queries: 200, rounds: 3 });
    } else if (name === 'sizes') options.sizes = raw.split(',').map((size) => int(name, size, 100));
    else if (name === 'queries') options.queries = int(name, raw, 10);
    else if (name === 'rounds') options.rounds = int(name, raw, 1);
    else if (name === 'threads') options.threads = int(name, raw, 1);
    else if (name === 'seed') options.seed = int(name, raw, 0);
    else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  return options;
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const ms = (value: number): string => (value < 10 ? value.toFixed(2) : value.toFixed(1));

async function embedAll(embedder: Embedder, products: readonly CatalogueProduct[]): Promise<Float32Array[]> {
  const vectors: Float32Array[] = [];
  const started = performance.now();
  let reported = started;
  const chunk = 512;
  for (let at = 0; at < products.length; at += chunk) {
    vectors.push(...(await embedder.embed(products.slice(at, at + chunk).map(productText))));
    if (performance.now() - reported > 15_000) {
      reported = performance.now();
      const rate = vectors.length / ((reported - started) / 1000);
      say(
        `  … ${embedder.name}: ${vectors.length.toLocaleString('en-US')} of ` +
          `${products.length.toLocaleString('en-US')} (${rate.toFixed(0)}/s, ` +
          `~${seconds(((products.length - vectors.length) / rate) * 1000)} left)`,
      );
    }
  }
  say(
    `  ${embedder.name}: ${products.length.toLocaleString('en-US')} embedded in ${seconds(performance.now() - started)}`,
  );
  return vectors;
}

/** Heap plus typed-array memory after a full GC (run with --expose-gc), or undefined without it. */
function settledMemory(): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

function build(
  index: VectorIndex,
  products: readonly CatalogueProduct[],
  vectors: readonly Float32Array[],
): number {
  const started = performance.now();
  for (let at = 0; at < products.length; at++) index.upsert(products[at]!.id, vectors[at]!);
  return performance.now() - started;
}

interface SizeResult {
  size: number;
  quality: { semantic: number; semanticServed: number; hashing: number };
  hnswBuildMs: number;
  hnsw: LatencySummary;
  exact: LatencySummary;
  annRecall: number;
  hnswMemoryBytes: number;
  hnswHeapDeltaBytes: number | undefined;
  exactMemoryBytes: number;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!isMiniLmModelInstalled()) {
    throw new Error(
      `the MiniLM model is not installed in ${miniLmModelFiles().dir}; run \`npm run setup\` first ` +
        '(the benchmark compares it with the hashing embedder)',
    );
  }
  const largest = Math.max(...options.sizes);
  say(
    `bench:vectors: catalogue of ${largest.toLocaleString('en-US')} products in ${CATEGORY_COUNT} categories`,
  );
  say(
    `  machine: ${os.cpus().length} cores, load ${os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  );
  const catalogue = generateCatalogue(largest, options.seed);

  const semantic = await MiniLmEmbedder.load({
    ...miniLmModelFiles(),
    intraOpNumThreads: options.threads,
    batchSize: 64,
  });
  const hashing = new HashingEmbedder(384);
  say('Embedding the catalogue …');
  const semanticVectors = await embedAll(semantic, catalogue);
  await semantic.close();
  const hashingVectors = await embedAll(hashing, catalogue);

  const sizes: SizeResult[] = [];
  for (const size of options.sizes) {
    say(`At ${size.toLocaleString('en-US')} products …`);
    const products = catalogue.slice(0, size);
    const vectors = semanticVectors.slice(0, size);
    const sample = queryPositions(size, options.queries);
    const before = settledMemory();
    const hnsw = new HnswVectorIndex({ dimensions: 384 });
    const hnswBuildMs = build(hnsw, products, vectors);
    const after = settledMemory();
    say(`  HNSW built in ${seconds(hnswBuildMs)}`);
    const hnswLatency = queryLatency(hnsw, products, vectors, sample, K, options.rounds);
    const exact = new ExactVectorIndex(384, size);
    build(exact, products, vectors);
    // Exact search is slow at large sizes: fewer queries for its baseline.
    const exactSample = sample.slice(0, Math.max(20, Math.floor(options.queries / 5)));
    const exactLatency = queryLatency(exact, products, vectors, exactSample, K, Math.min(3, options.rounds));
    const annRecall = neighbourRecall(hnsw, exact, products, vectors, sample, K);
    // Quality, over the same queries: exact search, so only the embedder differs; and what HNSW serves.
    const hashingExact = new ExactVectorIndex(384, size);
    const hashingSlice = hashingVectors.slice(0, size);
    build(hashingExact, products, hashingSlice);
    const quality = {
      semantic: sameCategoryRecall(exact, products, vectors, sample, K),
      semanticServed: sameCategoryRecall(hnsw, products, vectors, sample, K),
      hashing: sameCategoryRecall(hashingExact, products, hashingSlice, sample, K),
    };
    say(
      `  recall@5 same category: semantic ${quality.semantic.toFixed(3)} (served by HNSW ` +
        `${quality.semanticServed.toFixed(3)}), hashing ${quality.hashing.toFixed(3)}`,
    );
    sizes.push({
      size,
      quality,
      hnswBuildMs,
      hnsw: hnswLatency,
      exact: exactLatency,
      annRecall,
      hnswMemoryBytes: hnsw.memoryBytes(),
      hnswHeapDeltaBytes: before !== undefined && after !== undefined ? after - before : undefined,
      exactMemoryBytes: size * 384 * 4,
    });
    say(
      `  p50/p99 top-5: HNSW ${ms(hnswLatency.p50Ms)}/${ms(hnswLatency.p99Ms)} ms, ` +
        `exact ${ms(exactLatency.p50Ms)}/${ms(exactLatency.p99Ms)} ms; HNSW recall of exact top 5 ${annRecall.toFixed(3)}`,
    );
  }

  const report = render(options, sizes);
  say('');
  say(report);
  const dir = join(projectRoot(), '.run', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `vectors-${new Date().toISOString().replace(/[:.]/g, '-')}.md`);
  writeFileSync(file, `${report}\n`);
  say(`\nWritten to ${file}`);
}

function render(options: Options, sizes: readonly SizeResult[]): string {
  const bars = sizes.flatMap((result) => {
    const { semantic, hashing } = result.quality;
    const at = `at ${result.size.toLocaleString('en-US')} products`;
    const lines = [
      `semantic recall@5 clearly above hashing ${at}: ${semantic > hashing + 0.1 ? 'met' : 'NOT met'} ` +
        `(${semantic.toFixed(3)} vs ${hashing.toFixed(3)})`,
    ];
    if (result.size >= 100_000)
      lines.push(
        `p99 < ${P99_BAR_MS} ms ${at}: ${result.hnsw.p99Ms < P99_BAR_MS ? 'met' : 'NOT met'} ` +
          `(${ms(result.hnsw.p99Ms)} ms)`,
      );
    return lines;
  });
  const loads = os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
  const lines = [
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, ` +
      `load at end ${loads}. Catalogue seed ${options.seed}, ${CATEGORY_COUNT} categories ` +
      `(random answers would score ${(1 / CATEGORY_COUNT).toFixed(3)}); ${options.queries} queries, ` +
      `${options.rounds} rounds (median round).`,
    '',
    '| Products | recall@5 same category: MiniLM (exact) | MiniLM as served (HNSW) | hashing (exact) |',
    '| --- | --- | --- | --- |',
    ...sizes.map(
      ({ size, quality }) =>
        `| ${size.toLocaleString('en-US')} | ${quality.semantic.toFixed(3)} | ${quality.semanticServed.toFixed(3)} | ` +
        `${quality.hashing.toFixed(3)} |`,
    ),
    '',
    '| Products | HNSW build | HNSW p50 | HNSW p99 | exact p50 | exact p99 | HNSW recall of exact top 5 | HNSW memory (index / heap delta) | vectors alone |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...sizes.map(
      (result) =>
        `| ${result.size.toLocaleString('en-US')} | ${seconds(result.hnswBuildMs)} | ${ms(result.hnsw.p50Ms)} ms | ` +
        `${ms(result.hnsw.p99Ms)} ms | ${ms(result.exact.p50Ms)} ms | ${ms(result.exact.p99Ms)} ms | ` +
        `${result.annRecall.toFixed(3)} | ${mb(result.hnswMemoryBytes)} / ` +
        `${result.hnswHeapDeltaBytes === undefined ? 'n/a' : mb(result.hnswHeapDeltaBytes)} | ${mb(result.exactMemoryBytes)} |`,
    ),
    '',
    `Bars: ${bars.join('; ')}.`,
  ];
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error(`bench:vectors FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
