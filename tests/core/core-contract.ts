import { ManualClock } from '../../src/core/clock';
import { SequentialIds } from '../../src/core/ids';
import { Naming } from '../../src/core/naming';
import type { EventEnvelope } from '../../src/events/envelope';
import { DomainError } from '../../src/eventsourcing/domain-error';
import { silentLogger } from '../../src/logging/logger';
import { EventSourcingRuntime } from '../../src/runtime/event-sourcing-runtime';
import type { KeyValueStore } from '../../src/storage/key-value';
import type { StreamLogStore } from '../../src/storage/stream-log';
import { Freezer } from './frozen-store';
import { stockDecider } from './stock-fixture';

export interface Backend {
  readonly kv: KeyValueStore;
  readonly logs: StreamLogStore;
  /** A fresh name prefix per test, so tests sharing a real cluster never see each other's data. */
  readonly prefix: () => string;
}

const meta = { correlationId: 'c-1' };

/** Waits for a condition by polling the state it depends on (no fixed sleeps). */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * The guarantees of the event-sourced core, stated once and run against every backend: in memory for
 * the unit tier, a real Hazelcast member for the integration tier.
 */
export function describeCoreContract(backendName: string, backend: () => Backend): void {
  describe(`event-sourced core on ${backendName}`, () => {
    let clock: ManualClock;
    let runtimes: EventSourcingRuntime[];

    const runtime = (options: {
      kv?: KeyValueStore;
      logs?: StreamLogStore;
      prefix: string;
      instanceId?: string;
    }) => {
      const created = new EventSourcingRuntime({
        service: 'test',
        naming: new Naming(options.prefix),
        kv: options.kv ?? backend().kv,
        logs: options.logs ?? backend().logs,
        clock,
        ids: new SequentialIds(),
        logger: silentLogger(),
        instanceId: options.instanceId ?? 'one',
        streamPartitions: 2,
        outboxGraceMs: 1_000,
        outboxIntervalMs: 20,
        leaseMs: 3_000,
      });
      runtimes.push(created);
      return created;
    };

    beforeEach(() => {
      clock = new ManualClock();
      runtimes = [];
    });

    afterEach(async () => {
      await Promise.all(runtimes.map((created) => created.close().catch(() => undefined)));
    });

    test('a command appends, the view follows, and the history reads oldest first', async () => {
      const rt = runtime({ prefix: backend().prefix() });
      const stock = rt.repository('Stock', stockDecider);
      await stock.handle('s1', { type: 'Open', level: 3 }, meta);
      await stock.handle('s1', { type: 'Note', texts: ['a', 'b'] }, meta);
      const result = await stock.handle('s1', { type: 'Take', by: 'x' }, meta);

      expect(result.version).toBe(4);
      expect((await stock.load('s1'))?.state).toEqual({ level: 3, takenBy: ['x'] });
      const history = await stock.events('s1', 20);
      expect(history.map((event) => [event.version, event.eventType])).toEqual([
        [1, 'Opened'],
        [2, 'Noted'],
        [3, 'Noted'],
        [4, 'Taken'],
      ]);
      expect((await stock.events('s1', 2)).map((event) => event.version)).toEqual([1, 2]);
    });

    test('concurrent commands on one aggregate never overdraw it', async () => {
      const rt = runtime({ prefix: backend().prefix() });
      const stock = rt.repository('Stock', stockDecider);
      await stock.handle('s1', { type: 'Open', level: 20 }, meta);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 50 }, (_, index) => stock.handle('s1', { type: 'Take', by: `t${index}` }, meta)),
      );
      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const refused = outcomes.filter(
        (outcome) => outcome.status === 'rejected' && outcome.reason instanceof DomainError,
      );
      expect(won).toHaveLength(20);
      expect(refused).toHaveLength(30);
      const view = await stock.load('s1');
      expect(view?.version).toBe(21);
      expect(new Set(view?.state?.takenBy).size).toBe(20);
    });

    test('a process that died after the append loses nothing: the view catches up and the sweeper publishes', async () => {
      const prefix = backend().prefix();
      const rt = runtime({ prefix });
      const stock = rt.repository('Stock', stockDecider);
      await stock.handle('s1', { type: 'Open', level: 5 }, meta);
      // The "dead" process got as far as the commit point: event appended, no view update, no publish.
      const orphan: EventEnvelope = {
        eventId: 'orphan',
        eventType: 'Taken',
        eventVersion: 1,
        source: 'Stock',
        key: 's1',
        version: 2,
        timestamp: new Date(clock.now()).toISOString(),
        correlationId: 'c-2',
        isCompensating: false,
        payload: { by: 'ghost' },
      };
      expect((await rt.eventStore('Stock').append('s1', 1, [orphan], clock.now())).ok).toBe(true);
      expect((await stock.load('s1'))?.version).toBe(1);

      const seen: EventEnvelope[] = [];
      rt.consumerGroup({
        group: `${prefix}g`,
        streams: ['Stock'],
        handle: async (event) => void seen.push(event),
      });
      await rt.start();
      await until(() => seen.length === 1); // Opened, published normally
      clock.advance(2_000);
      await until(async () => (await stock.load('s1'))?.version === 2 && seen.length === 2);
      expect(seen.map((event) => event.eventId)).toEqual([expect.any(String), 'orphan']);
      expect((await stock.load('s1'))?.state?.takenBy).toEqual(['ghost']);

      // And a command made against the stale state would have been re-decided on the new one.
      await stock.handle('s1', { type: 'Take', by: 'ghost' }, meta);
      expect((await stock.load('s1'))?.version).toBe(2);
    });

    test('a consumer group handles each aggregate in version order, once, whatever the publication order', async () => {
      const prefix = backend().prefix();
      const writer = runtime({ prefix });
      const stock = writer.repository('Stock', stockDecider);
      for (const id of ['a', 'b', 'c']) {
        await stock.handle(id, { type: 'Open', level: 10 }, meta);
        for (let index = 0; index < 5; index++)
          await stock.handle(id, { type: 'Take', by: `${id}${index}` }, meta);
      }
      await writer.close();
      const store = writer.eventStore('Stock');
      // Publish one aggregate's history again, newest first, as a sweeper racing a live publisher might.
      const again = await store.commitsAfter('b', 0);
      const publisher = (writer as unknown as { publishers: Array<{ publish(c: unknown): Promise<void> }> })
        .publishers[0]!;
      for (const commit of again.reverse()) await publisher.publish(commit);

      const handled = new Map<string, number[]>();
      const reader = runtime({ prefix });
      reader.consumerGroup({
        group: `${prefix}readers`,
        streams: ['Stock'],
        handle: async (event) => {
          handled.set(event.key, [...(handled.get(event.key) ?? []), event.version]);
        },
      });
      await reader.start();
      await until(() => [...handled.values()].reduce((total, versions) => total + versions.length, 0) >= 18);
      for (const id of ['a', 'b', 'c']) expect(handled.get(id)).toEqual([1, 2, 3, 4, 5, 6]);
    });

    test('an event whose consumer died mid-handling is redelivered to another replica and handled once', async () => {
      const prefix = backend().prefix();
      const writer = runtime({ prefix });
      const stock = writer.repository('Stock', stockDecider);
      await writer.start();
      await stock.handle('s1', { type: 'Open', level: 10 }, meta);

      const completed: number[] = [];
      const freezer = new Freezer();
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const doomed = runtime({
        prefix,
        kv: freezer.kv(backend().kv),
        logs: freezer.logs(backend().logs),
        instanceId: 'doomed',
      });
      doomed.consumerGroup({
        group: `${prefix}workers`,
        streams: ['Stock'],
        handle: async (event) => {
          if (event.version === 2) {
            freezer.freeze(); // the process dies inside the handler
            entered();
            await new Promise(() => undefined);
          }
          completed.push(event.version);
        },
      });
      await doomed.start();
      await until(() => completed.includes(1));
      await stock.handle('s1', { type: 'Take', by: 'x' }, meta);
      await inside;

      const survivor = runtime({ prefix, instanceId: 'survivor' });
      const group = survivor.consumerGroup({
        group: `${prefix}workers`,
        streams: ['Stock'],
        handle: async (event) => void completed.push(event.version),
      });
      await survivor.start();
      expect(group.ownedPartitions()).toHaveLength(0); // the dead one's leases have not expired yet
      clock.advance(3_001);
      await until(() => completed.includes(2));
      await stock.handle('s1', { type: 'Take', by: 'y' }, meta);
      await until(() => completed.includes(3));
      expect(completed).toEqual([1, 2, 3]);
      runtimes.splice(runtimes.indexOf(doomed), 1); // frozen: closing it would wait forever
    });

    test('a map watcher hears every write, removal and clear until it stops', async () => {
      const map = backend().kv.map<{ n: number }>(`${backend().prefix()}watched`);
      const heard: string[] = [];
      const stop = await map.watch((change) => heard.push(change.kind === 'all' ? '*' : change.key));
      await map.set('a', { n: 1 });
      await map.set('a', { n: 2 });
      expect(await map.putIfAbsent('b', { n: 1 })).toBeUndefined();
      expect(await map.replace('b', (await map.get('b'))!, { n: 2 })).toBe(true);
      await map.delete('a');
      await map.clear();
      await until(() => heard.length >= 6);
      // A member orders events per partition only, so compare as a multiset.
      expect([...heard].sort()).toEqual(['*', 'a', 'a', 'a', 'b', 'b']);

      await stop();
      await map.set('c', { n: 1 });
      const marker = await map.watch((change) => heard.push(`marker:${change.kind}`));
      await map.set('d', { n: 1 });
      await until(() => heard.includes('marker:entry'));
      expect(heard).not.toContain('c'); // stopped watchers hear nothing more
      await marker();
    });

    test('setAll writes every entry in one call, new and existing alike; a key twice keeps the last', async () => {
      const map = backend().kv.map<{ n: number }>(`${backend().prefix()}batch`);
      await map.set('a', { n: 0 });
      await map.setAll([
        ['a', { n: 1 }],
        ['b', { n: 2 }],
        ['c', { n: 3 }],
        ['c', { n: 4 }],
      ]);
      await map.setAll([], { deferrable: true });
      const found = await map.getAll(['a', 'b', 'c']);
      expect(Object.fromEntries([...found].map(([key, stored]) => [key, stored.value.n]))).toEqual({
        a: 1,
        b: 2,
        c: 4,
      });
      // What was written is a CAS token like any other.
      expect(await map.replace('b', found.get('b')!, { n: 5 })).toBe(true);
    });
    describe('bounded queries (QueryOptions): every backend returns the same entries in the same order', () => {
      interface Doc {
        readonly n?: number;
        readonly at?: { readonly time: string };
        readonly kind: string;
      }
      const filled = async (docs: Record<string, Doc>) => {
        const map = backend().kv.map<Doc>(`${backend().prefix()}ordered`);
        for (const [key, doc] of Object.entries(docs)) await map.set(key, doc);
        return map;
      };
      const keysOf = (entries: ReadonlyArray<[string, unknown]>) => entries.map(([key]) => key);
      // Keys whose text order is not their number order (k10 < k2), values with ties.
      const docs: Record<string, Doc> = {
        k1: { n: 5, kind: 'a' },
        k2: { n: 1, kind: 'b' },
        k3: { n: 3, kind: 'a' },
        k10: { n: 3, kind: 'b' },
        k11: { n: 9, kind: 'a' },
        k4: { n: 7, kind: 'b' },
      };

      test('orderBy sorts by the field, ascending or descending; ties go by key ascending either way', async () => {
        const map = await filled(docs);
        expect(keysOf(await map.query([], { orderBy: 'n' }))).toEqual(['k2', 'k10', 'k3', 'k1', 'k4', 'k11']);
        expect(keysOf(await map.query([], { orderBy: 'n', descending: true }))).toEqual([
          'k11',
          'k4',
          'k1',
          'k10',
          'k3',
          'k2',
        ]);
        expect(keysOf(await map.query([], { orderBy: 'n', limit: 3 }))).toEqual(['k2', 'k10', 'k3']);
        expect(keysOf(await map.query([], { orderBy: 'n', descending: true, limit: 4 }))).toEqual([
          'k11',
          'k4',
          'k1',
          'k10',
        ]);
        const [first] = await map.query([], { orderBy: 'n', descending: true, limit: 1 });
        expect(first?.[1].value).toEqual({ n: 9, kind: 'a' });
      });

      test('limit alone returns that many matches, the first keys in key order', async () => {
        const map = await filled(docs);
        expect(keysOf(await map.query([], { limit: 3 }))).toEqual(['k1', 'k10', 'k11']);
        expect(keysOf(await map.query([{ field: 'kind', op: 'eq', value: 'b' }], { limit: 2 }))).toEqual([
          'k10',
          'k2',
        ]);
        expect(await map.query([], { limit: 0 })).toEqual([]);
        expect(keysOf(await map.query([], { limit: 100 }))).toHaveLength(6);
      });

      test('limit with conditions orders and cuts only the matches', async () => {
        const map = await filled(docs);
        const onlyA = [{ field: 'kind', op: 'eq', value: 'a' }] as const;
        expect(keysOf(await map.query(onlyA, { orderBy: 'n', descending: true, limit: 2 }))).toEqual([
          'k11',
          'k1',
        ]);
        const range = [{ field: 'n', op: 'lt', value: 7 }] as const;
        expect(keysOf(await map.query(range, { orderBy: 'n', descending: true, limit: 10 }))).toEqual([
          'k1',
          'k10',
          'k3',
          'k2',
        ]);
        expect(
          await map.query([{ field: 'kind', op: 'eq', value: 'none' }], { orderBy: 'n', limit: 5 }),
        ).toEqual([]);
      });

      test('a nested ISO-time field sorts as text; entries without the field are left out', async () => {
        const map = await filled({
          old: { at: { time: '2025-01-01T00:00:00.000Z' }, kind: 'a' },
          newest: { at: { time: '2026-03-01T10:00:00.000Z' }, kind: 'a' },
          middle: { at: { time: '2025-12-31T23:59:59.999Z' }, kind: 'a' },
          timeless: { kind: 'a' },
        });
        expect(keysOf(await map.query([], { orderBy: 'at.time', descending: true, limit: 10 }))).toEqual([
          'newest',
          'middle',
          'old',
        ]);
        const since = [{ field: 'at.time', op: 'gte', value: '2025-06-01T00:00:00.000Z' }] as const;
        expect(keysOf(await map.query(since, { orderBy: 'at.time', limit: 1 }))).toEqual(['middle']);
      });

      test('many ties around the cut: the better values whole, then the tied ones by key', async () => {
        const many: Record<string, Doc> = { top: { n: 100, kind: 'a' }, next: { n: 50, kind: 'a' } };
        for (let index = 0; index < 30; index++)
          many[`t${String(index).padStart(2, '0')}`] = { n: 10, kind: 'a' };
        many.low = { n: 1, kind: 'a' };
        const map = await filled(many);
        expect(keysOf(await map.query([], { orderBy: 'n', descending: true, limit: 5 }))).toEqual([
          'top',
          'next',
          't00',
          't01',
          't02',
        ]);
        expect(keysOf(await map.query([], { orderBy: 'n', limit: 4 }))).toEqual(['low', 't00', 't01', 't02']);
        expect(keysOf(await map.query([], { orderBy: 'n', descending: true, limit: 2 }))).toEqual([
          'top',
          'next',
        ]);
      });

      test('a limit that is not a whole number ≥ 0 is refused, naming the option', async () => {
        const map = await filled(docs);
        await expect(map.query([], { limit: -1 })).rejects.toThrow(/'limit'/);
        await expect(map.query([], { orderBy: 'n', limit: 1.5 })).rejects.toThrow(/'limit'/);
      });
    });
  });
}
