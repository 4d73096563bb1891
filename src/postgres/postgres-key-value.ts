import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type {
  Condition,
  KeyValueMap,
  KeyValueStore,
  MapChange,
  QueryOptions,
  Stored,
  WriteOptions,
} from '../storage/key-value';
import { serialize } from '../storage/key-value';
import { BatchedCalls } from '../core/group-commit';
import { checkQueryOptions } from '../storage/query-order';
import type { MapLayout } from './map-tables';
import { createStatements, layoutOf, pathExpression } from './map-tables';
import type { MapNotifications } from './map-notifications';
import { unavailableOnConnectionLoss } from './postgres-errors';

type Row = { key: string; body: string };

/** One entry of a batched write: the key, the serialized document, its expiry time (epoch ms) or none. */
interface Entry {
  readonly key: string;
  readonly body: string;
  readonly expiresAt: number | null;
}

interface Replacement {
  readonly key: string;
  readonly expected: string;
  readonly body: string;
}

/** Rows per batched statement at most. */
const MAX_BATCH = 128;
/** SQLSTATE of a transaction PostgreSQL aborted to break a deadlock: nothing of it was applied. */
const DEADLOCK_DETECTED = '40P01';
const byKey = (a: { key: string }, b: { key: string }): number =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

/**
 * The key-value port on PostgreSQL: what must survive every process dying. A write returns only once
 * PostgreSQL has committed it (synchronous commit, the server's default), so anything acknowledged
 * after it is durable. Compare-and-set compares the stored jsonb with the token's, which is the
 * document as it was read.
 */
export class PostgresKeyValueMap<V> implements KeyValueMap<V> {
  private readonly table: string;
  private ready: Promise<void> | undefined;
  private readonly statementNames = new Map<string, string>();
  /**
   * Point operations that arrive while one of their kind is in flight go together in the next statement:
   * under load one round trip, one transaction and one WAL flush carry many; idle, each goes alone at once.
   * Each caller still gets its own answer. A key appears at most once per write statement.
   */
  private readonly batched = {
    get: new BatchedCalls<string, Stored<V> | undefined>(
      async (keys) => {
        const found = await this.getAll(keys);
        return keys.map((key) => found.get(key));
      },
      { maxBatch: MAX_BATCH },
    ),
    putIfAbsent: new BatchedCalls<Entry, Stored<V> | undefined | 'removed'>(
      (entries) => this.insertAbsent(entries),
      { maxBatch: MAX_BATCH, keyOf: (entry) => entry.key },
    ),
    replace: new BatchedCalls<Replacement, boolean>((items) => this.replaceMatching(items), {
      maxBatch: MAX_BATCH,
      keyOf: (item) => item.key,
    }),
    set: this.setBatches(false),
    setDeferred: this.setBatches(true),
  };

  constructor(
    readonly name: string,
    private readonly pools: PostgresPools,
    private readonly layout: MapLayout,
    private readonly notifications: MapNotifications,
    private readonly now: () => number = Date.now,
  ) {
    this.table = layout.table;
  }

  async get(key: string): Promise<Stored<V> | undefined> {
    return this.batched.get.call(key);
  }

  async getAll(keys: readonly string[]): Promise<Map<string, Stored<V>>> {
    const found = new Map<string, Stored<V>>();
    if (keys.length === 0) return found;
    const { rows } = await this.runPrepared<Row>(
      `SELECT key, body::text AS body FROM ${this.table} WHERE key = ANY($1::text[]) AND ${this.live(2)}`,
      [[...new Set(keys)], this.now()],
    );
    for (const row of rows) found.set(row.key, stored<V>(row));
    return found;
  }

  async putIfAbsent(key: string, value: V, options?: WriteOptions): Promise<Stored<V> | undefined> {
    for (;;) {
      const expiresAt = this.expiry(this.now(), options);
      const outcome = await this.batched.putIfAbsent.call({ key, body: serialize(value), expiresAt });
      // 'removed': the entry that refused the insert was gone by the time it was read: try again.
      if (outcome !== 'removed') return outcome;
    }
  }

