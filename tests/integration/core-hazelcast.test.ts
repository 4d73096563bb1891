import type { Client } from 'hazelcast-client';
import { HazelcastKeyValueStore } from '../../src/storage/hazelcast-key-value';
import { HazelcastStreamLogStore } from '../../src/storage/hazelcast-stream-log';
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
