import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Client as HazelcastClient, IMap } from 'hazelcast-client';
import { settlesWithin } from '../../../src/core/child-process';
import { connectHazelcast } from '../../../src/hazelcast/client';
import { projectRoot, startMember, type HazelcastMember } from '../../../src/hazelcast/member';
import { parseHeapReading } from '../../../src/memory-guard/heap-reading';
import { ServiceProcess } from '../../../src/local/service-process';
import { findFreePort } from '../../../src/net/free-port';
import { call, eventually } from '../../support/system';

const HIGH_WATER = 0.6;
const STEP_BYTES = 2 * 1024 * 1024;
// 200 KB values: below G1's humongous size (half a 1 MB region), so they age and get promoted like real data.
const VALUE = 'x'.repeat(200 * 1024);

/**
 * The guard on a real member: a 256 MB member whose heap a client fills while the account service takes
 * writes. The service must start answering writes 503 before the member runs out of memory, and every
 * write it acknowledged before must still be readable.
 */
describe('the member heap guard on a real member', () => {
  let member: HazelcastMember;
  let client: HazelcastClient;
  let account: ServiceProcess;
  let filler: IMap<string, string>;

  beforeAll(async () => {
    const root = projectRoot();
    const name = `heap-guard-${randomBytes(4).toString('hex')}`;
    member = await startMember({
      clusterName: name,
      port: 0,
      metricsPort: 0,
      heap: '256m',
      logFile: path.join(root, '.run', 'tests', `${name}-member.log`),
    });
    client = await connectHazelcast({
      clusterName: name,
      addresses: [member.address],
      connectTimeoutMs: 15_000,
    });
    filler = await client.getMap<string, string>('heap-guard-filler');
    account = new ServiceProcess({
      name: 'account',
      port: await findFreePort('127.0.0.1'),
      buildDir: path.join(root, 'build'),
      logFile: path.join(root, '.run', 'tests', `${name}-account.log`),
      env: {
        HTTP_HOST: '127.0.0.1',
        HAZELCAST_ADDRESSES: member.address,
        HAZELCAST_CLUSTER_NAME: name,
        HMS_PERSISTENCE: 'memory',
        HAZELCAST_METRICS_URLS: member.metricsUrl!,
        HAZELCAST_HEAP_HIGH_WATER: String(HIGH_WATER),
        HAZELCAST_HEAP_POLL_MS: '250',
        LOG_LEVEL: 'info',
      },
    });
    account.start();
    await account.waitReady();
  }, 120_000);

  afterAll(async () => {
    await account?.stop();
    await client?.shutdown();
    await member?.stop();
  });

  const heapFraction = async (): Promise<number> => {
    const reading = parseHeapReading(await (await fetch(member.metricsUrl!)).text());
    return reading.oldGenBytes / reading.maxBytes;
  };
  const createCustomer = (i: number) =>
    call('POST', `${account.baseUrl}/api/customers`, { email: `c${i}@example.com`, name: `Customer ${i}` });

  test('writes are shed with 503 and Retry-After before the member fills, and nothing acknowledged is lost', async () => {
    const acknowledged: string[] = [];
    let refused: Awaited<ReturnType<typeof createCustomer>> | undefined;
    let key = 0;
    for (let step = 0; !refused; step++) {
      const reply = await createCustomer(step);
      if (reply.status === 201) acknowledged.push(reply.body.customerId as string);
      else if (reply.status === 503) refused = reply;
      else throw new Error(`unexpected ${reply.status}: ${JSON.stringify(reply.body)}`);
      if (refused) break;
      // The guarantee: a refusal comes before the member dies. The after-GC reading lags a fast fill until G1
      // collects the old generation, so the fill may go far past the mark first; only the member's death
      // (ExitOnOutOfMemoryError) or a fill of twice its heap (data not staying) ends the test as failed.
      if (await settlesWithin(member.exit, 0)) throw new Error('the member died before the guard tripped');
      if (key * VALUE.length > 2 * 256 * 1024 * 1024) throw new Error('the filler wrote twice the heap');
      const batch: Array<[string, string]> = [];
      for (let filled = 0; filled < STEP_BYTES; filled += VALUE.length) batch.push([`k${key++}`, VALUE]);
      await filler.putAll(batch);
    }

    expect(await settlesWithin(member.exit, 10)).toBe(false); // the member is alive
    expect(await heapFraction()).toBeGreaterThanOrEqual(HIGH_WATER);
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body).toMatchObject({
      errorCode: 'SERVICE_UNAVAILABLE',
      details: { reason: 'MEMBER_HEAP_HIGH_WATER', highWater: HIGH_WATER },
    });
    expect(String(refused.body.message)).toMatch(
      /heap is \d+ % full \(its old generation\) \(high-water mark 60 %\)/,
    );
    // Still shedding on the next write, and reads are served: everything acknowledged is there.
    expect((await createCustomer(-1)).status).toBe(503);
    for (const customerId of acknowledged) {
      await eventually(
        async () => (await call('GET', `${account.baseUrl}/api/customers/${customerId}`)).status === 200,
        10_000,
        `customer ${customerId} readable`,
      );
    }
    const metrics = await (await fetch(`${account.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^http_write_shedding\{service="account"\} 1$/m);

    // The memory given back (and garbage made, so G1 collects the old generation): writes come back.
    await filler.destroy();
    const churn = await client.getMap<string, string>('heap-guard-churn');
    await eventually(
      async () => {
        for (let i = 0; i < 10; i++) await churn.set(`c${i}`, VALUE);
        return (await createCustomer(-2)).status === 201;
      },
      90_000,
      'writes accepted again once the heap is collected',
    );
  }, 300_000);
});
