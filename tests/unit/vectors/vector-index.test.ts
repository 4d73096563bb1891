import { HashingEmbedder } from '../../../src/vectors/embedder';
import { ExactVectorIndex } from '../../../src/vectors/vector-index';

const unit = (...values: number[]): Float32Array => {
  const norm = Math.hypot(...values);
  return Float32Array.from(values, (value) => value / norm);
};

describe('ExactVectorIndex', () => {
  test('returns the top k by cosine, best first, honouring the limit and the exclusion', () => {
    const index = new ExactVectorIndex(3, 1); // capacity 1: forces growth
    index.upsert('x', unit(1, 0, 0));
    index.upsert('xy', unit(1, 1, 0));
    index.upsert('y', unit(0, 1, 0));
    index.upsert('minus-x', unit(-1, 0, 0));
    index.upsert('xz', unit(1, 0, 0.2));
    expect(index.size).toBe(5);

    const all = index.search(unit(1, 0, 0), 10);
    expect(all.map((match) => match.id)).toEqual(['x', 'xz', 'xy', 'y', 'minus-x']);
    expect(all[0]!.score).toBeCloseTo(1, 5);
    expect(all[4]!.score).toBeCloseTo(-1, 5);

    expect(index.search(unit(1, 0, 0), 2).map((match) => match.id)).toEqual(['x', 'xz']);
    expect(index.search(unit(1, 0, 0), 2, 'x').map((match) => match.id)).toEqual(['xz', 'xy']);
    expect(index.search(unit(1, 0, 0), 0)).toEqual([]);
  });

  test('upsert replaces a vector in place; a wrong size is refused', () => {
    const index = new ExactVectorIndex(2);
    index.upsert('a', unit(1, 0));
    index.upsert('a', unit(0, 1));
    expect(index.size).toBe(1);
    expect(Array.from(index.vectorOf('a')!)).toEqual([0, 1]);
    expect(index.vectorOf('missing')).toBeUndefined();
    expect(() => index.upsert('b', [1, 2, 3])).toThrow('expected a vector of 2 dimensions');
  });

  test('10k products at 384 dims: a top-5 query stays well under 50 ms', () => {
    const embedder = new HashingEmbedder(384);
    const index = new ExactVectorIndex(384);
    for (let n = 0; n < 10_000; n++)
      index.upsert(`p${n}`, embedder.embedText(`product ${n} category ${n % 97}`));
    const query = embedder.embedText('product 42 category 42');
    index.search(query, 5); // warm-up
    const started = performance.now();
    const result = index.search(query, 5);
    const elapsed = performance.now() - started;
    expect(result[0]!.id).toBe('p42');
    expect(result).toHaveLength(5);
    expect(elapsed).toBeLessThan(50);
  });
});