  async replace(key: string, expected: Stored<V>, next: V): Promise<boolean> {
    return this.batched.replace.call({ key, expected: expected.token, body: serialize(next) });
  }

  async set(key: string, value: V, options?: WriteOptions): Promise<void> {
    const deferrable = this.layout.deferrable || options?.deferrable === true;
    const entry = { key, body: serialize(value), expiresAt: this.expiry(this.now(), options) };
    await (deferrable ? this.batched.setDeferred : this.batched.set).call(entry);
  }

  async setAll(entries: ReadonlyArray<readonly [string, V]>, options?: WriteOptions): Promise<void> {
    if (entries.length === 0) return;
    const expiresAt = this.expiry(this.now(), options);
    await this.upsert(
      entries.map(([key, value]) => ({ key, body: serialize(value), expiresAt })),
      this.layout.deferrable || options?.deferrable === true,
    );
  }

  /** Inserts those whose key is free (or expired); for the others, what is there, or 'removed' if nothing now. */
  private async insertAbsent(entries: readonly Entry[]): Promise<Array<Stored<V> | undefined | 'removed'>> {
    // In key order, as every batch: two batches waiting on each other's keys would otherwise deadlock.
    const sorted = [...entries].sort(byKey);
    // An expired entry counts as absent, as in Hazelcast: it is overwritten in the same statement.
    const { rows } = await this.runPrepared<{ key: string }>(
      `INSERT INTO ${this.table} (key, body, expires_at)
       SELECT key, body::jsonb, expires_at FROM unnest($1::text[], $2::text[], $3::bigint[]) AS batch(key, body, expires_at)
       ON CONFLICT (key) DO UPDATE SET body = EXCLUDED.body, expires_at = EXCLUDED.expires_at
       WHERE ${this.table}.expires_at IS NOT NULL AND ${this.table}.expires_at <= $4
       RETURNING key`,
      [sorted.map((e) => e.key), sorted.map((e) => e.body), sorted.map((e) => e.expiresAt), this.now()],
    );
    const inserted = new Set(rows.map((row) => row.key));
    const refused = entries.filter((entry) => !inserted.has(entry.key)).map((entry) => entry.key);
    const existing = refused.length > 0 ? await this.getAll(refused) : new Map<string, Stored<V>>();
    return entries.map((entry) =>
      inserted.has(entry.key) ? undefined : (existing.get(entry.key) ?? 'removed'),
    );
  }

  /** Compare-and-set of each item; true for those whose stored document was exactly the expected one. */
  private async replaceMatching(items: readonly Replacement[]): Promise<boolean[]> {
    const sorted = [...items].sort(byKey);
    const { rows } = await this.runPrepared<{ key: string }>(
      `UPDATE ${this.table} SET body = batch.body::jsonb
       FROM unnest($1::text[], $2::text[], $3::text[]) AS batch(key, expected, body)
       WHERE ${this.table}.key = batch.key AND ${this.table}.body = batch.expected::jsonb
         AND (${this.table}.expires_at IS NULL OR ${this.table}.expires_at > $4)
       RETURNING ${this.table}.key`,
      [sorted.map((i) => i.key), sorted.map((i) => i.expected), sorted.map((i) => i.body), this.now()],
    );
    const replaced = new Set(rows.map((row) => row.key));
    return items.map((item) => replaced.has(item.key));
  }

  private setBatches(deferrable: boolean): BatchedCalls<Entry, undefined> {
    return new BatchedCalls<Entry, undefined>(
      async (entries) => {
        await this.upsert(entries, deferrable);
        return entries.map(() => undefined);
      },
      { maxBatch: MAX_BATCH },
    );
  }

