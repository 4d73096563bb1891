/**
 * `npm run bench:queries`: what the periodic background queries cost as history grows. Every replica runs
 * them on a timer: the saga timeout detector (overdue active sagas, then the purge of ended ones) and the
 * outbox sweeper (unpublished commits). In one run, against one real member started here, each query runs
 * over maps holding N ended sagas / N published commits plus a few live ones, with two index sets:
 *   before  the indexes config/hazelcast.yaml had up to commit 7cd2d20 (commits: published HASH,
 *           committedAt SORTED; sagas: status HASH, deadline SORTED, startedAt SORTED) and the queries
 *           of then (purge: status IN terminal AND completedAt < t; sweeper: published = false AND
 *           committedAt < t), added to default-config maps;
 *   after   maps named so that config/hazelcast.yaml's current indexes apply (commits: committedAt SORTED
 *           again, for consumer-group catch-ups), queried by the current code.
 * The live part is the same in every run, so a query that does not grow with N is the goal.
 */
import { join } from 'node:path';
import { HazelcastJsonValue, type Client, type IndexConfig } from 'hazelcast-client';
import { systemClock } from '../src/core/clock';
import { EventStore } from '../src/eventsourcing/event-store';
import type { Commit } from '../src/eventsourcing/commit';
import { connectHazelcast } from '../src/hazelcast/client';
import { projectRoot, startMember } from '../src/hazelcast/member';
import { SagaStateStore } from '../src/sagas/saga-state-store';
import { sagaTransitions, TERMINAL, type SagaDefinition, type SagaState } from '../src/sagas/saga-state';
import { HazelcastKeyValueStore } from '../src/storage/hazelcast-key-value';
import { percentile } from './bench-vectors/quality';

const HOST = '127.0.0.1';
const LIVE_SAGAS = 50;
const UNPUBLISHED = 10;
const BATCH = 1_000;
const DAY_MS = 86_400_000;

const BEFORE_COMMIT_INDEXES: IndexConfig[] = [
  { type: 'HASH', attributes: ['published'] },
  { type: 'SORTED', attributes: ['committedAt'] },
];
const BEFORE_SAGA_INDEXES: IndexConfig[] = [
  { type: 'HASH', attributes: ['status'] },
  { type: 'SORTED', attributes: ['deadline'] },
  { type: 'SORTED', attributes: ['startedAt'] },
];

const definition: SagaDefinition = {
  sagaType: 'Bench',
  steps: [0, 1, 2, 3].map((stepNumber) => ({
    stepNumber,
    stepName: `step ${stepNumber}`,
    service: 'bench',
    eventType: `Step${stepNumber}`,
  })),
};

const say = (line: string): void => void process.stdout.write(`${line}\n`);

interface Options {
  sizes: number[];
  runs: number;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { sizes: [10_000, 100_000], runs: 30 };
  for (const arg of argv) {
    const [name, raw = ''] = arg.replace(/^--/, '').split('=', 2) as [string, string?];
    if (name === 'sizes') options.sizes = raw.split(',').map(Number);
    else if (name === 'runs') options.runs = Number(raw);
    else if (name === 'help') {
      say('npm run bench:queries [-- --sizes=10000,100000 --runs=30]');
      process.exit(0);
    } else throw new Error(`unknown option ${arg}`);
  }
  if (options.sizes.some((size) => !Number.isInteger(size) || size < 1) || !(options.runs >= 1))
    throw new Error('--sizes must be positive integers and --runs ≥ 1');
  return options;
}

function saga(index: number, now: number, ended: boolean): SagaState {
  const started = sagaTransitions.start(definition, {
    sagaId: `s${index}`,
    correlationId: `c${index}`,
    now: now - (ended ? 3_600_000 : 1_000),
    deadline: now + (ended ? -3_000_000 : 60_000),
    context: { orderId: `o${index}`, total: '10.00', lineItems: [{ productId: 'p1', quantity: 1 }] },
  });
  return ended ? { ...started, status: 'COMPLETED', completedAt: now - 3_000_000 } : started;
}

function commit(index: number, now: number, published: boolean): Commit {
  return {
    stream: 'Bench',
    aggregateId: `a${index}`,
    firstVersion: 1,
    lastVersion: 1,
    committedAt: now - (published ? 3_600_000 : 60_000),
    published,
    events: [
      {
        eventId: `e${index}`,
        eventType: 'Happened',
        eventVersion: 1,
        source: 'Bench',
        key: `a${index}`,
        version: 1,
        timestamp: new Date(now).toISOString(),
        correlationId: `c${index}`,
        isCompensating: false,
        payload: { orderId: `o${index}`, quantity: 1 },
      },
    ],
  };
}

