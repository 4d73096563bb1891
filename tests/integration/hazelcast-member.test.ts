import { createRequire } from 'node:module';
import type { Client as HazelcastClient } from 'hazelcast-client';
import { HazelcastJsonValue, Predicates } from 'hazelcast-client';
import { Naming } from '../../src/core/naming';
import { connectHazelcast, isHazelcastUp } from '../../src/hazelcast/client';
import { silentLogger } from '../../src/logging/logger';
import { PortInUseError, startMember } from '../../src/hazelcast/member';
import { findFreePort } from '../../src/net/free-port';
import { closeTestHazelcast, testHazelcast } from '../support/hazelcast';

let client: HazelcastClient;
let naming: Naming;

beforeAll(async () => {
  const test = await testHazelcast();
  client = test.client;
  naming = new Naming(test.prefix);
});

afterAll(async () => {
  await closeTestHazelcast(client);
});

const json = (value: unknown): HazelcastJsonValue => new HazelcastJsonValue(JSON.stringify(value));

describe('the test member', () => {
  it('accepts a smart client and reports it up', async () => {
    expect(isHazelcastUp(client)).toBe(true);
    expect(client.getCluster().getMembers()).toHaveLength(1);
  });

  it('answers the HEALTH_CHECK REST endpoints on the member port', async () => {
    const base = `http://${process.env.HZ_ADDRESS}/hazelcast/health`;
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await (await fetch(`${base}/node-state`)).json()).toBe('ACTIVE');
    expect(await (await fetch(base)).json()).toMatchObject({ nodeState: 'ACTIVE', clusterSize: 1 });
  });

  it('refuses a second member on a port that is taken, without starting a JVM', async () => {
    const port = Number(process.env.HZ_ADDRESS?.split(':')[1]);
    await expect(startMember({ clusterName: 'taken', port, readyTimeoutMs: 5_000 })).rejects.toThrow(
      PortInUseError,
    );
  });
});

describe('config/hazelcast.yaml wildcards', () => {
  it('gives *.es maps BINARY storage, no eviction, the outbox flag and the commit-time index', async () => {
    const config = await readMapConfig(client, naming.eventStore('orders'));
    expect(config).toMatchObject({ inMemoryFormat: 'BINARY', backupCount: 1, timeToLiveSeconds: 0 });
    expect(config.evictionPolicy).toBe('NONE');
    // committedAt serves catch-ups; the sweeper asks only `published = false` (npm run bench:queries).
    expect(sortIndexes(config.indexes)).toEqual([
      { type: 'HASH', attributes: ['published'] },
      { type: 'SORTED', attributes: ['committedAt'] },
    ]);
  });

  it('queries HazelcastJsonValue events by published and committedAt', async () => {
    const events = await client.getMap<string, HazelcastJsonValue>(naming.eventStore('orders'));
    await events.putAll([
      ['o1:1', json({ published: true, committedAt: 1000, type: 'Placed' })],
      ['o1:2', json({ published: false, committedAt: 2000, type: 'Paid' })],
      ['o2:1', json({ published: false, committedAt: 3000, type: 'Placed' })],
    ]);
    const unpublished = await events.keySetWithPredicate(Predicates.equal('published', false));
    expect([...unpublished].sort()).toEqual(['o1:2', 'o2:1']);
    const recent = await events.keySetWithPredicate(Predicates.greaterEqual('committedAt', 2000));
    expect([...recent].sort()).toEqual(['o1:2', 'o2:1']);
    const both = await events.valuesWithPredicate(
      Predicates.and(Predicates.equal('published', false), Predicates.lessThan('committedAt', 2500)),
    );
    expect(both.toArray().map((value) => JSON.parse(value.toString()).type)).toEqual(['Paid']);
  });

  it('configures views, ledgers, idempotency, subscriptions and sagas', async () => {
    await expect(readMapConfig(client, naming.view('orders'))).resolves.toMatchObject({
      inMemoryFormat: 'BINARY',
      backupCount: 1,
      readBackupData: true,
    });
    await expect(readMapConfig(client, naming.deadLetters('billing'))).resolves.toMatchObject({
      readBackupData: true,
    });
    await expect(readMapConfig(client, naming.ledger('billing'))).resolves.toMatchObject({
      timeToLiveSeconds: 604800,
    });
    await expect(readMapConfig(client, naming.idempotency('order'))).resolves.toMatchObject({
      timeToLiveSeconds: 86400,
    });
    for (const name of [naming.checkpoints(), naming.leases(), naming.sagaPolicy()]) {
      await expect(readMapConfig(client, name)).resolves.toMatchObject({ backupCount: 1, indexes: [] });
    }
    const saga = await readMapConfig(client, naming.sagaState());
    expect(sortIndexes(saga.indexes)).toEqual([
      { type: 'HASH', attributes: ['status'] },
      { type: 'SORTED', attributes: ['completedAt'] },
      { type: 'SORTED', attributes: ['startedAt'] },
    ]);
    await expect(readMapConfig(client, `${naming.prefix}unmatched`)).resolves.toMatchObject({
      backupCount: 1,
      timeToLiveSeconds: 0,
      readBackupData: false,
      indexes: [],
    });
  });

  it('applies the ledger TTL to entries written without one', async () => {
    const ledger = await client.getMap<string, string>(naming.ledger('billing'));
    await ledger.set('event-1', 'done');
    const view = await ledger.getEntryView('event-1');
    expect(view.ttl.toNumber()).toBe(604800 * 1000);
  });

  it('gives *.stream ringbuffers a capacity of 10000', async () => {
    const stream = await client.getRingbuffer<string>(naming.streamPartition('orders', 3));
    expect((await stream.capacity()).toNumber()).toBe(10000);
    await stream.add('{"n":1}');
    expect((await stream.size()).toNumber()).toBe(1);
  });
});