  /** Writes every entry, in one statement; of one key given twice the last wins, as a loop of sets would. */
  private async upsert(entries: readonly Entry[], deferrable: boolean): Promise<void> {
    const last = [...new Map(entries.map((entry) => [entry.key, entry])).values()].sort(byKey);
    await this.runPrepared(
      `INSERT INTO ${this.table} (key, body, expires_at)
       SELECT key, body::jsonb, expires_at FROM unnest($1::text[], $2::text[], $3::bigint[]) AS batch(key, body, expires_at)
       ON CONFLICT (key) DO UPDATE SET body = EXCLUDED.body, expires_at = EXCLUDED.expires_at`,
      [last.map((e) => e.key), last.map((e) => e.body), last.map((e) => e.expiresAt)],
      deferrable,
    );
  }

  async delete(key: string): Promise<void> {
    await this.runPrepared(`DELETE FROM ${this.table} WHERE key = $1`, [key]);
  }

  async deleteIfSame(key: string, expected: Stored<V>): Promise<boolean> {
    const result = await this.runPrepared(
      `DELETE FROM ${this.table} WHERE key = $1 AND body = $2::jsonb AND ${this.live(3)}`,
      [key, expected.token, this.now()],
    );
    return result.rowCount === 1;
  }

  async query(
    conditions: readonly Condition[],
    options: QueryOptions = {},
  ): Promise<Array<[string, Stored<V>]>> {
    checkQueryOptions(options);
    const { orderBy, descending = false, limit } = options;
    const where = [this.where(conditions)];
    let order = '';
    if (orderBy !== undefined) {
      // As query-order.ts: only numbers and strings have a place in the order; ties go by key.
      const path = pathExpression(orderBy);
      where.push(`jsonb_typeof(${path}) IN ('number', 'string')`);
      order = ` ORDER BY ${path} ${descending ? 'DESC' : 'ASC'}, key COLLATE "C"`;
    } else if (limit !== undefined) {
      order = ' ORDER BY key COLLATE "C"';
    }
    const { rows } = await this.run<Row>(
      `SELECT key, body::text AS body FROM ${this.table} WHERE ${where.join(' AND ')}${order}` +
        (limit !== undefined ? ` LIMIT ${limit}` : ''),
      [this.now()],
    );
    return rows.map((row) => [row.key, stored<V>(row)]);
  }

