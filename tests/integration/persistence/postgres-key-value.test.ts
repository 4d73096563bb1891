import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { EmbeddedPostgres } from '../../../scripts/local-postgres/embedded-postgres';
import { startEmbeddedPostgres } from '../../../scripts/local-postgres/embedded-postgres';
import { ManualClock } from '../../../src/core/clock';
import { silentLogger } from '../../../src/logging/logger';
import {
  openPostgres,
  PostgresStartError,
  type PostgresStorage,
} from '../../../src/postgres/postgres-storage';
import {
  openTestPostgres,
  startTestPostgres,
  stopTestPostgres,
  testDatabaseUrl,
  testPool,
} from '../../support/postgres';
import { tableName } from '../../../src/postgres/map-tables';
import { MapNotifications } from '../../../src/postgres/map-notifications';
import { PostgresKeyValueStore } from '../../../src/postgres/postgres-key-value';
import type { Pool } from 'pg';

const ROOT = join(__dirname, '..', '..', '..');
let counter = 0;
const name = (suffix: string) => `kv${process.pid}x${++counter}.${suffix}`;

describe('the key-value port on PostgreSQL', () => {
  let storage: PostgresStorage;
  const clock = new ManualClock();
  beforeAll(async () => {
    storage = await openTestPostgres(4, () => clock.now());
  });
  afterAll(() => storage?.close());

  test('compare-and-set and compare-and-delete act only on the document as it was read', async () => {
    const map = storage.kv.map<{ n: number }>(name('view'));
    await map.set('a', { n: 1 });
    const read = (await map.get('a'))!;
    expect(await map.replace('a', read, { n: 2 })).toBe(true);
    expect(await map.replace('a', read, { n: 3 })).toBe(false);
    expect((await map.get('a'))!.value).toEqual({ n: 2 });
    expect(await map.deleteIfSame('a', read)).toBe(false);
    expect(await map.deleteIfSame('a', (await map.get('a'))!)).toBe(true);
    expect(await map.get('a')).toBeUndefined();
  });

  test('putIfAbsent returns what is there; an expired entry counts as absent', async () => {
    const map = storage.kv.map<{ n: number }>(name('idempotency'));
    expect(await map.putIfAbsent('k', { n: 1 }, { ttlMs: 60_000 })).toBeUndefined();
    expect((await map.putIfAbsent('k', { n: 2 }))!.value).toEqual({ n: 1 });
    expect(await map.putIfAbsent('short', { n: 1 }, { ttlMs: 1 })).toBeUndefined();
    clock.advance(2);
    expect(await map.get('short')).toBeUndefined();
    expect(await map.putIfAbsent('short', { n: 9 })).toBeUndefined();
    expect((await map.get('short'))!.value).toEqual({ n: 9 });
  });

  test('queries evaluate conditions in SQL with the same typing as the grid', async () => {
    const map = storage.kv.map<{ status: string; at: number | string }>(name('saga.state'));
    await map.set('1', { status: 'STARTED', at: 10 });
    await map.set('2', { status: 'COMPLETED', at: 20 });
    await map.set('3', { status: 'STARTED', at: 'not a number' });
    const keys = async (conditions: Parameters<typeof map.query>[0]) =>
      (await map.query(conditions)).map(([key]) => key).sort();
    expect(await keys([{ field: 'status', op: 'eq', value: 'STARTED' }])).toEqual(['1', '3']);
    expect(await keys([{ field: 'at', op: 'lt', value: 15 }])).toEqual(['1']);
    expect(await keys([{ field: 'status', op: 'in', value: ['COMPLETED', 'FAILED'] }])).toEqual(['2']);
    expect(await keys([{ field: 'status', op: 'in', value: [] }])).toEqual([]);
    expect(await map.count([{ field: 'status', op: 'eq', value: "it's quoted" }])).toBe(0);
    expect(await map.count([])).toBe(3);
  });
});

