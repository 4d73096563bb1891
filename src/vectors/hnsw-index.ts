import { NodeHeap } from './binary-heap';
import type { ScoredId, VectorIndex } from './vector-index';

export interface HnswOptions {
  readonly dimensions: number;
  /** Links per node on the upper layers; layer 0 keeps twice as many. Default 16. */
  readonly m?: number;
  /** Candidate list size while inserting: higher builds a better graph, more slowly. Default 100. */
  readonly efConstruction?: number;
  /**
   * Candidate list size while searching; a search uses max(efSearch, limit + 1). Default 100: on 100k
   * clustered 384-dim vectors it gives recall@5 ≈ 0.99 for well under a millisecond, where 64 gives ≈ 0.97.
   */
  readonly efSearch?: number;
  /** Seeds the level draws, so the same inserts build the same graph. Default 42. */
  readonly seed?: number;
  /** Nodes to allocate room for up front (grows by doubling). */
  readonly initialCapacity?: number;
}

const MAX_LEVEL = 31;
// Rough V8 costs of one id: a Map entry, the string header and the slot in the node → id array.
const MAP_ENTRY_BYTES = 48;
const STRING_HEADER_BYTES = 16;
const ARRAY_SLOT_BYTES = 8;

/** Dot product of two rows; a plain indexed loop with four accumulators, since this is the hot spot. */
function dot(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const end4 = length - (length & 3);
  let index = 0;
  for (; index < end4; index += 4) {
    s0 += a[aOffset + index]! * b[bOffset + index]!;
    s1 += a[aOffset + index + 1]! * b[bOffset + index + 1]!;
    s2 += a[aOffset + index + 2]! * b[bOffset + index + 2]!;
    s3 += a[aOffset + index + 3]! * b[bOffset + index + 3]!;
  }
  for (; index < length; index++) s0 += a[aOffset + index]! * b[bOffset + index]!;
  return s0 + s1 + s2 + s3;
}

/**
 * Approximate cosine search over unit vectors with a Hierarchical Navigable Small World graph (Malkov &
 * Yashunin, 2016): greedy descent through sparse upper layers, then a best-first beam search of width ef
 * on layer 0. Neighbours are chosen with the paper's heuristic (Algorithm 4), which keeps links that
 * point in diverse directions and so bridges clusters.
 *
 * Storage is flat: one Float32Array of rows, and per layer a row of [count, link...] in an Int32Array.
 * Replacing a vector tombstones the old node (still walked, never returned) and inserts a new one, so
 * memory grows with replacements until the index is rebuilt.
 */
export class HnswVectorIndex implements VectorIndex {
  readonly dimensions: number;
  readonly m: number;
  readonly efConstruction: number;
  readonly efSearch: number;

  private readonly m0: number;
  private readonly levelMultiplier: number;
  private randomState: number;

  private capacity: number;
  private nodeCount = 0;
  private liveCount = 0;
  private idChars = 0;
  private entryPoint = -1;
  private topLevel = -1;

  private vectors: Float32Array;
  private dead: Uint8Array;
  /** Layer 0: row of m0 + 1 per node, [count, links...]. */
  private links0: Int32Array;
  /** Where a node's upper-layer rows start in `upper` (rows of m + 1, one per layer 1..level). */
  private upperStart: Int32Array;
  private upper: Int32Array;
  private upperUsed = 0;
  private visited: Uint32Array;
  private epoch = 0;

  private readonly ids: string[] = [];
  private readonly nodeOf = new Map<string, number>();

  private readonly candidates = new NodeHeap(256);
  private readonly results = new NodeHeap(256);
  private readonly query: Float32Array;
  // Scratch for neighbour selection, sized for the largest list ever sorted.
  private sortedNodes: Int32Array;
  private sortedSims: Float64Array;
  private readonly chosen: Int32Array;
  private readonly pruneNodes: Int32Array;
  private readonly pruneSims: Float64Array;
  private readonly pruned: Int32Array;