async function fill<T>(
  client: Client,
  name: string,
  count: number,
  make: (index: number) => [string, T],
): Promise<void> {
  const map = await client.getMap<string, HazelcastJsonValue>(name);
  for (let start = 0; start < count; start += BATCH) {
    const entries: Array<[string, HazelcastJsonValue]> = [];
    for (let index = start; index < Math.min(count, start + BATCH); index++) {
      const [key, value] = make(index);
      entries.push([key, new HazelcastJsonValue(JSON.stringify(value))]);
    }
    await map.putAll(entries);
  }
}

async function timed(
  runs: number,
  query: () => Promise<number>,
): Promise<{ p50: number; p90: number; found: number }> {
  const times: number[] = [];
  let found = 0;
  for (let run = 0; run < runs + 3; run++) {
    const started = performance.now();
    found = await query();
    if (run >= 3) times.push(performance.now() - started); // 3 warm-up runs
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p90: percentile(times, 90), found };
}

type Variant = 'before' | 'after';

async function measure(client: Client, variant: Variant, size: number, runs: number) {
  const kv = new HazelcastKeyValueStore(client);
  const tag = `${variant}-${size}-${Date.now()}`;
  // "after" names match config/hazelcast.yaml's '*saga.state' and '*.es'; "before" names match no pattern.
  const sagaMap = variant === 'after' ? `bench-${tag}-saga.state` : `bench-${tag}-sagas`;
  const commitMap = variant === 'after' ? `bench-${tag}-Bench.es` : `bench-${tag}-commits`;
  if (variant === 'before') {
    for (const index of BEFORE_SAGA_INDEXES) await (await client.getMap(sagaMap)).addIndex(index);
    for (const index of BEFORE_COMMIT_INDEXES) await (await client.getMap(commitMap)).addIndex(index);
  }
  const now = Date.now();
  await fill(client, sagaMap, size + LIVE_SAGAS, (index) => [`s${index}`, saga(index, now, index < size)]);
  await fill(client, commitMap, size + UNPUBLISHED, (index) => [
    `a${index}:1`,
    commit(index, now, index < size),
  ]);

  const records = kv.map<SagaState>(sagaMap);
  const store = new SagaStateStore(records, systemClock);
  const commits = kv.map<Commit>(commitMap);
  const events = new EventStore('Bench', commits);
  const overdue = await timed(runs, async () => (await store.findTimedOutSagas(now + 120_000, 100)).length);
  const purge = await timed(runs, async () =>
    variant === 'after'
      ? // Nothing is old enough to purge: what is measured is finding that out.
        store.purgeEnded(now - DAY_MS, 100)
      : (
          await records.query([
            { field: 'status', op: 'in', value: [...TERMINAL] },
            { field: 'completedAt', op: 'lt', value: now - DAY_MS },
          ])
        ).length,
  );
  const outbox = await timed(runs, async () =>
    variant === 'after'
      ? (await events.unpublished(now - 5_000)).length
      : (
          await commits.query([
            { field: 'published', op: 'eq', value: false },
            { field: 'committedAt', op: 'lt', value: now - 5_000 },
          ])
        ).length,
  );
  if (overdue.found !== LIVE_SAGAS || purge.found !== 0 || outbox.found !== UNPUBLISHED)
    throw new Error(`${variant}: wrong answers (${overdue.found}, ${purge.found}, ${outbox.found})`);
  for (const name of [sagaMap, commitMap]) await (await client.getMap(name)).destroy();
  return { overdue, purge, outbox };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const runId = Date.now().toString(36);
  say(`bench:queries: sizes ${options.sizes.join(', ')}, ${options.runs} runs per query`);
  const member = await startMember({
    clusterName: `bench-queries-${runId}`,
    host: HOST,
    heap: '2g',
    logFile: join(projectRoot(), '.run', 'bench', `queries-member-${runId}.log`),
    log: (line) => say(`  ${line}`),
  });
  const client = await connectHazelcast({
    clusterName: `bench-queries-${runId}`,
    addresses: [member.address],
  });
  try {
    const rows: string[] = [];
    for (const size of options.sizes) {
      for (const variant of ['before', 'after'] as const) {
        say(`  ${variant}: ${size.toLocaleString('en-US')} ended sagas and published commits …`);
        const result = await measure(client, variant, size, options.runs);
        const cell = (t: { p50: number; p90: number }) => `${t.p50.toFixed(1)} / ${t.p90.toFixed(1)} ms`;
        rows.push(
          `| ${size.toLocaleString('en-US')} | ${variant} | ${cell(result.overdue)} | ${cell(result.purge)} | ` +
            `${cell(result.outbox)} |`,
        );
      }
    }
    say('');
    say(`Live part in every run: ${LIVE_SAGAS} active sagas, ${UNPUBLISHED} unpublished commits. p50 / p90.`);
    say('');
    say(
      '| History | Indexes | overdue sagas (detector) | purge of ended sagas | unpublished commits (sweeper) |',
    );
    say('| --- | --- | --- | --- | --- |');
    for (const row of rows) say(row);
  } finally {
    await client.shutdown();
    await member.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:queries FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
