/**
 * `npm run bench:storage`: what one storage operation costs on each backend of the key-value port, the
 * figures behind docs/adr/0008-postgresql-system-of-record.md. In one run, against a real Hazelcast member
 * and a real PostgreSQL started here, through the port the services use: appending a commit (putIfAbsent of
 * a ≈1 KB document), reading it back (get) and a compare-and-set (replace), each at 1 and at 32 operations in
 * flight. PostgreSQL commits every write synchronously (fsync); Hazelcast acknowledges from memory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { connectHazelcast } from '../src/hazelcast/client';
import { projectRoot, startMember } from '../src/hazelcast/member';
import { silentLogger } from '../src/logging/logger';
import { findFreePort } from '../src/net/free-port';
import { openPostgres } from '../src/postgres/postgres-storage';
import { HazelcastKeyValueStore } from '../src/storage/hazelcast-key-value';
import type { KeyValueMap, KeyValueStore } from '../src/storage/key-value';
import { LatencyHistogram } from './bench/histogram';
import { startEmbeddedPostgres } from './local-postgres/embedded-postgres';

const USAGE = `usage: npm run bench:storage -- [--ops N] [--rounds N]
  --ops     operations per measurement (default 4000)
  --rounds  measurements per figure, the median is quoted (default 3)
`;

interface Figure {
  readonly backend: string;
  readonly operation: string;
  readonly inFlight: number;
  readonly opsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

const document = (n: number) => ({
  stream: 'Bench',
  aggregateId: `a${n}`,
  firstVersion: 1,
  lastVersion: 1,
  committedAt: Date.now(),
  published: false,
  events: [{ eventType: 'Benchmarked', payload: { n, padding: 'x'.repeat(800) } }],
});

/** Runs `count` operations with `inFlight` at a time; returns throughput and latency. */
async function measure(count: number, inFlight: number, operation: (n: number) => Promise<unknown>) {
  const histogram = new LatencyHistogram();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const n = next++;
        const at = performance.now();
        await operation(n);
        histogram.recordMs(performance.now() - at);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    opsPerSecond: count / seconds,
    p50Ms: histogram.percentileMs(0.5),
    p99Ms: histogram.percentileMs(0.99),
  };
}

async function benchBackend(
  name: string,
  kv: KeyValueStore,
  suffix: string,
  ops: number,
  rounds: number,
): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const inFlight of [1, 32]) {
    const results: Record<string, Array<Awaited<ReturnType<typeof measure>>>> = {
      append: [],
      get: [],
      cas: [],
    };
    for (let round = 0; round < rounds; round++) {
      const map: KeyValueMap<ReturnType<typeof document>> = kv.map(
        `bench${randomBytes(3).toString('hex')}.es`,
      );
      await map.putIfAbsent('warm-up', document(-1));
      results.append!.push(await measure(ops, inFlight, (n) => map.putIfAbsent(`a${n}:1`, document(n))));
      results.get!.push(await measure(ops, inFlight, (n) => map.get(`a${n}:1`)));
      const read = await map.getAll(Array.from({ length: ops }, (_, n) => `a${n}:1`));
      results.cas!.push(
        await measure(ops, inFlight, (n) =>
          map.replace(`a${n}:1`, read.get(`a${n}:1`)!, { ...read.get(`a${n}:1`)!.value, published: true }),
        ),
      );
      await map.clear();
    }
    for (const [operation, runs] of Object.entries(results)) {
      figures.push({
        backend: name,
        operation,
        inFlight,
        opsPerSecond: median(runs.map((run) => run.opsPerSecond)),
        p50Ms: median(runs.map((run) => run.p50Ms)),
        p99Ms: median(runs.map((run) => run.p99Ms)),
      });
    }
  }
  return figures;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ops: { type: 'string', default: '4000' },
      rounds: { type: 'string', default: '3' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void process.stdout.write(USAGE);
  const ops = Number(values.ops);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(ops) || ops < 100 || !Number.isInteger(rounds) || rounds < 1) {
    process.stderr.write(`bench:storage: --ops must be a whole number ≥ 100 and --rounds ≥ 1\n\n${USAGE}`);
    process.exit(64);
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hms-bench-storage-'));
  fs.chmodSync(scratch, 0o755);
  say('starting a Hazelcast member and PostgreSQL …');
  const member = await startMember({
    clusterName: `bench-${randomBytes(3).toString('hex')}`,
    host: '127.0.0.1',
    port: 0,
    logFile: path.join(projectRoot(), '.run', 'bench-storage-member.log'),
  });
  const postgres = await startEmbeddedPostgres({
    dataDir: path.join(scratch, 'data'),
    port: await findFreePort('127.0.0.1'),
    logFile: path.join(scratch, 'postgres.log'),
  });
  const client = await connectHazelcast({
    clusterName: member.clusterName,
    addresses: [member.address],
    connectTimeoutMs: 15_000,
  });
  const storage = await openPostgres({ url: postgres.url, poolSize: 32 }, silentLogger());
  try {
    say(`${ops} operations per measurement, median of ${rounds}; ${os.cpus().length} cores`);
    const figures = [
      ...(await benchBackend('hazelcast', new HazelcastKeyValueStore(client), '.es', ops, rounds)),
      ...(await benchBackend('postgres', storage.kv, '.es', ops, rounds)),
      // A view map: the same statements without waiting for the WAL flush.
      ...(await benchBackend('postgres-deferred', storage.kv, '.view', ops, rounds)),
    ];
    say('');
    say('| operation | in flight | backend | ops/s | vs Hazelcast | p50 ms | p99 ms |');
    say('|---|---|---|---|---|---|---|');
    for (const figure of figures) {
      const grid = figures.find(
        (other) =>
          other.backend === 'hazelcast' &&
          other.operation === figure.operation &&
          other.inFlight === figure.inFlight,
      )!;
      say(
        `| ${figure.operation} | ${figure.inFlight} | ${figure.backend} | ${figure.opsPerSecond.toFixed(0)} | ` +
          `${(figure.opsPerSecond / grid.opsPerSecond).toFixed(2)}× | ${figure.p50Ms.toFixed(2)} | ${figure.p99Ms.toFixed(2)} |`,
      );
    }
  } finally {
    await storage.close();
    await client.shutdown();
    await member.stop();
    await postgres.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:storage: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