  async count(conditions: readonly Condition[]): Promise<number> {
    const { rows } = await this.run<{ n: string }>(
      `SELECT count(*) AS n FROM ${this.table} WHERE ${this.where(conditions)}`,
      [this.now()],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async keys(): Promise<string[]> {
    const { rows } = await this.run<{ key: string }>(`SELECT key FROM ${this.table} WHERE ${this.live(1)}`, [
      this.now(),
    ]);
    return rows.map((row) => row.key);
  }

  size(): Promise<number> {
    return this.count([]);
  }

  async clear(): Promise<void> {
    await this.run(`TRUNCATE ${this.table}`);
  }

  async watch(onChange: (change: MapChange) => void): Promise<() => Promise<void>> {
    await this.ensureTable();
    return this.notifications.watch(this.table, onChange);
  }

  /** Deletes at most `limit` expired entries; the TTL sweeper's one bounded step. */
  async purgeExpired(limit: number): Promise<number> {
    const result = await this.run(
      `DELETE FROM ${this.table} WHERE key IN (SELECT key FROM ${this.table}
         WHERE expires_at IS NOT NULL AND expires_at <= $1 LIMIT ${Math.floor(limit)})`,
      [this.now()],
    );
    return result.rowCount ?? 0;
  }

  private live(parameter: number): string {
    return `(expires_at IS NULL OR expires_at > $${parameter})`;
  }

  private where(conditions: readonly Condition[]): string {
    return [this.live(1), ...conditions.map(conditionSql)].join(' AND ');
  }

  private expiry(now: number, options: WriteOptions | undefined): number | null {
    const ttl = options?.ttlMs ?? this.layout.defaultTtlMs;
    return ttl ? now + ttl : null;
  }

  /** Creates the table and its indexes on first use; idempotent, and safe when processes race on it. */
  private ensureTable(): Promise<void> {
    this.ready ??= withClient(this.pools.durable, async (client) => {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.table]);
        for (const statement of createStatements(this.layout)) await client.query(statement);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    }).catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async run<R extends object = Record<string, unknown>>(
    sql: string,
    values: unknown[] = [],
    deferrable = this.layout.deferrable,
  ) {
    await this.ensureTable();
    const pool = this.poolFor(deferrable);
    return unavailableOnConnectionLoss(() => pool.query<R>(sql, values));
  }

  private poolFor(deferrable: boolean): Pool {
    return deferrable ? this.pools.deferred : this.pools.durable;
  }

  /**
   * A statement of fixed text (values only as parameters), prepared once per connection: the hot path's
   * reads and writes skip PostgreSQL's parse and plan every time after the first.
   */
  private async runPrepared<R extends object = Record<string, unknown>>(
    sql: string,
    values: unknown[],
    deferrable = this.layout.deferrable,
  ) {
    await this.ensureTable();
    const pool = this.poolFor(deferrable);
    let name = this.statementNames.get(sql);
    if (!name) {
      name = `kv_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
      this.statementNames.set(sql, name);
    }
    const statement = { name, text: sql, values };
    for (let attempt = 1; ; attempt++) {
      try {
        return await unavailableOnConnectionLoss(() => pool.query<R>(statement));
      } catch (error) {
        // A batch's rows are locked in key order, but an UPDATE … FROM's join need not follow it.
        if ((error as { code?: unknown }).code !== DEADLOCK_DETECTED || attempt >= 3) throw error;
      }
    }
  }
}

function stored<V>(row: Row): Stored<V> {
  return { value: JSON.parse(row.body) as V, token: row.body };
}

/** Values are inlined as jsonb literals so partial and expression indexes match at plan time. */
function conditionSql(condition: Condition): string {
  const path = pathExpression(condition.field);
  switch (condition.op) {
    case 'eq':
      return `${path} = ${jsonLiteral(condition.value)}`;
    case 'in':
      return condition.value.length === 0
        ? 'false'
        : `${path} IN (${condition.value.map(jsonLiteral).join(', ')})`;
    default: {
      const operator = { lt: '<', lte: '<=', gt: '>', gte: '>=' }[condition.op];
      // Like the other backends, a range only matches values of the bound's own type.
      const type = typeof condition.value === 'number' ? 'number' : 'string';
      return `(jsonb_typeof(${path}) = '${type}' AND ${path} ${operator} ${jsonLiteral(condition.value)})`;
    }
  }
}

function jsonLiteral(value: unknown): string {
  return `'${JSON.stringify(value).replace(/'/g, "''")}'::jsonb`;
}

async function withClient<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await unavailableOnConnectionLoss(() => pool.connect());
  try {
    return await work(client);
  } finally {
    client.release();
  }
}

/** Writes that wait for the WAL flush, and those that need not (synchronous_commit off). */
export interface PostgresPools {
  readonly durable: Pool;
  readonly deferred: Pool;
}

export class PostgresKeyValueStore implements KeyValueStore {
  private readonly maps = new Map<string, PostgresKeyValueMap<unknown>>();

  constructor(
    private readonly pools: PostgresPools,
    private readonly notifications: MapNotifications,
    private readonly now: () => number = Date.now,
  ) {}

  map<V>(name: string): KeyValueMap<V> {
    return this.postgresMap<V>(name);
  }

  postgresMap<V>(name: string): PostgresKeyValueMap<V> {
    let map = this.maps.get(name);
    if (!map) {
      map = new PostgresKeyValueMap<unknown>(name, this.pools, layoutOf(name), this.notifications, this.now);
      this.maps.set(name, map);
    }
    return map as PostgresKeyValueMap<V>;
  }

  /** The maps opened so far that expire entries, for the TTL sweeper. */
  expiringMaps(): PostgresKeyValueMap<unknown>[] {
    return [...this.maps.values()].filter((map) => layoutOf(map.name).defaultTtlMs !== undefined);
  }
}