describe('point operations issued at once share statements, each keeping its own answer', () => {
  let durable: Pool;
  let deferred: Pool;
  let notifications: MapNotifications;
  let store: PostgresKeyValueStore;
  let statements = 0;
  beforeAll(() => {
    durable = testPool();
    deferred = testPool();
    // Counts what reaches PostgreSQL: every statement is one pool.query.
    for (const pool of [durable, deferred]) {
      const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
      (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args) => {
        statements++;
        return query(...args);
      };
    }
    notifications = new MapNotifications(durable, { connectionString: testDatabaseUrl() }, silentLogger());
    store = new PostgresKeyValueStore({ durable, deferred }, notifications);
  });
  afterAll(async () => {
    await notifications.close();
    await Promise.all([durable.end(), deferred.end()]);
  });

  const counting = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
    const before = statements;
    const result = await work();
    return [result, statements - before];
  };

  test('putIfAbsent: one winner per key, every loser told the winner', async () => {
    const map = store.map<{ writer: number }>(name('es'));
    await map.size(); // the table exists before counting
    const [answers, used] = await counting(() =>
      Promise.all(Array.from({ length: 100 }, (_, writer) => map.putIfAbsent(`k${writer % 10}`, { writer }))),
    );
    const stored = await map.getAll(Array.from({ length: 10 }, (_, n) => `k${n}`));
    expect(stored.size).toBe(10);
    answers.forEach((answer, writer) => {
      const winner = stored.get(`k${writer % 10}`)!.value.writer;
      if (writer === winner) expect(answer).toBeUndefined();
      else expect(answer?.value).toEqual({ writer: winner });
    });
    expect(answers.filter((answer) => answer === undefined)).toHaveLength(10);
    expect(used).toBeLessThan(50);
  });

  test('replace: of writers holding the same read exactly one wins; different keys all win', async () => {
    const map = store.map<{ n: number }>(name('saga.state'));
    await map.setAll(Array.from({ length: 30 }, (_, n) => [`s${n}`, { n }] as const));
    const shared = (await map.get('s0'))!;
    const racing = await Promise.all(
      Array.from({ length: 20 }, (_, n) => map.replace('s0', shared, { n: 100 + n })),
    );
    expect(racing.filter(Boolean)).toHaveLength(1);
    const reads = await Promise.all(Array.from({ length: 29 }, (_, n) => map.get(`s${n + 1}`)));
    const [replaced, used] = await counting(() =>
      Promise.all(reads.map((read, n) => map.replace(`s${n + 1}`, read!, { n: -n }))),
    );
    expect(replaced.every(Boolean)).toBe(true);
    expect((await map.get('s29'))!.value).toEqual({ n: -28 });
    expect(used).toBeLessThan(15);
  });

  test('get and set: answers by key, missing ones undefined; a batch overwrites an expired entry', async () => {
    const clock = new ManualClock();
    const timed = new PostgresKeyValueStore({ durable, deferred }, notifications, () => clock.now());
    const map = timed.map<{ n: number }>(name('idempotency'));
    await Promise.all(
      Array.from({ length: 20 }, (_, n) => map.set(`g${n}`, { n }, { ttlMs: n === 3 ? 1 : 60_000 })),
    );
    clock.advance(2);
    const [got, used] = await counting(() =>
      Promise.all(Array.from({ length: 40 }, (_, n) => map.get(`g${n % 25}`))),
    );
    got.forEach((read, index) => {
      const n = index % 25;
      if (n >= 20 || n === 3) expect(read).toBeUndefined();
      else expect(read!.value).toEqual({ n });
    });
    expect(used).toBeLessThan(20);
    const again = await Promise.all([3, 4].map((n) => map.putIfAbsent(`g${n}`, { n: 99 })));
    expect(again[0]).toBeUndefined();
    expect(again[1]!.value).toEqual({ n: 4 });
  });
});