  constructor(options: HnswOptions) {
    const {
      dimensions,
      m = 16,
      efConstruction = 100,
      efSearch = 100,
      seed = 42,
      initialCapacity = 1024,
    } = options;
    if (!Number.isInteger(dimensions) || dimensions < 1) throw new Error(`bad dimensions ${dimensions}`);
    if (!Number.isInteger(m) || m < 2 || m > 1000) throw new Error(`bad m ${m}`);
    this.dimensions = dimensions;
    this.m = m;
    this.m0 = 2 * m;
    this.efConstruction = Math.max(efConstruction, m);
    this.efSearch = Math.max(1, efSearch);
    this.levelMultiplier = 1 / Math.log(m);
    this.randomState = seed >>> 0;

    this.capacity = Math.max(1, initialCapacity);
    this.vectors = new Float32Array(this.capacity * dimensions);
    this.dead = new Uint8Array(this.capacity);
    this.links0 = new Int32Array(this.capacity * (this.m0 + 1));
    this.upperStart = new Int32Array(this.capacity);
    this.upper = new Int32Array(Math.max(m + 1, Math.ceil(this.capacity / (m - 1)) * (m + 1)));
    this.visited = new Uint32Array(this.capacity);

    this.query = new Float32Array(dimensions);
    this.sortedNodes = new Int32Array(this.efConstruction);
    this.sortedSims = new Float64Array(this.efConstruction);
    this.chosen = new Int32Array(this.m0);
    this.pruneNodes = new Int32Array(this.m0 + 1);
    this.pruneSims = new Float64Array(this.m0 + 1);
    this.pruned = new Int32Array(this.m0);
  }

  get size(): number {
    return this.liveCount;
  }

  has(id: string): boolean {
    return this.nodeOf.has(id);
  }

  vectorOf(id: string): Float32Array | undefined {
    const node = this.nodeOf.get(id);
    const { dimensions } = this;
    return node === undefined ? undefined : this.vectors.slice(node * dimensions, (node + 1) * dimensions);
  }

  upsert(id: string, vector: ArrayLike<number>): void {
    this.checkSize(vector);
    const { dimensions } = this;
    const existing = this.nodeOf.get(id);
    if (existing !== undefined) {
      if (this.sameVector(existing, vector)) return;
      // Relinking a moved node in place is costly and error-prone; a tombstone keeps the graph valid.
      this.dead[existing] = 1;
      this.liveCount--;
    } else {
      this.idChars += id.length;
    }
    if (this.nodeCount === this.capacity) this.grow();
    const node = this.nodeCount++;
    this.vectors.set(vector, node * dimensions);
    this.ids[node] = id;
    this.nodeOf.set(id, node);
    this.liveCount++;
    this.insert(node);
  }

  search(query: ArrayLike<number>, limit: number, exclude?: string): ScoredId[] {
    if (limit < 1 || this.entryPoint < 0) return [];
    this.checkSize(query);
    this.query.set(query);
    const excluded = exclude === undefined ? -1 : (this.nodeOf.get(exclude) ?? -1);
    let current = this.entryPoint;
    for (let level = this.topLevel; level > 0; level--) current = this.greedy(this.query, 0, current, level);
    const ef = Math.max(this.efSearch, limit + 1);
    this.searchLayer(this.query, 0, current, ef, 0, true, excluded);

    const { results } = this;
    while (results.size > limit) results.pop();
    const found = new Array<ScoredId>(results.size);
    for (let at = results.size - 1; at >= 0; at--) {
      const score = results.topKey;
      found[at] = { id: this.ids[results.pop()]!, score };
    }
    return found;
  }

  /** Bytes held by the typed arrays plus a rough estimate of the id map and strings. */
  memoryBytes(): number {
    const arrays =
      this.vectors.byteLength +
      this.dead.byteLength +
      this.links0.byteLength +
      this.upperStart.byteLength +
      this.upper.byteLength +
      this.visited.byteLength +
      this.candidates.byteLength +
      this.results.byteLength +
      this.sortedNodes.byteLength +
      this.sortedSims.byteLength;
    const idOverhead =
      this.nodeOf.size * MAP_ENTRY_BYTES +
      this.ids.length * ARRAY_SLOT_BYTES +
      this.nodeOf.size * STRING_HEADER_BYTES +
      this.idChars;
    return arrays + idOverhead;
  }

  private checkSize(vector: ArrayLike<number>): void {
    if (vector.length !== this.dimensions)
      throw new Error(`expected a vector of ${this.dimensions} dimensions, got ${vector.length}`);
  }

