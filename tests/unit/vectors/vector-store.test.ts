import { silentLogger } from '../../../src/logging/logger';
import { InMemoryKeyValueStore } from '../../../src/storage/in-memory-key-value';
import { HashingEmbedder } from '../../../src/vectors/embedder';
import {
  HazelcastVectorStore,
  NoopVectorStore,
  SwitchableVectorStore,
  type StoredEmbedding,
} from '../../../src/vectors/vector-store';

describe('vector stores', () => {
  const embedder = new HashingEmbedder(384);

  test('two stores over one map see each other after a load; the id is not its own match', async () => {
    const kv = new InMemoryKeyValueStore();
    const one = new HazelcastVectorStore(kv.map<StoredEmbedding>('e.view'), embedder, silentLogger());
    const two = new HazelcastVectorStore(kv.map<StoredEmbedding>('e.view'), embedder, silentLogger());
    expect(one.implementation).toBe('hazelcast-imap-exact-cosine+hashing-384');
    await one.store('shoe', embedder.embedText('trail running shoe'));
    await one.store('shoe2', embedder.embedText('road running shoe'));
    await one.store('kettle', embedder.embedText('electric kettle'));
    // Unknown to two's index yet: read through from the map.
    expect((await two.similarTo('shoe', 5)).map((match) => match.id)).toEqual(['shoe2', 'kettle']);
    await two.load();
    expect(two.indexed).toBe(3);
    expect((await two.similarToVector(embedder.embedText('running shoe'), 1))[0]!.id).toMatch(/^shoe/);
    expect(await two.similarTo('missing', 5)).toEqual([]);
  });

  test('the switch serves the no-op store while off, and backfills when turned on', async () => {
    const kv = new InMemoryKeyValueStore();
    const hazelcast = new HazelcastVectorStore(
      kv.map<StoredEmbedding>('e.view'),
      embedder,
      silentLogger(),
      10,
    );
    const backfill = jest.fn(async () => {
      await hazelcast.store('old', embedder.embedText('old product'));
    });
    const vectors = new SwitchableVectorStore(new NoopVectorStore(), hazelcast, backfill, silentLogger());
    expect(vectors.current.available).toBe(false);
    await vectors.store('ignored', embedder.embedText('x'));
    expect(await kv.map('e.view').size()).toBe(0);

    await vectors.setEnabled(true);
    expect(vectors.current.available).toBe(true);
    expect(backfill).toHaveBeenCalledTimes(1);
    await vectors.store('new', embedder.embedText('new product'));
    expect((await vectors.current.similarTo('new', 5)).map((match) => match.id)).toEqual(['old']);

    await vectors.setEnabled(false);
    expect(vectors.current.available).toBe(false);
    expect(await vectors.current.similarTo('new', 5)).toEqual([]);
    expect(await kv.map('e.view').size()).toBe(2); // kept
    await vectors.close();
  });
});
