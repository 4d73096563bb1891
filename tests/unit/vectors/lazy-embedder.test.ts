import { HashingEmbedder } from '../../../src/vectors/embedder';
import { LazyEmbedder } from '../../../src/vectors/lazy-embedder';

/** Counts loads and closes of a real (hashing) embedder standing in for a model. */
function countingLoader(failFirst = false) {
  const counts = { loads: 0, closes: 0 };
  const load = async () => {
    counts.loads++;
    if (failFirst && counts.loads === 1) throw new Error('model file is corrupt');
    const inner = new HashingEmbedder(8);
    return Object.assign(inner, {
      close: async () => void counts.closes++,
    });
  };
  return { counts, load };
}

describe('LazyEmbedder', () => {
  test('loads on first use only, once for concurrent calls, and embeds like the loaded embedder', async () => {
    const { counts, load } = countingLoader();
    const lazy = new LazyEmbedder('model', 8, load);
    expect(lazy.loaded).toBe(false);
    expect(counts.loads).toBe(0);
    const [a, b] = await Promise.all([lazy.embed(['red shoe']), lazy.embed(['blue shoe'])]);
    expect(counts.loads).toBe(1);
    expect(lazy.loaded).toBe(true);
    expect(Array.from(a![0]!)).toEqual(Array.from(new HashingEmbedder(8).embedText('red shoe')));
    expect(b).toHaveLength(1);
  });

  test('release frees the model and the next embed loads it again', async () => {
    const { counts, load } = countingLoader();
    const lazy = new LazyEmbedder('model', 8, load);
    await lazy.release(); // nothing loaded: nothing to close
    expect(counts.closes).toBe(0);
    await lazy.embed(['x']);
    await lazy.release();
    expect(counts).toEqual({ loads: 1, closes: 1 });
    expect(lazy.loaded).toBe(false);
    await lazy.embed(['x']);
    expect(counts.loads).toBe(2);
    await lazy.close();
    expect(counts.closes).toBe(2);
  });

  test('a failed load is reported to the caller and retried on the next call', async () => {
    const { counts, load } = countingLoader(true);
    const lazy = new LazyEmbedder('model', 8, load);
    await expect(lazy.embed(['x'])).rejects.toThrow('model file is corrupt');
    expect(lazy.loaded).toBe(false);
    await expect(lazy.embed(['x'])).resolves.toHaveLength(1);
    expect(counts.loads).toBe(2);
  });
});
