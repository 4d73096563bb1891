import type { Client } from 'hazelcast-client';
import { HazelcastKeyValueStore } from '../../src/storage/hazelcast-key-value';
import { HazelcastStreamLogStore } from '../../src/storage/hazelcast-stream-log';
import { describeCatchUpContract } from '../core/catch-up-contract';
import { describeCoreContract } from '../core/core-contract';
import { closeTestHazelcast, testHazelcast } from '../support/hazelcast';

let client: Client;
let kv: HazelcastKeyValueStore;
let logs: HazelcastStreamLogStore;
let counter = 0;

beforeAll(async () => {
  ({ client } = await testHazelcast());
  kv = new HazelcastKeyValueStore(client);
  logs = new HazelcastStreamLogStore(client);
});
afterAll(() => closeTestHazelcast(client));

describeCoreContract('a real Hazelcast member', () => ({
  kv,
  logs,
  prefix: () => `core${process.pid}x${++counter}.`,
}));

// config/hazelcast.yaml gives ringbuffers named `test-small-ring-*` a capacity of 16 (test only).
const SMALL_RING = 16;

test('the test-only ringbuffer pattern is in force', async () => {
  expect(await logs.log(`test-small-ring-${process.pid}.Probe.p0.stream`).capacity()).toBe(SMALL_RING);
});

describeCatchUpContract('a real Hazelcast member', () => ({
  kv,
  logs,
  prefix: () => `test-small-ring-${process.pid}x${++counter}.`,
  capacity: SMALL_RING,
  // What a member loss does to a ringbuffer: whoever holds its proxy finds it again empty, at sequence 0.
  loseRing: async (name) => (await client.getRingbuffer(name)).destroy(),
}));
