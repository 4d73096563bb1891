import type { VectorIndex } from '../../../src/vectors/vector-index';

export const unit = (...values: number[]): Float32Array => {
  const norm = Math.hypot(...values);
  return Float32Array.from(values, (value) => value / norm);
};

const ids = (matches: ReadonlyArray<{ id: string }>): string[] => matches.map((match) => match.id);

/**
 * What every VectorIndex must do, exact or approximate: on a handful of vectors an approximate index has to
 * give the exact answer. `create(dimensions, initialCapacity)`.
 */
export function describeVectorIndexContract(
  name: string,
  create: (dimensions: number, initialCapacity?: number) => VectorIndex,
): void {
  describe(`${name}: the VectorIndex contract`, () => {
    test('returns the top k by cosine, best first, honouring the limit and the exclusion', () => {
      const index = create(3, 1); // capacity 1: forces growth
      index.upsert('x', unit(1, 0, 0));
      index.upsert('xy', unit(1, 1, 0));
      index.upsert('y', unit(0, 1, 0));
      index.upsert('minus-x', unit(-1, 0, 0));
      index.upsert('xz', unit(1, 0, 0.2));
      expect(index.size).toBe(5);
      expect(index.has('xy')).toBe(true);
      expect(index.has('z')).toBe(false);

      const all = index.search(unit(1, 0, 0), 10);
      expect(ids(all)).toEqual(['x', 'xz', 'xy', 'y', 'minus-x']);
      expect(all[0]!.score).toBeCloseTo(1, 5);
      expect(all[4]!.score).toBeCloseTo(-1, 5);

      expect(ids(index.search(unit(1, 0, 0), 2))).toEqual(['x', 'xz']);
      expect(ids(index.search(unit(1, 0, 0), 2, 'x'))).toEqual(['xz', 'xy']);
      expect(index.search(unit(1, 0, 0), 0)).toEqual([]);
      expect(index.search(unit(1, 0, 0), -1)).toEqual([]);
    });

    test('upsert replaces a vector; vectorOf returns a copy; a wrong size is refused', () => {
      const index = create(2);
      index.upsert('a', unit(1, 0));
      index.upsert('a', unit(0, 1));
      expect(index.size).toBe(1);
      const copy = index.vectorOf('a')!;
      expect(Array.from(copy)).toEqual([0, 1]);
      copy[0] = 5;
      expect(Array.from(index.vectorOf('a')!)).toEqual([0, 1]);
      expect(ids(index.search(unit(0, 1), 1))).toEqual(['a']);
      expect(index.vectorOf('missing')).toBeUndefined();
      expect(() => index.upsert('b', [1, 2, 3])).toThrow('expected a vector of 2 dimensions, got 3');
      expect(index.has('b')).toBe(false);
    });

    test('an empty index finds nothing', () => {
      const index = create(4);
      expect(index.size).toBe(0);
      expect(index.search(unit(1, 0, 0, 0), 5)).toEqual([]);
    });
  });
}
