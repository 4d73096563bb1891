import type { Client } from 'hazelcast-client';
import type { PostgresStorage } from '../../src/postgres/postgres-storage';
import { HazelcastKeyValueStore } from '../../src/storage/hazelcast-key-value';
import { HazelcastStreamLogStore } from '../../src/storage/hazelcast-stream-log';
import { TieredKeyValueStore } from '../../src/storage/tiered-key-value';
import { describeCoreContract } from '../core/core-contract';
import { closeTestHazelcast, testHazelcast } from '../support/hazelcast';
import { openTestPostgres } from '../support/postgres';

let client: Client;
let postgres: PostgresStorage;
let logs: HazelcastStreamLogStore;
let grid: HazelcastKeyValueStore;
let counter = 0;

beforeAll(async () => {
  ({ client } = await testHazelcast());
  postgres = await openTestPostgres();
  logs = new HazelcastStreamLogStore(client);
  grid = new HazelcastKeyValueStore(client);
});
afterAll(async () => {
  await postgres?.close();
  await closeTestHazelcast(client);
});

// Every map on PostgreSQL: the port's whole contract holds there too.
describeCoreContract('PostgreSQL', () => ({
  kv: postgres.kv,
  logs,
  prefix: () => `pg${process.pid}x${++counter}.`,
}));

// The persistent mode as the services run it: the system of record in PostgreSQL, the rest in the grid.
describeCoreContract('PostgreSQL with the grid (persistent mode)', () => ({
  kv: new TieredKeyValueStore(postgres.kv, grid),
  logs,
  prefix: () => `tier${process.pid}x${++counter}.`,
}));