  private sameVector(node: number, vector: ArrayLike<number>): boolean {
    const offset = node * this.dimensions;
    for (let index = 0; index < this.dimensions; index++)
      if (this.vectors[offset + index] !== Math.fround(vector[index]!)) return false;
    return true;
  }

  /** Mulberry32: tiny, seedable, good enough for level draws. */
  private random(): number {
    let t = (this.randomState = (this.randomState + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  private insert(node: number): void {
    // Exponentially decaying level distribution, mL = 1/ln(M), as in the paper.
    const level = Math.min(MAX_LEVEL, Math.floor(-Math.log(1 - this.random()) * this.levelMultiplier));
    this.links0[node * (this.m0 + 1)] = 0;
    if (level > 0) {
      const needed = level * (this.m + 1);
      if (this.upperUsed + needed > this.upper.length) {
        const grown = new Int32Array(Math.max(this.upper.length * 2, this.upperUsed + needed));
        grown.set(this.upper);
        this.upper = grown;
      }
      this.upperStart[node] = this.upperUsed;
      this.upper.fill(0, this.upperUsed, this.upperUsed + needed);
      this.upperUsed += needed;
    }
    if (this.entryPoint < 0) {
      this.entryPoint = node;
      this.topLevel = level;
      return;
    }

    const { vectors, dimensions } = this;
    const offset = node * dimensions;
    let current = this.entryPoint;
    for (let layer = this.topLevel; layer > level; layer--)
      current = this.greedy(vectors, offset, current, layer);
    for (let layer = Math.min(level, this.topLevel); layer >= 0; layer--) {
      this.searchLayer(vectors, offset, current, this.efConstruction, layer, false, -1);
      const count = this.drainSorted();
      current = this.sortedNodes[0]!;
      const chosenCount = this.selectNeighbours(
        this.sortedNodes,
        this.sortedSims,
        count,
        this.m,
        this.chosen,
      );
      const [links, base] = this.row(node, layer);
      links[base] = chosenCount;
      for (let index = 0; index < chosenCount; index++) links[base + 1 + index] = this.chosen[index]!;
      for (let index = 0; index < chosenCount; index++) this.link(this.chosen[index]!, node, layer);
    }
    if (level > this.topLevel) {
      this.entryPoint = node;
      this.topLevel = level;
    }
  }

  /** Adds `to` to the links of `from` on `layer`, re-running the heuristic when the row is full. */
  private link(from: number, to: number, layer: number): void {
    const [links, base] = this.row(from, layer);
    const max = layer === 0 ? this.m0 : this.m;
    const count = links[base]!;
    if (count < max) {
      links[base + 1 + count] = to;
      links[base] = count + 1;
      return;
    }
    const { vectors, dimensions, pruneNodes, pruneSims } = this;
    const offset = from * dimensions;
    // Insertion sort, best first: at most 2M + 1 entries.
    for (let index = 0; index <= count; index++) {
      const candidate = index < count ? links[base + 1 + index]! : to;
      const sim = dot(vectors, offset, vectors, candidate * dimensions, dimensions);
      let at = index;
      while (at > 0 && pruneSims[at - 1]! < sim) {
        pruneSims[at] = pruneSims[at - 1]!;
        pruneNodes[at] = pruneNodes[at - 1]!;
        at--;
      }
      pruneSims[at] = sim;
      pruneNodes[at] = candidate;
    }
    const kept = this.selectNeighbours(pruneNodes, pruneSims, count + 1, max, this.pruned);
    links[base] = kept;
    for (let index = 0; index < kept; index++) links[base + 1 + index] = this.pruned[index]!;
  }

  /**
   * Algorithm 4: walk candidates best first and keep one only if it is closer to the base than to every
   * neighbour kept so far, so the links spread out instead of all pointing into one dense cluster.
   */
  private selectNeighbours(
    nodes: Int32Array,
    sims: Float64Array,
    count: number,
    max: number,
    out: Int32Array,
  ): number {
    const { vectors, dimensions } = this;
    let kept = 0;
    for (let index = 0; index < count && kept < max; index++) {
      const candidate = nodes[index]!;
      const sim = sims[index]!;
      const offset = candidate * dimensions;
      let diverse = true;
      for (let other = 0; other < kept; other++) {
        if (dot(vectors, offset, vectors, out[other]! * dimensions, dimensions) > sim) {
          diverse = false;
          break;
        }
      }
      if (diverse) out[kept++] = candidate;
    }
    return kept;
  }

  /** Empties `results` into sortedNodes/sortedSims, best first; returns the count. */
  private drainSorted(): number {
    const { results } = this;
    const count = results.size;
    if (count > this.sortedNodes.length) {
      this.sortedNodes = new Int32Array(count);
      this.sortedSims = new Float64Array(count);
    }
    for (let at = count - 1; at >= 0; at--) {
      this.sortedSims[at] = results.topKey;
      this.sortedNodes[at] = results.pop();
    }
    return count;
  }

  /** The links array and the index of the [count, links...] row of `node` on `layer`. */
  private row(node: number, layer: number): [Int32Array, number] {
    return layer === 0
      ? [this.links0, node * (this.m0 + 1)]
      : [this.upper, this.upperStart[node]! + (layer - 1) * (this.m + 1)];
  }

  /** Greedy walk on an upper layer: move to the best neighbour until none is better (ef = 1). */
  private greedy(query: Float32Array, queryOffset: number, start: number, layer: number): number {
    const { vectors, dimensions, upper, upperStart } = this;
    const stride = this.m + 1;
    let current = start;
    let best = dot(query, queryOffset, vectors, current * dimensions, dimensions);
    for (let moved = true; moved;) {
      moved = false;
      const base = upperStart[current]! + (layer - 1) * stride;
      const count = upper[base]!;
      for (let index = 1; index <= count; index++) {
        const neighbour = upper[base + index]!;
        const sim = dot(query, queryOffset, vectors, neighbour * dimensions, dimensions);
        if (sim > best) {
          best = sim;
          current = neighbour;
          moved = true;
        }
      }
    }
    return current;
  }

  /**
   * Algorithm 2: best-first search of width ef from `entry`, leaving the ef best in `results` (a min-heap,
   * worst on top). With `filtered`, tombstoned and excluded nodes are walked but not collected.
   */
  private searchLayer(
    query: Float32Array,
    queryOffset: number,
    entry: number,
    ef: number,
    layer: number,
    filtered: boolean,
    excluded: number,
  ): void {
    const { vectors, dimensions, visited, dead, candidates, results } = this;
    const links = layer === 0 ? this.links0 : this.upper;
    const stride = layer === 0 ? this.m0 + 1 : this.m + 1;
    const upperOffset = (layer - 1) * stride;
    if (++this.epoch === 0xffffffff) {
      visited.fill(0);
      this.epoch = 1;
    }
    const epoch = this.epoch;
    candidates.clear();
    results.clear();

    const entrySim = dot(query, queryOffset, vectors, entry * dimensions, dimensions);
    visited[entry] = epoch;
    candidates.push(-entrySim, entry);
    if (!filtered || (dead[entry] === 0 && entry !== excluded)) results.push(entrySim, entry);

    while (candidates.size > 0) {
      const sim = -candidates.topKey;
      if (results.size >= ef && sim < results.topKey) break;
      const current = candidates.pop();
      const base = layer === 0 ? current * stride : this.upperStart[current]! + upperOffset;
      const count = links[base]!;
      for (let index = 1; index <= count; index++) {
        const neighbour = links[base + index]!;
        if (visited[neighbour] === epoch) continue;
        visited[neighbour] = epoch;
        const neighbourSim = dot(query, queryOffset, vectors, neighbour * dimensions, dimensions);
        if (results.size < ef || neighbourSim > results.topKey) {
          candidates.push(-neighbourSim, neighbour);
          if (!filtered || (dead[neighbour] === 0 && neighbour !== excluded)) {
            results.push(neighbourSim, neighbour);
            if (results.size > ef) results.pop();
          }
        }
      }
    }
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const vectors = new Float32Array(capacity * this.dimensions);
    vectors.set(this.vectors);
    this.vectors = vectors;
    const dead = new Uint8Array(capacity);
    dead.set(this.dead);
    this.dead = dead;
    const links0 = new Int32Array(capacity * (this.m0 + 1));
    links0.set(this.links0);
    this.links0 = links0;
    const upperStart = new Int32Array(capacity);
    upperStart.set(this.upperStart);
    this.upperStart = upperStart;
    const visited = new Uint32Array(capacity);
    visited.set(this.visited);
    this.visited = visited;
    this.capacity = capacity;
  }
}
