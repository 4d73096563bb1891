import { randomBytes } from 'node:crypto';
import type { Client as HazelcastClient } from 'hazelcast-client';
import { connectHazelcast } from '../../src/hazelcast/client';

export interface TestHazelcast {
  client: HazelcastClient;
  /** `t<random>.`: prepend to every structure name so test files never see each other's data. */
  prefix: string;
}

/** A client of the member started by tests/support/global-setup.ts. */
export async function testHazelcast(): Promise<TestHazelcast> {
  const address = process.env.HZ_ADDRESS;
  const clusterName = process.env.HZ_CLUSTER_NAME;
  if (!address || !clusterName) {
    throw new Error(
      'HZ_ADDRESS / HZ_CLUSTER_NAME are not set: run integration tests through jest ' +
        '(`npx jest --selectProjects integration`), whose globalSetup starts the Hazelcast member.',
    );
  }
  const prefix = `t${randomBytes(4).toString('hex')}.`;
  const client = await connectHazelcast({
    clusterName,
    addresses: [address],
    connectTimeoutMs: 15_000,
    instanceName: `test-${prefix.slice(0, -1)}`,
  });
  return { client, prefix };
}

export async function closeTestHazelcast(client: HazelcastClient | undefined): Promise<void> {
  await client?.shutdown();
}
