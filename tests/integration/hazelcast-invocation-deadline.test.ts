/**
 * Every Hazelcast call has a deadline: while the cluster is away the client retries a call only until its
 * invocation timeout, so a request fails in seconds instead of the client's default 120 s.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Client as HazelcastClient } from 'hazelcast-client';
import { connectHazelcast } from '../../src/hazelcast/client';
import {
  DEFAULT_INVOCATION_TIMEOUT_MS,
  INVOCATION_TIMEOUT_PROPERTY,
} from '../../src/hazelcast/invocation-timeout';
import { projectRoot, startMember, type HazelcastMember } from '../../src/hazelcast/member';
import { silentLogger } from '../../src/logging/logger';
import { findFreePort } from '../../src/net/free-port';
import { testHazelcast, closeTestHazelcast } from '../support/hazelcast';

const HOST = '127.0.0.1';

describe('Hazelcast invocation deadline', () => {
  let member: HazelcastMember | undefined;
  let client: HazelcastClient | undefined;

  afterAll(async () => {
    await client?.shutdown().catch(() => undefined);
    await member?.stop();
  });

  test('a client connects with the 15 s default unless told otherwise', async () => {
    const { client: shared } = await testHazelcast();
    try {
      expect(shared.getConfig().properties?.[INVOCATION_TIMEOUT_PROPERTY]).toBe(
        DEFAULT_INVOCATION_TIMEOUT_MS,
      );
      expect(DEFAULT_INVOCATION_TIMEOUT_MS).toBe(15_000);
    } finally {
      await closeTestHazelcast(shared);
    }
  });

  test('with the cluster gone, a call fails once its deadline has passed, not after 120 s', async () => {
    const clusterName = `deadline-${randomBytes(4).toString('hex')}`;
    const port = await findFreePort(HOST);
    member = await startMember({
      clusterName,
      host: HOST,
      port,
      heap: '256m',
      logFile: path.join(projectRoot(), '.run', `${clusterName}.log`),
      readyTimeoutMs: 90_000,
    });
    // The connect timeout is far longer than the test: the client keeps reconnecting, it does not shut down.
    client = await connectHazelcast({
      clusterName,
      addresses: [`${HOST}:${port}`],
      connectTimeoutMs: 300_000,
      invocationTimeoutMs: 2_000,
      logger: silentLogger(),
    });
    const map = await client.getMap<string, string>('deadline');
    await map.put('k', 'v');
    await member.stop();
    member = undefined;

    const started = Date.now();
    await expect(map.get('k')).rejects.toThrow(/deadline|timed? ?out/i);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(1_500);
    expect(waited).toBeLessThan(10_000);
  }, 150_000);
});
