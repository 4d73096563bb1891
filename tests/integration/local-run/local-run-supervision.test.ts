import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { settlesWithin } from '../../../src/core/child-process';
import { httpStatus } from '../../../src/hazelcast/member';
import { LocalRun } from '../../support/local-run';
import { call, eventually } from '../../support/system';

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
