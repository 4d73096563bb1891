import type { Client } from 'hazelcast-client';
import { HazelcastKeyValueStore } from '../../src/storage/hazelcast-key-value';
import { HazelcastStreamLogStore } from '../../src/storage/hazelcast-stream-log';
import { partitionOf } from '../../src/core/naming';
import { describeCatchUpContract, until } from '../core/catch-up-contract';
import { CatchUpScene } from '../core/catch-up-scene';
import { stockDecider } from '../core/stock-fixture';
import { describeCoreContract } from '../core/core-contract';
import { describeExactlyOnceContract } from '../core/exactly-once-contract';
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

describeExactlyOnceContract('a real Hazelcast member', () => ({
  kv,
  logs,
  prefix: () => `once${process.pid}x${++counter}.`,
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

// config/hazelcast.yaml gives ringbuffers named `test-short-life-ring-*` items that live 1 s (test only);
// the shipped streams' items live 120 s.
test('a group down longer than stream items live catches up from the event store, every event once', async () => {
  const prefix = `test-short-life-ring-${process.pid}x${++counter}.`;
  const scene = new CatchUpScene({
    kv,
    logs,
    prefix,
    group: `${prefix}readers`,
    stream: 'Stock',
    partitions: 2,
  });
  const meta = { correlationId: 'c-1' };
  try {
    const stock = scene.writer.repository('Stock', stockDecider);
    await stock.handle('s1', { type: 'Open', level: 100 }, meta);
    await scene.writer.close(); // drains the outbox
    const group = await scene.startReaders();
    await until(() => scene.handled.length === 1);
    await scene.stop(group);

    for (let index = 0; index < 4; index++) {
      scene.clock.advance(3);
      await stock.handle('s1', { type: 'Take', by: `t${index}` }, meta);
    }
    await scene.writer.close();
    // Every item published while the group was down has expired: the ringbuffer no longer holds them.
    const ring = logs.log(scene.ringName(partitionOf('s1', 2)));
    await until(async () => (await ring.headSequence()) > (await ring.tailSequence()), 30_000);

    await scene.startReaders();
    await until(() => scene.handled.length >= 5);
    expect([...scene.handled].sort()).toEqual(['s1@1', 's1@2', 's1@3', 's1@4', 's1@5']);
    expect(await scene.caughtUp('overrun')).toBeGreaterThan(0);
  } finally {
    await scene.close();
  }
});
