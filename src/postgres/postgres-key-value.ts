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
import { checkQueryOptions } from '../storage/query-order';
import type { MapLayout } from './map-tables';
import { createStatements, layoutOf, pathExpression } from './map-tables';
import type { MapNotifications } from './map-notifications';
import { unavailableOnConnectionLoss } from './postgres-errors';

type Row = { key: string; body: string };

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
    const { rows } = await this.runPrepared<Row>(
      `SELECT key, body::text AS body FROM ${this.table} WHERE key = $1 AND ${this.live(2)}`,
      [key, this.now()],
    );
    return rows[0] ? stored<V>(rows[0]) : undefined;
  }

  async getAll(keys: readonly string[]): Promise<Map<string, Stored<V>>> {
    const found = new Map<string, Stored<V>>();
    if (keys.length === 0) return found;
    const { rows } = await this.runPrepared<Row>(
      `SELECT key, body::text AS body FROM ${this.table} WHERE key = ANY($1::text[]) AND ${this.live(2)}`,
      [keys, this.now()],
    );
    for (const row of rows) found.set(row.key, stored<V>(row));
    return found;
  }

  async putIfAbsent(key: string, value: V, options?: WriteOptions): Promise<Stored<V> | undefined> {
    for (;;) {
      const now = this.now();
      // An expired entry counts as absent, as in Hazelcast: it is overwritten in the same statement.
      const inserted = await this.runPrepared(
        `INSERT INTO ${this.table} (key, body, expires_at) VALUES ($1, $2::jsonb, $3)
         ON CONFLICT (key) DO UPDATE SET body = EXCLUDED.body, expires_at = EXCLUDED.expires_at
         WHERE ${this.table}.expires_at IS NOT NULL AND ${this.table}.expires_at <= $4`,
        [key, serialize(value), this.expiry(now, options), now],
      );
      if (inserted.rowCount === 1) return undefined;
      const existing = await this.get(key);
      // Removed between the two statements: try the insert again.
      if (existing) return existing;
    }
  }

  async replace(key: string, expected: Stored<V>, next: V): Promise<boolean> {
    const result = await this.runPrepared(
      `UPDATE ${this.table} SET body = $3::jsonb WHERE key = $1 AND body = $2::jsonb AND ${this.live(4)}`,
      [key, expected.token, serialize(next), this.now()],
    );
    return result.rowCount === 1;
  }

  async set(key: string, value: V, options?: WriteOptions): Promise<void> {
    await this.runPrepared(
      `INSERT INTO ${this.table} (key, body, expires_at) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (key) DO UPDATE SET body = EXCLUDED.body, expires_at = EXCLUDED.expires_at`,
      [key, serialize(value), this.expiry(this.now(), options)],
      this.layout.deferrable || options?.deferrable === true,
    );
  }

  async setAll(entries: ReadonlyArray<readonly [string, V]>, options?: WriteOptions): Promise<void> {
    if (entries.length === 0) return;
    // One key twice in a statement would fail ON CONFLICT: the last value wins, as a loop of sets would.
    const last = new Map(entries.map(([key, value]) => [key, value]));
    const expiry = this.expiry(this.now(), options);
    await this.runPrepared(
      `INSERT INTO ${this.table} (key, body, expires_at)
       SELECT key, body::jsonb, $3 FROM unnest($1::text[], $2::text[]) AS batch(key, body)
       ON CONFLICT (key) DO UPDATE SET body = EXCLUDED.body, expires_at = EXCLUDED.expires_at`,
      [[...last.keys()], [...last.values()].map(serialize), expiry],
      this.layout.deferrable || options?.deferrable === true,
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
    return unavailableOnConnectionLoss(() => pool.query<R>(statement));
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
