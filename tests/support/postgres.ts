import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import type { EmbeddedPostgres } from '../../scripts/local-postgres/embedded-postgres';
import { startEmbeddedPostgres } from '../../scripts/local-postgres/embedded-postgres';
import { findFreePort } from '../../src/net/free-port';
import { silentLogger } from '../../src/logging/logger';
import { openPostgres, type PostgresStorage } from '../../src/postgres/postgres-storage';

const DATA_PREFIX = 'hms-test-pg-';

/**
 * A real PostgreSQL for one test run, in a fresh data directory under the system's temp folder (the
 * server's own user can always enter it), on a free loopback port.
 */
export async function startTestPostgres(log: (line: string) => void): Promise<EmbeddedPostgres> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), DATA_PREFIX));
  fs.chmodSync(root, 0o755);
  return startEmbeddedPostgres({
    dataDir: path.join(root, 'data'),
    port: await findFreePort('127.0.0.1'),
    logFile: path.join(root, 'postgres.log'),
    log,
  });
}

/** Stops it and deletes its data. */
export async function stopTestPostgres(server: EmbeddedPostgres): Promise<void> {
  await server.stop();
  fs.rmSync(path.dirname(server.dataDir), { recursive: true, force: true });
}

/** Whether a pid is a test run's PostgreSQL (its data directory names it), for leftover cleanup. */
export function isTestPostgres(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(DATA_PREFIX);
  } catch {
    return false;
  }
}

/** The run's PostgreSQL URL, set by tests/support/global-setup.ts. */
export function testDatabaseUrl(): string {
  const url = process.env.PG_URL;
  if (!url) {
    throw new Error(
      'PG_URL is not set: run integration tests through jest (`npx jest --selectProjects integration`), ' +
        'whose globalSetup starts PostgreSQL.',
    );
  }
  return url;
}

export function openTestPostgres(poolSize = 10, now?: () => number): Promise<PostgresStorage> {
  return openPostgres({ url: testDatabaseUrl(), poolSize, ...(now ? { now } : {}) }, silentLogger());
}

/** A plain pool for tests that look at PostgreSQL directly. */
export function testPool(): Pool {
  return new Pool({ connectionString: testDatabaseUrl(), max: 2 });
}
