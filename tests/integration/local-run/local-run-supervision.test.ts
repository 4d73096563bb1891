import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { settlesWithin } from '../../../src/core/child-process';
import type { ProcessExit } from '../../../src/core/process-exit';
import { httpStatus } from '../../../src/hazelcast/member';
import { call, eventually } from '../../support/system';

const ROOT = path.join(__dirname, '..', '..', '..');
const SCRIPT = path.join(ROOT, 'build', 'scripts', 'local-run.js');

/**
 * `npm start` itself (build/scripts/local-run.js) in a temporary run directory, every port picked free,
 * no Prometheus: the real supervisor watching a real member, real services and a real PostgreSQL.
 */
class LocalRun {
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
    const account = /account\s+(http:\/\/\S+)/.exec(this.text);
    const member = /hazelcast\s+(\S+)\s+\(cluster .*pid (\d+);/.exec(this.text);
    if (!account?.[1] || !member?.[1] || !member[2]) throw new Error(`no address table in:\n${this.text}`);
    return { accountUrl: account[1], memberAddress: member[1], memberPid: Number(member[2]) };
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

const newCustomer = (accountUrl: string, email: string) =>
  call('POST', `${accountUrl}/api/customers`, { email, name: 'Ada Lovelace' });

describe('npm start watches the Hazelcast member', () => {
  let run: LocalRun | undefined;
  let runDir: string;

  beforeEach(() => {
    runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hms-local-run-'));
    // PostgreSQL runs as its own user when we are root: it must be able to enter the run directory.
    fs.chmodSync(runDir, 0o755);
  });

  afterEach(async () => {
    await run?.terminate();
    run?.killGroup();
    run = undefined;
    fs.rmSync(runDir, { recursive: true, force: true });
  });

  test('memory mode: a SIGKILLed member stops the whole run, non-zero, with the reason', async () => {
    run = new LocalRun(runDir, { HMS_PERSISTENCE: 'memory' });
    const { accountUrl, memberPid } = await run.up();
    expect((await newCustomer(accountUrl, 'ada@example.com')).status).toBe(201);

    process.kill(memberPid, 'SIGKILL');
    expect(await settlesWithin(run.exit, 60_000)).toBe(true);
    const exit = await run.exit;
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(run.output).toMatch(
      new RegExp(
        `The Hazelcast member died \\(killed by SIGKILL\\); log: \\S*${runDir.split(path.sep).pop()}/hazelcast\\.log`,
      ),
    );
    expect(run.output).toMatch(/In memory mode every customer, product, order and payment was in the member/);
    expect(run.output).not.toMatch(/restarting it/);
    // The services went with it.
    await expect(fetch(`${accountUrl}/health/live`)).rejects.toThrow();
  }, 300_000);

  test('persistent mode: the member and PostgreSQL come back after a SIGKILL, with the data', async () => {
    run = new LocalRun(runDir, { HMS_PERSISTENCE: 'postgres' });
    const { accountUrl, memberPid, memberAddress } = await run.up();
    expect(run.output).toMatch(
      /postgres\s+postgres:\/\/\S+\s+\(data \S+postgres, kept across runs; pid \d+\)/,
    );
    const before = await newCustomer(accountUrl, 'before@example.com');
    expect(before.status).toBe(201);
    const customerId = before.body.customerId as string;

    process.kill(memberPid, 'SIGKILL');
    await run.printed(/The Hazelcast member died \(killed by SIGKILL\); log: \S+hazelcast\.log/, 30_000);
    await run.printed(/the data is in PostgreSQL and the services reconnect; restarting it in 1 s/, 5_000);
    await run.printed(/The Hazelcast member is back \(\S+, pid \d+\)/, 120_000);
    const [host, port] = memberAddress.split(':');
    expect(await httpStatus(host!, Number(port), '/hazelcast/health/ready')).toBe(200);
    // The services reconnected: a new write goes through, and what was written before is still there.
    const after = await eventually(
      async () => {
        const reply = await newCustomer(accountUrl, `after-${Date.now()}@example.com`);
        return reply.status === 201 ? reply : undefined;
      },
      120_000,
      'a write after the member restart',
    );
    expect(after.status).toBe(201);
    expect((await call('GET', `${accountUrl}/api/customers/${customerId}`)).status).toBe(200);

    const postgresPid = Number(/postgres\s+postgres:\/\/\S+\s+\(.*pid (\d+)\)/.exec(run.output)?.[1]);
    process.kill(postgresPid, 'SIGKILL');
    await run.printed(/PostgreSQL died \(killed by a signal\); log: \S+postgres\.log/, 30_000);
    await run.printed(/PostgreSQL is back \(pid \d+\)/, 120_000);
    await eventually(
      async () => (await newCustomer(accountUrl, `later-${Date.now()}@example.com`)).status === 201,
      120_000,
      'a write after the PostgreSQL restart',
    );
    expect((await call('GET', `${accountUrl}/api/customers/${customerId}`)).status).toBe(200);

    await run.terminate();
    expect((await run.exit).code).toBe(0);
  }, 600_000);
});
