export interface ScoredId {
  readonly id: string;
  /** Cosine similarity, -1..1 (the vectors are unit length, so a dot product). */
  readonly score: number;
}

/** An in-memory nearest-neighbour index over unit vectors, keyed by id. */
export interface VectorIndex {
  readonly dimensions: number;
  /** Distinct ids indexed. */
  readonly size: number;
  has(id: string): boolean;
  /** A copy of the vector indexed for `id`. */
  vectorOf(id: string): Float32Array | undefined;
  /** Adds `id`, or replaces its vector. Throws on a vector of the wrong size. */
  upsert(id: string, vector: ArrayLike<number>): void;
  /** The `limit` best matches by cosine, best first, leaving out `exclude`. */
  search(query: ArrayLike<number>, limit: number, exclude?: string): ScoredId[];
}

/**
 * Exact cosine search over unit vectors kept in one growing Float32Array matrix (row i is id i). Brute
 * force is O(n·d) per query: at d=384 it stays a few milliseconds up to about 10k vectors (measured in
 * tests/unit/vectors/vector-index.test.ts); past that an ANN index is the next step.
 */
export class ExactVectorIndex implements VectorIndex {
  private matrix: Float32Array;
  private readonly rows = new Map<string, number>();
  private readonly ids: string[] = [];

  constructor(
    readonly dimensions: number,
    initialCapacity = 256,
  ) {
    this.matrix = new Float32Array(dimensions * initialCapacity);
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.rows.has(id);
  }

  vectorOf(id: string): Float32Array | undefined {
    const row = this.rows.get(id);
    return row === undefined
      ? undefined
      : this.matrix.slice(row * this.dimensions, (row + 1) * this.dimensions);
  }

  upsert(id: string, vector: ArrayLike<number>): void {
    if (vector.length !== this.dimensions)
      throw new Error(`expected a vector of ${this.dimensions} dimensions, got ${vector.length}`);
    let row = this.rows.get(id);
    if (row === undefined) {
      row = this.ids.length;
      if ((row + 1) * this.dimensions > this.matrix.length) {
        const grown = new Float32Array(this.matrix.length * 2);
        grown.set(this.matrix);
        this.matrix = grown;
      }
      this.rows.set(id, row);
      this.ids.push(id);
    }
    this.matrix.set(vector, row * this.dimensions);
  }

  /** The `limit` best matches, best first, leaving out `exclude`. */
  search(query: ArrayLike<number>, limit: number, exclude?: string): ScoredId[] {
    const { dimensions } = this;
    const best: ScoredId[] = [];
    if (limit < 1) return best;
    for (let row = 0; row < this.ids.length; row++) {
      const id = this.ids[row]!;
      if (id === exclude) continue;
      let score = 0;
      const offset = row * dimensions;
      for (let index = 0; index < dimensions; index++) score += this.matrix[offset + index]! * query[index]!;
      if (best.length === limit && score <= best[best.length - 1]!.score) continue;
      // Insertion into a short sorted list: limit is at most 50.
      let at = best.length;
      while (at > 0 && best[at - 1]!.score < score) at--;
      best.splice(at, 0, { id, score });
      if (best.length > limit) best.pop();
    }
    return best;
  }
}