describe('table layout', () => {
  test('views are stored out of line uncompressed (rewritten whole, re-derivable); the record is not', async () => {
    const storage = await openTestPostgres(2);
    const pool = testPool();
    try {
      const view = name('Product.view');
      const events = name('Product.es');
      await storage.kv.map<{ n: number }>(view).set('a', { n: 1 });
      await storage.kv.map<{ n: number }>(events).set('a', { n: 1 });
      // A second process opening the same maps finds nothing to change.
      const again = await openTestPostgres(2);
      await again.kv.map<{ n: number }>(view).set('b', { n: 2 });
      await again.close();
      const storageOf = async (map: string) =>
        (
          await pool.query<{ attstorage: string }>(
            `SELECT attstorage FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'body'`,
            [tableName(map)],
          )
        ).rows[0]?.attstorage;
      expect(await storageOf(view)).toBe('e');
      expect(await storageOf(events)).toBe('x');
    } finally {
      await pool.end();
      await storage.close();
    }
  });
});

describe('durability of what PostgreSQL acknowledged', () => {
  let server: EmbeddedPostgres | undefined;
  afterAll(async () => {
    if (server) await stopTestPostgres(server);
  });

  test('writes acknowledged before a SIGKILL of the server are all there after its restart', async () => {
    server = await startTestPostgres(() => undefined);
    const { dataDir, port, logFile } = server;
    const storage = await openPostgres({ url: server.url, poolSize: 8 }, silentLogger());
    const map = storage.kv.map<{ n: number }>('durable.es');
    const acknowledged: string[] = [];
    // Writers keep going while the server is killed; only what resolved counts as acknowledged.
    const writers = Array.from({ length: 8 }, async (_, writer) => {
      for (let n = 0; ; n++) {
        try {
          await map.putIfAbsent(`w${writer}:${n}`, { n });
          acknowledged.push(`w${writer}:${n}`);
        } catch {
          return;
        }
      }
    });
    while (acknowledged.length < 500) await new Promise((resolve) => setImmediate(resolve));
    process.kill(server.pid, 'SIGKILL');
    await server.exited;
    await Promise.all(writers);
    await storage.close().catch(() => undefined);

    server = await startEmbeddedPostgres({ dataDir, port, logFile });
    const reopened = await openPostgres({ url: server.url, poolSize: 2 }, silentLogger());
    const found = await reopened.kv.map<{ n: number }>('durable.es').getAll(acknowledged);
    await reopened.close();
    expect(acknowledged.filter((key) => !found.has(key))).toEqual([]);
  });
});

describe('bad persistence settings stop a process with one clear line', () => {
  test('a wrong password names the credentials, never the password', async () => {
    const url = new URL(testDatabaseUrl());
    url.password = 'wrong-secret';
    const attempt = openPostgres({ url: url.toString(), poolSize: 1 }, silentLogger());
    await expect(attempt).rejects.toThrow(PostgresStartError);
    await expect(attempt).rejects.toThrow(/refused the credentials in DATABASE_URL/);
    await expect(attempt).rejects.not.toThrow(/wrong-secret/);
  });

  const runService = (env: Record<string, string>) =>
    spawnSync(process.execPath, [join(ROOT, 'build', 'services', 'order', 'main.js')], {
      env: { PATH: process.env.PATH, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', LOG_LEVEL: 'silent', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });

  test.each([
    [{ HMS_PERSISTENCE: 'disk' }, /^order: Invalid configuration: HMS_PERSISTENCE: .*"memory".*"postgres"/],
    [
      { HMS_PERSISTENCE: 'postgres' },
      /^order: Invalid configuration: DATABASE_URL: is required when HMS_PERSISTENCE=postgres$/,
    ],
    [
      { HMS_PERSISTENCE: 'postgres', DATABASE_URL: 'postgres://hms:x@127.0.0.1:1/hms' },
      /^order: cannot reach PostgreSQL at 127\.0\.0\.1:1\/hms \(DATABASE_URL\): .*ECONNREFUSED/,
    ],
  ])('%j', (env, line) => {
    const run = runService(env);
    expect(run.status).not.toBe(0);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
  });
});
