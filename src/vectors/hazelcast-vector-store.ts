import { sleep } from '../core/sleep';
import type { Logger } from '../logging/logger';
import type { KeyValueMap, MapChange } from '../storage/key-value';
import type { Embedder } from './embedder';
import type { ScoredId, VectorIndex } from './vector-index';
import type { StoredEmbedding, VectorStoreService } from './vector-store';

export interface HazelcastVectorStoreOptions {
  /** The embeddings of one embedder: vectors of different embedders are not comparable. */
  readonly map: KeyValueMap<StoredEmbedding>;
  readonly embedder: Pick<Embedder, 'name' | 'dimensions'>;
  /** A fresh, empty index; called on every start, so a stopped store holds no memory. */
  readonly createIndex: () => VectorIndex;
  /** The index's algorithm for the `implementation` string, e.g. `hnsw`. */
  readonly indexName: string;
  readonly logger: Logger;
  /** How often the index is checked against the map for entries whose events were missed. */
  readonly reconcileMs?: number;
}

const LOAD_BATCH = 200;
/** Index inserts are CPU work; a long load gives the event loop a turn this often. */
const YIELD_AFTER_MS = 20;

/**
 * The community-cluster store: embeddings live in an IMap (every replica sees them, they survive
 * restarts), searches run over an approximate nearest-neighbour index in each replica. The index takes
 * this replica's writes at once and other replicas' writes from map entry events; since events can be
 * missed while disconnected, a periodic check loads any ids the index lacks.
 */
export class HazelcastVectorStore implements VectorStoreService {
  readonly available = true;
  readonly implementation: string;
  readonly message: string;
  private index: VectorIndex;
  private readonly map: KeyValueMap<StoredEmbedding>;
  private readonly logger: Logger;
  /** Keys this replica wrote whose own entry event is still to come: already indexed. */
  private readonly ownWrites = new Set<string>();
  private readonly changed = new Set<string>();
  private draining: Promise<void> | undefined;
  private unwatch: (() => Promise<void>) | undefined;
  private stopper: AbortController | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: HazelcastVectorStoreOptions) {
    this.map = options.map;
    this.logger = options.logger;
    this.index = options.createIndex();
    this.implementation = `hazelcast-imap-${options.indexName}+${options.embedder.name}`;
    this.message =
      `Community vector store: ${options.embedder.name} embeddings in a Hazelcast IMap, ` +
      `${options.indexName} nearest-neighbour search in each replica ` +
      '(Hazelcast VectorCollection needs an Enterprise licence and has no Node.js client API).';
  }

  get indexed(): number {
    return this.index.size;
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  /** Watches the map, loads everything stored so far, then reconciles now and then until stop(). */
  async start(): Promise<void> {
    if (this.loop) return;
    const stopper = new AbortController();
    this.stopper = stopper;
    // Watch before loading, so a write landing during the load is heard rather than lost.
    this.unwatch = await this.map.watch((change) => this.heard(change));
    await this.load();
    const every = this.options.reconcileMs ?? 30_000;
    this.loop = (async () => {
      while (!stopper.signal.aborted) {
        await sleep(every, stopper.signal);
        if (stopper.signal.aborted) return;
        try {
          if ((await this.map.size()) !== this.index.size) await this.load();
        } catch (error) {
          this.logger.warn({ err: error }, 'reconciling the vector index failed; keeping the current one');
        }
      }
    })();
  }

  /** Stops watching and drops the index (its memory); the stored embeddings stay in the map. */
  async stop(): Promise<void> {
    this.stopper?.abort();
    await this.loop;
    await this.unwatch?.().catch((error: unknown) => this.logger.warn({ err: error }, 'unwatching failed'));
    await this.draining;
    this.loop = undefined;
    this.stopper = undefined;
    this.unwatch = undefined;
    this.ownWrites.clear();
    this.changed.clear();
    this.index = this.options.createIndex();
  }

  /** Indexes the ids of the map this replica lacks. */
  async load(): Promise<void> {
    const missing = (await this.map.keys()).filter((id) => !this.index.has(id));
    await this.fetchAndIndex(missing);
  }

  async store(id: string, vector: Float32Array): Promise<void> {
    this.ownWrites.add(id);
    try {
      await this.map.set(id, { embedder: this.options.embedder.name, vector: Array.from(vector) });
    } catch (error) {
      this.ownWrites.delete(id);
      throw error;
    }
    this.index.upsert(id, vector);
  }

  async similarTo(id: string, limit: number): Promise<ScoredId[]> {
    let vector = this.index.vectorOf(id);
    if (!vector) {
      // Written elsewhere and its event not handled yet: read it through.
      const stored = (await this.map.get(id))?.value;
      if (!stored || !this.indexStored(id, stored)) return [];
      vector = this.index.vectorOf(id)!;
    }
    return this.index.search(vector, limit, id);
  }

  async similarToVector(vector: Float32Array, limit: number): Promise<ScoredId[]> {
    return this.index.search(vector, limit);
  }

  private heard(change: MapChange): void {
    if (change.kind === 'all') {
      this.logger.warn(
        'the embeddings map was cleared or evicted; this replica keeps its index until restart',
      );
      return;
    }
    if (this.ownWrites.delete(change.key)) return;
    this.changed.add(change.key);
    this.draining ??= this.drain();
  }

  /** Other replicas' writes, fetched in batches while events keep coming. */
  private async drain(): Promise<void> {
    try {
      while (this.changed.size > 0) {
        const keys = [...this.changed].slice(0, LOAD_BATCH);
        for (const key of keys) this.changed.delete(key);
        try {
          await this.fetchAndIndex(keys);
        } catch (error) {
          // The reconcile loop picks up what this missed.
          this.logger.warn({ err: error, keys: keys.length }, 'indexing changed embeddings failed');
        }
      }
    } finally {
      // In the same turn as the emptiness check, so an event arriving next starts a new drain.
      this.draining = undefined;
    }
  }

  private async fetchAndIndex(ids: readonly string[]): Promise<void> {
    let since = performance.now();
    for (let start = 0; start < ids.length; start += LOAD_BATCH) {
      const batch = await this.map.getAll(ids.slice(start, start + LOAD_BATCH));
      for (const [id, stored] of batch) {
        this.indexStored(id, stored.value);
        if (performance.now() - since > YIELD_AFTER_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          since = performance.now();
        }
      }
    }
  }

  private indexStored(id: string, stored: StoredEmbedding): boolean {
    const { embedder } = this.options;
    if (stored.embedder !== embedder.name || stored.vector.length !== embedder.dimensions) {
      this.logger.warn({ id, embedder: stored.embedder }, 'skipping an embedding from another embedder');
      return false;
    }
    this.index.upsert(id, stored.vector);
    return true;
  }
}
