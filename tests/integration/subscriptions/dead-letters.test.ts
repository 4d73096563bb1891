import type { Client } from 'hazelcast-client';
import { Registry } from 'prom-client';
import { ManualClock } from '../../../src/core/clock';
import { SequentialIds } from '../../../src/core/ids';
import { Naming, partitionOf } from '../../../src/core/naming';
import type { EventEnvelope } from '../../../src/events/envelope';
import { EventStore } from '../../../src/eventsourcing/event-store';
import { createHttpApp } from '../../../src/http/app';
import { startHttpServer, type RunningHttpServer } from '../../../src/http/server';
import { silentLogger } from '../../../src/logging/logger';
import { FrameworkMetrics } from '../../../src/metrics/framework-metrics';
import { OutboxPublisher } from '../../../src/outbox/outbox-publisher';
import { OutboxSweeper } from '../../../src/outbox/outbox-sweeper';
import { EventSourcingRuntime } from '../../../src/runtime/event-sourcing-runtime';
import { HazelcastKeyValueStore } from '../../../src/storage/hazelcast-key-value';
import { HazelcastStreamLogStore } from '../../../src/storage/hazelcast-stream-log';
import type { Commit } from '../../../src/eventsourcing/commit';
import { deadLetterRoutes } from '../../../src/subscriptions/dead-letter-routes';
import { runDlq } from '../../../scripts/hms-dlq';
import { until } from '../../core/catch-up-contract';
import { anEvent } from '../../core/commit-fixture';
import { stockDecider } from '../../core/stock-fixture';
import { closeTestHazelcast, testHazelcast } from '../../support/hazelcast';

let client: Client;
let kv: HazelcastKeyValueStore;
let logs: HazelcastStreamLogStore;
let counter = 0;

beforeAll(async () => {
  ({ client } = await testHazelcast());
  kv = new HazelcastKeyValueStore(client);
  logs = new HazelcastStreamLogStore(client);
});
afterAll(() => closeTestHazelcast(client));

const meta = { correlationId: 'c-1' };
const PARTITIONS = 2;

interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/**
 * One service on the real member: a Stock aggregate, a consumer group whose handler throws on the
 * aggregates in `broken`, and the admin API over HTTP on an ephemeral port.
 */
