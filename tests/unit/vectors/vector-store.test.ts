import { silentLogger } from '../../../src/logging/logger';
import { InMemoryKeyValueStore } from '../../../src/storage/in-memory-key-value';
import { HashingEmbedder } from '../../../src/vectors/embedder';
import { HazelcastVectorStore } from '../../../src/vectors/hazelcast-vector-store';
import { NoopVectorStore } from '../../../src/vectors/noop-vector-store';
import { SwitchableVectorStore } from '../../../src/vectors/switchable-vector-store';
import { ExactVectorIndex } from '../../../src/vectors/vector-index';
import type { StoredEmbedding } from '../../../src/vectors/vector-store';

/** Waits for a condition by giving the event loop turns (no fixed sleeps). */
async function until(condition: () => boolean, turns = 10_000): Promise<void> {
  for (let turn = 0; !condition(); turn++) {
    if (turn > turns) throw new Error('condition not met');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('vector stores', () => {
  const embedder = new HashingEmbedder(384);
  const ids = (matches: ReadonlyArray<{ id: string }>) => matches.map((match) => match.id);
  const storeOver = (kv: InMemoryKeyValueStore, name = embedder.name) =>
    new HazelcastVectorStore({
      map: kv.map<StoredEmbedding>('e.view'),
      embedder: { name, dimensions: embedder.dimensions },
      createIndex: () => new ExactVectorIndex(embedder.dimensions),
      indexName: 'exact-cosine',
      logger: silentLogger(),
    });

  test("a started store follows another replica's writes through map events", async () => {
    const kv = new InMemoryKeyValueStore();
    const one = storeOver(kv);
    const two = storeOver(kv);
    expect(one.implementation).toBe('hazelcast-imap-exact-cosine+hashing-384');
    await one.store('shoe', embedder.embedText('trail running shoe'));
    await two.start();
    expect(two.indexed).toBe(1); // loaded what was there
    await one.store('shoe2', embedder.embedText('road running shoe'));
    await one.store('kettle', embedder.embedText('electric kettle'));
    await until(() => two.indexed === 3);
    expect(ids(await two.similarToVector(embedder.embedText('running shoe'), 2))).toEqual(['shoe', 'shoe2']);
    expect(ids(await two.similarTo('shoe', 5))).toEqual(['shoe2', 'kettle']); // never itself
    expect(await two.similarTo('missing', 5)).toEqual([]);
    await two.stop();
  });

  test('an id not indexed yet is read through from the map', async () => {
    const kv = new InMemoryKeyValueStore();
    const one = storeOver(kv);
    const two = storeOver(kv); // never started: no events, no load
    await one.store('shoe', embedder.embedText('trail running shoe'));
    await one.store('shoe2', embedder.embedText('road running shoe'));
    expect(await two.similarTo('shoe', 5)).toEqual([]); // its only neighbour is not indexed either
    expect(two.has('shoe')).toBe(true);
  });

  test('stop drops the index but keeps the map; a restart loads what was written meanwhile', async () => {
    const kv = new InMemoryKeyValueStore();
    const writer = storeOver(kv);
    const reader = storeOver(kv);
    await reader.start();
    await writer.store('a', embedder.embedText('blue denim jacket'));
    await until(() => reader.indexed === 1);
    await reader.stop();
    expect(reader.indexed).toBe(0);
    await writer.store('b', embedder.embedText('black denim jacket'));
    expect(await kv.map('e.view').size()).toBe(2);
    await reader.start();
    expect(reader.indexed).toBe(2);
    expect(ids(await reader.similarTo('a', 1))).toEqual(['b']);
    await reader.stop();
  });

  test("another embedder's vectors are never mixed in", async () => {
    const kv = new InMemoryKeyValueStore();
    await storeOver(kv, 'other-model').store('foreign', embedder.embedText('x'));
    const store = storeOver(kv);
    await store.start();
    expect(store.indexed).toBe(0);
    expect(await store.similarTo('foreign', 5)).toEqual([]);
    await store.stop();
  });

  test('the switch serves the no-op store while off, and backfills when turned on', async () => {
    const kv = new InMemoryKeyValueStore();
    const hazelcast = storeOver(kv);
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
    expect(ids(await vectors.current.similarTo('new', 5))).toEqual(['old']);

    await vectors.setEnabled(false);
    expect(vectors.current.available).toBe(false);
    expect(await vectors.current.similarTo('new', 5)).toEqual([]);
    expect(await kv.map('e.view').size()).toBe(2); // kept
    await vectors.close();
  });
});
