import type { PoolConfig } from 'pg';
import { Pool } from 'pg';
import type { Logger } from '../logging/logger';
import { isConnectionLoss } from './postgres-errors';
import { MapNotifications } from './map-notifications';
import { PostgresKeyValueStore } from './postgres-key-value';

export interface PostgresSettings {
  /** postgres://user:password@host:port/database */
  readonly url: string;
  readonly poolSize: number;
  /** A statement that takes longer is cancelled and reported as unavailable (503), never left hanging. */
  readonly statementTimeoutMs?: number;
  /** The clock entry TTLs are judged by. */
  readonly now?: () => number;
}

export interface PostgresStorage {
  readonly kv: PostgresKeyValueStore;
  close(): Promise<void>;
}

/** Thrown at start when the database cannot be used; its message is the one line the process prints. */
export class PostgresStartError extends Error {
  override name = 'PostgresStartError';
}

const TTL_SWEEP_MS = 60_000;
const TTL_SWEEP_BATCH = 1_000;

/**
 * Connects, checks the database answers with these credentials (a bad URL, password or host stops the
 * process at start with one line), and keeps a bounded sweep of expired entries running.
 */
export async function openPostgres(settings: PostgresSettings, logger: Logger): Promise<PostgresStorage> {
  const connection: PoolConfig = {
    connectionString: settings.url,
    connectionTimeoutMillis: 5_000,
    statement_timeout: settings.statementTimeoutMs ?? 10_000,
    query_timeout: (settings.statementTimeoutMs ?? 10_000) + 2_000,
    keepAlive: true,
  };
  const pool = new Pool({ ...connection, max: settings.poolSize });
  // Views and the outbox flag are re-derived from the event store, so they need not wait for the flush.
  const deferred = new Pool({
    ...connection,
    max: Math.max(2, Math.ceil(settings.poolSize / 2)),
    options: '-c synchronous_commit=off',
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  for (const each of [pool, deferred]) {
    each.on('error', (error) => logger.warn({ err: error }, 'PostgreSQL connection lost'));
  }
  const end = () => Promise.all([pool.end(), deferred.end()]);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await end().catch(() => undefined);
    throw new PostgresStartError(startFailure(settings.url, error));
  }
  const notifications = new MapNotifications(pool, connection, logger);
  const kv = new PostgresKeyValueStore({ durable: pool, deferred }, notifications, settings.now);
  const sweep = setInterval(() => {
    void (async () => {
      for (const map of kv.expiringMaps()) {
        await map.purgeExpired(TTL_SWEEP_BATCH).catch((error: unknown) => {
          if (!isConnectionLoss(error))
            logger.warn({ err: error, map: map.name }, 'expired-entry sweep failed');
        });
      }
    })();
  }, TTL_SWEEP_MS);
  sweep.unref();
  logger.info({ database: describe(settings.url), poolSize: settings.poolSize }, 'PostgreSQL connected');
  return {
    kv,
    close: async () => {
      clearInterval(sweep);
      await notifications.close();
      await end();
    },
  };
}

/** host:port/database, never the password. */
export function describe(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

function startFailure(url: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  const where = describe(url);
  const code = (error as { code?: unknown }).code;
  if (code === '28P01' || code === '28000')
    return `PostgreSQL at ${where} refused the credentials in DATABASE_URL: ${reason}`;
  if (code === '3D000') return `PostgreSQL at ${where}: the database does not exist (${reason})`;
  return `cannot reach PostgreSQL at ${where} (DATABASE_URL): ${reason || String(code)}`;
}