async function startScene() {
  const prefix = `dlq${process.pid}x${++counter}.`;
  const naming = new Naming(prefix);
  const clock = new ManualClock();
  const registry = new Registry();
  const metrics = new FrameworkMetrics('test', registry);
  const runtime = new EventSourcingRuntime({
    service: 'test',
    naming,
    kv,
    logs,
    clock,
    ids: new SequentialIds(),
    logger: silentLogger(),
    instanceId: 'one',
    streamPartitions: PARTITIONS,
    metrics,
    outboxGraceMs: 1_000,
    outboxIntervalMs: 20,
    leaseMs: 3_000,
  });
  const broken = new Set<string>();
  const attempts = new Map<string, number>();
  const handled: string[] = [];
  const group = `${prefix}billing`;
  runtime.consumerGroup({
    group,
    streams: ['Stock'],
    // Waits of a few ms: the back-off's timing is the unit test's (handler-retries.test.ts).
    retry: { maxAttempts: 3, baseMs: 2, maxDelayMs: 4 },
    handle: async (event: EventEnvelope) => {
      const name = `${event.key}@${event.version}`;
      attempts.set(name, (attempts.get(name) ?? 0) + 1);
      if (broken.has(event.key)) throw new Error(`no account for ${event.key}`);
      handled.push(name);
    },
  });
  const stock = runtime.repository('Stock', stockDecider);
  const http = createHttpApp({
    serviceName: 'test',
    version: '0',
    routes: deadLetterRoutes(runtime.deadLetterQueues()),
    logger: silentLogger(),
    registry,
    clock,
    health: async () => ({ up: true }),
  });
  const server: RunningHttpServer = await startHttpServer(http, {
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger(),
  });
  await runtime.start();
  const call = async (method: string, path: string, body?: unknown): Promise<Reply> => {
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  const listed = async (query = ''): Promise<Array<Record<string, unknown>>> =>
    (await call('GET', `/api/admin/dlq${query}`)).body as Array<Record<string, unknown>>;
  const close = async () => {
    await runtime.close();
    await server.close(0);
  };
  const base = `http://127.0.0.1:${server.port}`;
  return {
    prefix,
    naming,
    group,
    runtime,
    stock,
    broken,
    attempts,
    handled,
    call,
    listed,
    registry,
    base,
    close,
  };
}

describe('parked events on a real Hazelcast member', () => {
  test('a handler that keeps failing parks the event; listed, replayed once, then gone from the list', async () => {
    const scene = await startScene();
    try {
      scene.broken.add('s-bad');
      await scene.stock.handle('s-bad', { type: 'Open', level: 1 }, meta);
      await scene.stock.handle('s-good', { type: 'Open', level: 1 }, meta);
      await until(async () => (await scene.listed()).length === 1);
      await until(() => scene.handled.includes('s-good@1'));
      expect(scene.attempts.get('s-bad@1')).toBe(3);

      const page = await scene.call('GET', '/api/admin/dlq?limit=10');
      expect(page.headers.get('x-total-count')).toBe('1');
      const [entry] = page.body as Array<Record<string, unknown>>;
      expect(entry).toMatchObject({
        consumerGroup: scene.group,
        kind: 'handler',
        status: 'PENDING',
        topicName: 'Stock',
        eventType: 'Opened',
        aggregateId: 's-bad',
        version: 1,
        attempts: 3,
        replayCount: 0,
        failureReason: 'no account for s-bad',
      });
      const id = String(entry!.dlqEntryId);
      expect((await scene.call('GET', '/api/admin/dlq/count')).body).toEqual({ count: 1 });
      expect(await scene.registry.getSingleMetricAsString('dlq_entries_pending')).toContain(
        `dlq_entries_pending{consumer_group="${scene.group}"} 1`,
      );

      // Fixed: two replays race; the entry is claimed once, so the handler runs once.
      scene.broken.delete('s-bad');
      const encoded = encodeURIComponent(id);
      const replies = await Promise.all([
        scene.call('POST', `/api/admin/dlq/${encoded}/replay`),
        scene.call('POST', `/api/admin/dlq/${encoded}/replay`),
      ]);
      expect(replies.map((reply) => reply.status).sort()).toEqual([200, 409]);
      expect(replies.find((reply) => reply.status === 200)?.body).toEqual({
        status: 'replayed',
        dlqEntryId: id,
      });
      expect((replies.find((reply) => reply.status === 409)?.body as { errorCode: string }).errorCode).toBe(
        'DLQ_ENTRY_NOT_PENDING',
      );
      expect(scene.handled.filter((name) => name === 's-bad@1')).toHaveLength(1);

      expect(await scene.listed()).toEqual([]);
      expect(await scene.listed('?status=REPLAYED')).toMatchObject([{ dlqEntryId: id, replayCount: 1 }]);
      expect((await scene.call('POST', `/api/admin/dlq/${encoded}/replay`)).status).toBe(409);
      expect(scene.handled.filter((name) => name === 's-bad@1')).toHaveLength(1);

      // The group went on with the aggregate: its next event is handled once, in order.
      await scene.stock.handle('s-bad', { type: 'Take', by: 'x' }, meta);
      await until(() => scene.handled.includes('s-bad@2'));
      expect(scene.handled.filter((name) => name.startsWith('s-bad'))).toEqual(['s-bad@1', 's-bad@2']);
    } finally {
      await scene.close();
    }
  });

  test('a replay that fails again leaves the entry PENDING; a discard keeps its reason and never handles it', async () => {
    const scene = await startScene();
    try {
      scene.broken.add('s-bad');
      await scene.stock.handle('s-bad', { type: 'Open', level: 1 }, meta);
      await until(async () => (await scene.listed()).length === 1);
      const id = encodeURIComponent(String((await scene.listed())[0]!.dlqEntryId));

      const failed = await scene.call('POST', `/api/admin/dlq/${id}/replay`);
      expect(failed.status).toBe(409);
      expect(failed.body).toMatchObject({
        errorCode: 'DLQ_REPLAY_FAILED',
        details: { failureReason: 'no account for s-bad' },
      });
      expect(await scene.listed()).toMatchObject([{ status: 'PENDING', replayCount: 1 }]);

      const discarded = await scene.call('DELETE', `/api/admin/dlq/${id}`, {
        reason: 'test account, nothing to bill',
      });
      expect(discarded.status).toBe(200);
      expect(discarded.body).toMatchObject({ status: 'discarded' });
      expect(await scene.listed()).toEqual([]);
      expect(await scene.listed('?status=DISCARDED')).toMatchObject([
        { status: 'DISCARDED', resolution: 'test account, nothing to bill' },
      ]);
      scene.broken.delete('s-bad');
      expect((await scene.call('POST', `/api/admin/dlq/${id}/replay`)).status).toBe(409);
      expect((await scene.call('DELETE', `/api/admin/dlq/${id}`)).status).toBe(409);
      expect(scene.handled).not.toContain('s-bad@1');
      expect((await scene.call('GET', '/api/admin/dlq/nobody:e-1')).status).toBe(404);
    } finally {
      await scene.close();
    }
  });

  test('malformed items written into a partition do not stop the items after them; they are parked with the reason', async () => {
    const scene = await startScene();
    try {
      // The group owns its partitions and is reading before the bad items arrive.
      await scene.stock.handle('s-before', { type: 'Open', level: 1 }, meta);
      await until(() => scene.handled.includes('s-before@1'));
      const ring = logs.log(scene.naming.streamPartition('Stock', partitionOf('s-after', PARTITIONS)));
      await ring.append('{"stream":"Stock", truncated');
      const withoutId = { ...anEvent('s-x', 1), eventId: undefined };
      await ring.append(
        JSON.stringify({
          stream: 'Stock',
          aggregateId: 's-x',
          firstVersion: 1,
          lastVersion: 1,
          committedAt: 1,
          published: true,
          events: [withoutId],
        }),
      );
      await scene.stock.handle('s-after', { type: 'Open', level: 1 }, meta);

      await until(() => scene.handled.includes('s-after@1'));
      await until(async () => (await scene.listed()).length === 2);
      const parked = await scene.listed();
      expect(parked.map((entry) => entry.kind)).toEqual(['malformed', 'malformed']);
      const reasons = parked.map((entry) => String(entry.failureReason)).sort();
      expect(reasons[0]).toMatch(/^not JSON: /);
      expect(reasons[1]).toMatch(/^not a commit: events\.0\.eventId: /);
      expect(parked.every((entry) => entry.topicName === ring.name)).toBe(true);
      const id = encodeURIComponent(String(parked[0]!.dlqEntryId));
      expect(
        ((await scene.call('POST', `/api/admin/dlq/${id}/replay`)).body as { errorCode: string }).errorCode,
      ).toBe('DLQ_ENTRY_NOT_REPLAYABLE');
      expect((await scene.call('DELETE', `/api/admin/dlq/${id}`, { reason: 'written by hand' })).status).toBe(
        200,
      );
    } finally {
      await scene.close();
    }
  });
});

describe('npx hms dlq', () => {
  test('lists, replays and discards through the admin API', async () => {
    const scene = await startScene();
    const lines: string[] = [];
    const hms = (...args: string[]) => runDlq([...args, '--url', scene.base], (line) => lines.push(line), {});
    try {
      scene.broken.add('s-one');
      scene.broken.add('s-two');
      await scene.stock.handle('s-one', { type: 'Open', level: 1 }, meta);
      await scene.stock.handle('s-two', { type: 'Open', level: 1 }, meta);
      await until(async () => (await scene.listed()).length === 2);
      const parked = await scene.listed();
      const idOf = (key: string) => String(parked.find((entry) => entry.aggregateId === key)?.dlqEntryId);
      const [one, two] = [idOf('s-one'), idOf('s-two')];

      expect(await hms('list')).toBe(0);
      expect(lines[0]).toMatch(/^2 of 2 parked event\(s\) at http/);
      expect(lines.join('\n')).toContain(`${one}  PENDING  Opened of s-one`);

      scene.broken.delete('s-one');
      expect(await hms('replay', one!)).toBe(0);
      expect(await hms('replay', two!)).toBe(1);
      expect(lines.at(-1)).toBe('DLQ_REPLAY_FAILED: The handler failed again: no account for s-two');
      expect(await hms('discard', two!, '--reason', 'closed account')).toBe(0);
      expect(await hms('list', '--status', 'DISCARDED')).toBe(0);
      expect(lines.join('\n')).toContain(`${two}  DISCARDED`);
      expect(scene.handled).toEqual(['s-one@1']);
      expect(await hms('frobnicate')).toBe(64);
    } finally {
      await scene.close();
    }
  });
});

describe('the outbox sweeper on a real Hazelcast member', () => {
  test('an aggregate whose publication fails does not hold up the other aggregates', async () => {
    const naming = new Naming(`sweep${process.pid}x${++counter}.`);
    const eventStore = new EventStore('Stock', kv.map<Commit>(naming.eventStore('Stock')));
    const publisher = new OutboxPublisher({
      stream: 'Stock',
      partitions: PARTITIONS,
      naming,
      logs,
      eventStore,
      logger: silentLogger(),
    });
    const clock = new ManualClock();
    const repaired: string[] = [];
    const sweeper = new OutboxSweeper({
      eventStore,
      publisher,
      // The fault: this aggregate's view cannot be repaired (a bad event in its history, say).
      repairView: async (aggregateId) => {
        repaired.push(aggregateId);
        if (aggregateId === 'a-broken') throw new Error('cannot fold a-broken');
      },
      clock,
      logger: silentLogger(),
      graceMs: 0,
      intervalMs: 1_000,
    });
    // Left unpublished by a process that died: the broken aggregate's commit is the oldest, so first.
    await eventStore.append('a-broken', 0, [anEvent('a-broken', 1)], clock.now() - 30);
    await eventStore.append('b-fine', 0, [anEvent('b-fine', 1)], clock.now() - 20);
    await eventStore.append('c-fine', 0, [anEvent('c-fine', 1)], clock.now() - 10);

    expect(await sweeper.sweepOnce()).toBe(2);
    expect((await eventStore.commit('b-fine', 1))?.published).toBe(true);
    expect((await eventStore.commit('c-fine', 1))?.published).toBe(true);
    expect((await eventStore.commit('a-broken', 1))?.published).toBe(false);
    const ring = (id: string) => logs.log(publisher.partitionName(id));
    const onRing = async (id: string) =>
      (await ring(id).read(0, 10, false)).items.some((item) => JSON.parse(item.value).aggregateId === id);
    expect(await onRing('b-fine')).toBe(true);
    expect(await onRing('c-fine')).toBe(true);

    // Backed off: the next pass leaves the broken aggregate alone, a later one tries it again.
    repaired.length = 0;
    expect(await sweeper.sweepOnce()).toBe(0);
    expect(repaired).toEqual([]);
    clock.advance(60_000);
    await sweeper.sweepOnce();
    expect(repaired).toEqual(['a-broken']);
  });
});