describe('compare-and-set on HazelcastJsonValue', () => {
  it('putIfAbsent writes once and returns the existing value afterwards', async () => {
    const view = await client.getMap<string, HazelcastJsonValue>(naming.view('cas'));
    expect(await view.putIfAbsent('k', json({ version: 1 }))).toBeNull();
    const existing = await view.putIfAbsent('k', json({ version: 99 }));
    expect(existing?.toString()).toBe('{"version":1}');
  });

  it('replaceIfSame succeeds only against the current value, and only once per value', async () => {
    const view = await client.getMap<string, HazelcastJsonValue>(naming.view('cas'));
    await view.set('doc', json({ version: 1 }));
    expect(await view.replaceIfSame('doc', json({ version: 0 }), json({ version: 2 }))).toBe(false);
    const racers = await Promise.all(
      [2, 3, 4].map((version) => view.replaceIfSame('doc', json({ version: 1 }), json({ version }))),
    );
    expect(racers.filter(Boolean)).toHaveLength(1);
    expect(JSON.parse((await view.get('doc'))?.toString() ?? 'null').version).toBe(racers.indexOf(true) + 2);
  });
});

describe('connectHazelcast', () => {
  it('reports a client down once it is shut down', async () => {
    const other = await testHazelcast();
    expect(isHazelcastUp(other.client)).toBe(true);
    await closeTestHazelcast(other.client);
    expect(isHazelcastUp(other.client)).toBe(false);
  });

  it('fails with a clear error instead of hanging when nothing listens', async () => {
    const port = await findFreePort();
    const started = Date.now();
    await expect(
      connectHazelcast({
        clusterName: 'nobody',
        addresses: [`127.0.0.1:${port}`],
        connectTimeoutMs: 2_000,
        logger: silentLogger(),
      }),
    ).rejects.toThrow(`Could not connect to Hazelcast cluster 'nobody' at 127.0.0.1:${port} within 2000 ms`);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

/* ------------------------------------------------------------------------------------------------------
 * The client API cannot read a map's configuration, yet an unmatched wildcard silently falls back to the
 * default config. The Management Center message MC.GetMapConfig (protocol 0x200300) returns the effective
 * config, so it is sent through the client's internal codecs. Pinned client version: 5.7.0.
 */

interface Frame {
  content: Buffer;
}
interface ClientMessage {
  setRetryable(retryable: boolean): void;
  addFrame(frame: Frame): void;
  setMessageType(type: number): void;
  setPartitionId(partitionId: number): void;
  nextFrame(): Frame;
}
interface Internals {
  ClientMessage: { createForEncode(): ClientMessage };
  Frame: { createInitialFrame(size: number): Frame };
  StringCodec: {
    encode(message: ClientMessage, value: string): void;
    decode(message: ClientMessage): string;
  };
  FixSizedTypesCodec: {
    decodeInt(buffer: Buffer, offset: number): number;
    decodeBoolean(buffer: Buffer, offset: number): boolean;
  };
  ListMultiFrameCodec: {
    decode<T>(message: ClientMessage, decoder: (message: ClientMessage) => T): T[];
  };
  IndexConfigCodec: { decode(message: ClientMessage): { type: number; attributes: string[] } };
}
interface InvocationService {
  invokeOnRandomTarget<T>(request: ClientMessage, handler: (response: ClientMessage) => T): Promise<T>;
}

interface EffectiveMapConfig {
  inMemoryFormat: string;
  backupCount: number;
  timeToLiveSeconds: number;
  readBackupData: boolean;
  evictionPolicy: string;
  indexes: Array<{ type: string; attributes: string[] }>;
}

const MC_GET_MAP_CONFIG = 0x200300;
const IN_MEMORY_FORMATS = ['BINARY', 'OBJECT', 'NATIVE'];
const EVICTION_POLICIES = ['LRU', 'LFU', 'NONE', 'RANDOM'];
const INDEX_TYPES = ['SORTED', 'HASH', 'BITMAP'];

function internals(): Internals {
  const load = createRequire(require.resolve('hazelcast-client'));
  const pick = (module: string): Record<string, unknown> => load(module) as Record<string, unknown>;
  return {
    ...pick('./protocol/ClientMessage'),
    ...pick('./codec/builtin/StringCodec'),
    ...pick('./codec/builtin/FixSizedTypesCodec'),
    ...pick('./codec/builtin/ListMultiFrameCodec'),
    ...pick('./codec/custom/IndexConfigCodec'),
  } as unknown as Internals;
}

async function readMapConfig(hazelcast: HazelcastClient, name: string): Promise<EffectiveMapConfig> {
  const codecs = internals();
  const request = codecs.ClientMessage.createForEncode();
  request.setRetryable(true);
  request.addFrame(codecs.Frame.createInitialFrame(16));
  request.setMessageType(MC_GET_MAP_CONFIG);
  request.setPartitionId(-1);
  codecs.StringCodec.encode(request, name);
  const invocations = (hazelcast as unknown as { invocationService: InvocationService }).invocationService;
  return invocations.invokeOnRandomTarget(request, (response) => {
    // Fixed-size fields of the response's initial frame, offsets from MCGetMapConfigCodec.
    const fixed = response.nextFrame().content;
    const int = (offset: number): number => codecs.FixSizedTypesCodec.decodeInt(fixed, offset);
    const config = {
      inMemoryFormat: IN_MEMORY_FORMATS[int(13)] ?? `#${int(13)}`,
      backupCount: int(17),
      timeToLiveSeconds: int(25),
      readBackupData: codecs.FixSizedTypesCodec.decodeBoolean(fixed, 41),
      evictionPolicy: EVICTION_POLICIES[int(42)] ?? `#${int(42)}`,
    };
    codecs.StringCodec.decode(response); // merge policy
    const indexes = codecs.ListMultiFrameCodec.decode(response, codecs.IndexConfigCodec.decode).map(
      (index) => ({
        type: INDEX_TYPES[index.type] ?? `#${index.type}`,
        attributes: index.attributes,
      }),
    );
    return { ...config, indexes };
  });
}

function sortIndexes(indexes: EffectiveMapConfig['indexes']): EffectiveMapConfig['indexes'] {
  return [...indexes].sort(
    (a, b) => a.type.localeCompare(b.type) || (a.attributes[0] ?? '').localeCompare(b.attributes[0] ?? ''),
  );
}
