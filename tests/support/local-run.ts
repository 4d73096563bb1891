import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { settlesWithin } from '../../src/core/child-process';
import type { ProcessExit } from '../../src/core/process-exit';
import { eventually } from './system';

const ROOT = path.join(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'build', 'scripts', 'local-run.js');

/**
 * `npm start` itself (build/scripts/local-run.js) in a temporary run directory, every port picked free,
 * no Prometheus: the real supervisor watching a real member, real services and a real PostgreSQL.
 */
export class LocalRun {
  private text = '';
  readonly exit: Promise<ProcessExit>;
  private readonly child: ChildProcess;

  constructor(
    readonly runDir: string,
    env: Record<string, string>,
  ) {
    if (!fs.existsSync(SCRIPT)) throw new Error(`${SCRIPT} is missing: run "npm run build" first`);
    this.child = spawn(process.execPath, [SCRIPT], {
      cwd: ROOT,
      // Its own process group, so a failed test can take down everything the run started.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        HMS_RUN_DIR: runDir,
        HAZELCAST_CLUSTER_NAME: `local-run-${randomBytes(4).toString('hex')}`,
        HAZELCAST_HEAP: '384m',
        HAZELCAST_PORT: '0',
        HAZELCAST_METRICS_PORT: '0',
        POSTGRES_PORT: '0',
        ACCOUNT_PORT: '0',
        INVENTORY_PORT: '0',
        ORDER_PORT: '0',
        PAYMENT_PORT: '0',
        PROMETHEUS_PORT: 'off',
        DATABASE_URL: '',
        ...env,
      },
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.text += chunk.toString('utf8')));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.text += chunk.toString('utf8')));
    this.exit = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  get output(): string {
    return this.text;
  }

  /** The first match of pattern in what the run has printed so far, waiting for it. */
  async printed(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return eventually(
      async () => {
        if (this.child.exitCode !== null && !pattern.test(this.text)) {
          throw new Error(
            `the run exited (${this.child.exitCode}) without printing ${pattern}:\n${this.text}`,
          );
        }
        return pattern.exec(this.text) ?? undefined;
      },
      timeoutMs,
      `the local run printing ${pattern}; it printed:\n${this.text}`,
    );
  }

  async up(): Promise<{ accountUrl: string; memberPid: number; memberAddress: string }> {
    await this.printed(/The system is up:/, 180_000);
    // The table arrives line by line: its member row comes after the services'.
    await this.printed(/hazelcast\s+\S+\s+\(cluster .*pid \d+;.*\n/, 10_000);
    const account = /account\s+(http:\/\/\S+)/.exec(this.text);
    const member = /hazelcast\s+(\S+)\s+\(cluster .*pid (\d+);/.exec(this.text);
    if (!account?.[1] || !member?.[1] || !member[2]) throw new Error(`no address table in:\n${this.text}`);
    return { accountUrl: account[1], memberAddress: member[1], memberPid: Number(member[2]) };
  }

  /** A service's address and current pid: from the table, or from the newest "is back" line after a restart. */
  service(name: string): { url: string; pid: number } {
    const rows = [
      ...this.text.matchAll(new RegExp(`^\\s+${name}\\s+(http://\\S+)\\s+\\(pid (\\d+);`, 'gm')),
      ...this.text.matchAll(new RegExp(`^${name} is back \\((http://\\S+), pid (\\d+)\\)`, 'gm')),
    ];
    const newest = rows.sort((a, b) => (a.index ?? 0) - (b.index ?? 0)).at(-1);
    if (!newest?.[1] || !newest[2]) throw new Error(`no address of ${name} in:\n${this.text}`);
    return { url: newest[1], pid: Number(newest[2]) };
  }

  async terminate(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    if (await settlesWithin(this.exit, 90_000)) return;
    this.killGroup();
  }

  /** Whatever is left of the run (member, services, PostgreSQL): only this run's process group. */
  killGroup(): void {
    try {
      if (this.child.pid) process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
