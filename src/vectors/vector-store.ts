import { sleep } from '../core/sleep';
import type { Logger } from '../logging/logger';
import type { KeyValueMap } from '../storage/key-value';
import type { Embedder } from './embedder';
import { ExactVectorIndex, type ScoredId } from './vector-index';

/** Stores embeddings by id and finds the nearest ones. */
export interface VectorStoreService {
  /** False for the no-op store: nothing is stored and searches come back empty. */
  readonly available: boolean;
  /** What serves the searches, e.g. `hazelcast-imap-exact-cosine+hashing-384`. */
  readonly implementation: string;
  /** One sentence for API clients about the mode. */
  readonly message: string;
  store(id: string, vector: Float32Array): Promise<void>;
  /** The nearest neighbours of a stored id, itself left out; empty when the id has no embedding. */
  similarTo(id: string, limit: number): Promise<ScoredId[]>;
  similarToVector(vector: Float32Array, limit: number): Promise<ScoredId[]>;
}

/** The flag-off mode: answers, but stores and finds nothing. */
export class NoopVectorStore implements VectorStoreService {
  readonly available = false;
  readonly implementation = 'none';
  readonly message =
    'The vector store is disabled: set spec.vectorStore.enabled in the SagaPolicy to turn recommendations on ' +
    '(see docs/guides/recommendations.md).';

  async store(): Promise<void> {}

  async similarTo(): Promise<ScoredId[]> {
    return [];
  }

  async similarToVector(): Promise<ScoredId[]> {
    return [];
  }
}

/** One embedding as kept in the IMap (JSON, like every other document of the KV port). */
export interface StoredEmbedding {
  readonly embedder: string;
  readonly vector: number[];
}

const LOAD_BATCH = 500;

/**
 * The community-cluster store: embeddings live in an IMap (so every replica sees them and they survive a
 * restart), searches run over an in-memory exact-cosine index in each replica. The index takes this
 * replica's own writes at once and picks up other replicas' writes by polling the map size, loading only
 * the ids it lacks. Embeddings are written once per id and never changed, so a size check is enough.
 */
export class HazelcastVectorStore implements VectorStoreService {
  readonly available = true;
  readonly implementation: string;
  readonly message =
    'Community vector store: embeddings in a Hazelcast IMap, exact cosine search in each replica ' +
    '(Hazelcast VectorCollection needs Enterprise and has no Node client API).';
  private readonly index: ExactVectorIndex;
  private stopper: AbortController | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly map: KeyValueMap<StoredEmbedding>,
    private readonly embedder: Embedder,
    private readonly logger: Logger,
    private readonly pollMs = 1_000,
  ) {
    this.index = new ExactVectorIndex(embedder.dimensions);
    this.implementation = `hazelcast-imap-exact-cosine+${embedder.name}`;
  }

  get indexed(): number {
    return this.index.size;
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  /** Loads everything stored so far, then keeps polling for other replicas' writes until stop(). */
  async start(): Promise<void> {
    await this.load();
    if (this.loop) return;
    const stopper = new AbortController();
    this.stopper = stopper;
    this.loop = (async () => {
      while (!stopper.signal.aborted) {
        await sleep(this.pollMs, stopper.signal);
        if (stopper.signal.aborted) return;
        try {
          if ((await this.map.size()) !== this.index.size) await this.load();
        } catch (error) {
          this.logger.warn({ err: error }, 'refreshing the vector index failed; keeping the current one');
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopper?.abort();
    await this.loop;
    this.loop = undefined;
    this.stopper = undefined;
  }

  /** Adds the ids of the map this replica has not indexed yet. */
  async load(): Promise<void> {
    const missing = (await this.map.keys()).filter((id) => !this.index.has(id));
    for (let start = 0; start < missing.length; start += LOAD_BATCH) {
      const batch = await this.map.getAll(missing.slice(start, start + LOAD_BATCH));
      for (const [id, stored] of batch) this.indexStored(id, stored.value);
    }
  }

  async store(id: string, vector: Float32Array): Promise<void> {
    await this.map.set(id, { embedder: this.embedder.name, vector: Array.from(vector) });
    this.index.upsert(id, vector);
  }

  async similarTo(id: string, limit: number): Promise<ScoredId[]> {
    let vector = this.index.vectorOf(id);
    if (!vector) {
      // Written by another replica since the last poll: its neighbours may be new too, so catch up now.
      const stored = (await this.map.get(id))?.value;
      if (!stored || !this.indexStored(id, stored)) return [];
      await this.load();
      vector = this.index.vectorOf(id)!;
    }
    return this.index.search(vector, limit, id);
  }

  async similarToVector(vector: Float32Array, limit: number): Promise<ScoredId[]> {
    return this.index.search(vector, limit);
  }

  private indexStored(id: string, stored: StoredEmbedding): boolean {
    if (stored.embedder !== this.embedder.name || stored.vector.length !== this.embedder.dimensions) {
      this.logger.warn({ id, embedder: stored.embedder }, 'skipping an embedding from another embedder');
      return false;
    }
    this.index.upsert(id, stored.vector);
    return true;
  }
}

/**
 * The store chosen live by a flag (the SagaPolicy's vectorStore.enabled): off serves the no-op store,
 * on loads the Hazelcast store and then runs `backfill` (embedding what was created while off). Turning
 * it off stops serving and polling but keeps the stored vectors. Switches run one at a time.
 */
export class SwitchableVectorStore {
  private active: VectorStoreService;
  private wanted = false;
  private switching: Promise<void> = Promise.resolve();

  constructor(
    private readonly noop: NoopVectorStore,
    private readonly hazelcast: HazelcastVectorStore,
    private readonly backfill: () => Promise<void>,
    private readonly logger: Logger,
  ) {
    this.active = noop;
  }

  /** The store serving searches now. */
  get current(): VectorStoreService {
    return this.active;
  }

  /** Whether new embeddings should be written (true from the moment the flag turns on). */
  get enabled(): boolean {
    return this.wanted;
  }

  /** Writes through the Hazelcast store while the flag is on. */
  async store(id: string, vector: Float32Array): Promise<void> {
    if (this.wanted) await this.hazelcast.store(id, vector);
  }

  setEnabled(enabled: boolean): Promise<void> {
    if (enabled === this.wanted) return this.switching;
    this.wanted = enabled;
    this.switching = this.switching.then(() => this.apply(enabled));
    return this.switching;
  }

  async close(): Promise<void> {
    this.wanted = false;
    await this.switching;
    await this.hazelcast.stop();
  }

  private async apply(enabled: boolean): Promise<void> {
    if (enabled !== this.wanted) return; // superseded by a later switch
    try {
      if (enabled) {
        await this.hazelcast.start();
        this.active = this.hazelcast;
        await this.backfill();
        this.logger.info(
          { indexed: this.hazelcast.indexed },
          `vector store on: ${this.hazelcast.implementation}`,
        );
      } else {
        this.active = this.noop;
        await this.hazelcast.stop();
        this.logger.info('vector store off; stored embeddings are kept');
      }
    } catch (error) {
      this.logger.error({ err: error }, 'switching the vector store failed');
    }
  }
}
