import { HnswVectorIndex } from '../../../src/vectors/hnsw-index';
import { ExactVectorIndex } from '../../../src/vectors/vector-index';
import { describeVectorIndexContract, unit } from './vector-index-contract';

/** Mulberry32, so every data set below is the same on every run. */
const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const normalise = (vector: Float32Array): Float32Array => {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  for (let index = 0; index < vector.length; index++) vector[index] = vector[index]! / norm;
  return vector;
};

/**
 * Unit vectors around `clusters` random unit centres, with Gaussian noise of total norm about 1 (so a
 * point's cosine to its centre is about 0.7): clustered like real embeddings, hard enough to miss.
 */
const clusteredPoints = (seed: number, dimensions: number, clusters: number) => {
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: clusters }, () =>
    normalise(Float32Array.from({ length: dimensions }, gaussian)),
  );
  const spread = 1 / Math.sqrt(dimensions);
  return (): Float32Array => {
    const centre = centres[Math.floor(random() * clusters)]!;
    return normalise(Float32Array.from(centre, (value) => value + spread * gaussian()));
  };
};

const ids = (matches: { id: string }[]): string[] => matches.map((match) => match.id);

describeVectorIndexContract(
  'HnswVectorIndex',
  (dimensions, initialCapacity) => new HnswVectorIndex({ dimensions, initialCapacity }),
);

describe('HnswVectorIndex', () => {
  test('a query of the wrong size is refused too', () => {
    const index = new HnswVectorIndex({ dimensions: 2 });
    index.upsert('a', unit(1, 0));
    expect(() => index.search([1, 2, 3], 1)).toThrow('expected a vector of 2 dimensions, got 3');
  });

  test('upsert with a new vector moves the id to its new neighbourhood; the size is unchanged', () => {
    const point = clusteredPoints(11, 32, 2);
    const index = new HnswVectorIndex({ dimensions: 32, seed: 3 });
    const exact = new ExactVectorIndex(32);
    for (let n = 0; n < 2000; n++) {
      const vector = point();
      index.upsert(`p${n}`, vector);
      exact.upsert(`p${n}`, vector);
    }
    // p0 first joins p1, then p1 moves away, then p0 moves to where nothing else is.
    const p1Before = index.vectorOf('p1')!;
    const opposite = (vector: Float32Array) => Float32Array.from(vector, (value) => -value);
    index.upsert('p0', p1Before);
    expect(ids(index.search(p1Before, 2)).sort()).toEqual(['p0', 'p1']);
    index.upsert('p1', opposite(p1Before));
    expect(ids(index.search(p1Before, 1))).toEqual(['p0']);
    expect(ids(index.search(opposite(p1Before), 1))).toEqual(['p1']);

    const p2Opposite = opposite(index.vectorOf('p2')!);
    index.upsert('p0', p2Opposite);
    index.upsert('p0', p2Opposite); // the same vector again changes nothing
    expect(index.size).toBe(2000);
    expect(Array.from(index.vectorOf('p0')!)).toEqual(Array.from(p2Opposite));
    expect(ids(index.search(p2Opposite, 1))).toEqual(['p0']);
    const nearOldPlace = ids(index.search(p1Before, 10));
    expect(nearOldPlace).not.toContain('p0');
    expect(nearOldPlace).not.toContain('p1');
    expect(nearOldPlace).toEqual(
      ids(exact.search(p1Before, 12))
        .filter((id) => id !== 'p0' && id !== 'p1')
        .slice(0, 10),
    );
  });

  test('after many replacements every id is found at most once and recall holds', () => {
    const point = clusteredPoints(5, 64, 10);
    const index = new HnswVectorIndex({ dimensions: 64, seed: 9 });
    const exact = new ExactVectorIndex(64);
    for (let round = 0; round < 3; round++) {
      for (let n = 0; n < 1000; n++) {
        const vector = point();
        index.upsert(`p${n}`, vector);
        exact.upsert(`p${n}`, vector);
      }
    }
    expect(index.size).toBe(1000);
    let hits = 0;
    for (let q = 0; q < 50; q++) {
      const query = point();
      const found = ids(index.search(query, 10));
      expect(new Set(found).size).toBe(found.length);
      const truth = new Set(ids(exact.search(query, 10)));
      hits += found.filter((id) => truth.has(id)).length;
    }
    expect(hits / 500).toBeGreaterThanOrEqual(0.95);
  });

  test('the same seed builds the same graph', () => {
    const build = () => {
      const point = clusteredPoints(21, 16, 4);
      const index = new HnswVectorIndex({ dimensions: 16, m: 4, efConstruction: 8, efSearch: 4, seed: 77 });
      for (let n = 0; n < 500; n++) index.upsert(`p${n}`, point());
      return index;
    };
    const first = build();
    const second = build();
    const query = clusteredPoints(22, 16, 4)();
    expect(second.search(query, 10)).toEqual(first.search(query, 10));
    expect(second.memoryBytes()).toBe(first.memoryBytes());
  });

  test('recall@10 against exact search is at least 0.95 on 20,000 clustered 384-dim vectors', () => {
    const dimensions = 384;
    const point = clusteredPoints(1, dimensions, 100);
    const index = new HnswVectorIndex({ dimensions, seed: 1 });
    const exact = new ExactVectorIndex(dimensions, 20_000);
    for (let n = 0; n < 20_000; n++) {
      const vector = point();
      index.upsert(`p${n}`, vector);
      exact.upsert(`p${n}`, vector);
    }
    let hits = 0;
    const queries = 200;
    for (let q = 0; q < queries; q++) {
      const query = point();
      const truth = new Set(ids(exact.search(query, 10)));
      const found = index.search(query, 10);
      expect(found).toHaveLength(10);
      for (let at = 1; at < found.length; at++)
        expect(found[at]!.score).toBeLessThanOrEqual(found[at - 1]!.score);
      hits += found.filter((match) => truth.has(match.id)).length;
    }
    expect(hits / (10 * queries)).toBeGreaterThanOrEqual(0.95);
    expect(index.memoryBytes()).toBeGreaterThan(20_000 * dimensions * 4);
  });
});
