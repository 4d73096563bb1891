import type { Naming } from '../../src/core/naming';
import type { ListCursor } from '../../src/eventsourcing/aggregate-repository';
import type { Logger } from '../../src/logging/logger';
import type { PolicyWatcher } from '../../src/sagas/policy-watcher';
import type { KeyValueStore } from '../../src/storage/key-value';
import { productText, type Embedder } from '../../src/vectors/embedder';
import { HazelcastVectorStore } from '../../src/vectors/hazelcast-vector-store';
import { NoopVectorStore } from '../../src/vectors/noop-vector-store';
import { SwitchableVectorStore } from '../../src/vectors/switchable-vector-store';
import { HnswVectorIndex } from '../../src/vectors/hnsw-index';
import type { StoredEmbedding } from '../../src/vectors/vector-store';
import type { Product } from './product-decider';
import type { Products } from './product-routes';

/** Products embedded per backfill call to the model (batches amortise its per-call cost). */
const BACKFILL_BATCH = 32;
/** Products read per backfill page: what the backfill holds at once. */
const BACKFILL_PAGE = 500;

/** Product embeddings for recommendations, on or off with the SagaPolicy's vectorStore flag. */
export class ProductVectors {
  readonly store: SwitchableVectorStore;
  private readonly hazelcast: HazelcastVectorStore;
  private readonly embedder: Embedder;
  private readonly logger: Logger;

  constructor(deps: {
    kv: KeyValueStore;
    naming: Naming;
    products: Products;
    embedder: Embedder;
    logger: Logger;
  }) {
    const { embedder, logger } = deps;
    this.embedder = embedder;
    this.logger = logger;
    this.hazelcast = new HazelcastVectorStore({
      // One map per embedder: switching models re-embeds into a new map, never mixes vector spaces.
      map: deps.kv.map<StoredEmbedding>(deps.naming.view(`product-embeddings.${embedder.name}`)),
      embedder,
      createIndex: () => new HnswVectorIndex({ dimensions: embedder.dimensions }),
      indexName: 'hnsw',
      logger,
    });
    logger.info({ embedder: embedder.name }, 'product embeddings by ' + embedder.name);
    this.store = new SwitchableVectorStore(
      new NoopVectorStore(),
      this.hazelcast,
      () => this.backfill(deps.products),
      logger,
    );
  }

  /** Follows the policy flag from now on (call before the watcher starts, so the first read counts). */
  follow(policy: PolicyWatcher): void {
    void this.setEnabled(policy.policy.vectorStoreEnabled);
    policy.onChange((next) => void this.setEnabled(next.vectorStoreEnabled));
  }

  /** Switches the store; off also lets a lazily loaded model go (~150 MB for MiniLM). */
  async setEnabled(enabled: boolean): Promise<void> {
    await this.store.setEnabled(enabled);
    if (!enabled && !this.store.enabled) await this.embedder.release?.();
  }

  /** Embeds a new product while the flag is on; a failure is logged, never fails the create. */
  async created(product: Product): Promise<void> {
    if (!this.store.enabled) return;
    try {
      const [vector] = await this.embedder.embed([productText(product)]);
      await this.store.store(product.productId, vector!);
    } catch (error) {
      this.logger.warn({ err: error, productId: product.productId }, 'embedding a product failed');
    }
  }

  async close(): Promise<void> {
    await this.store.close();
    await this.embedder.close();
  }

  /**
   * Everything created while the flag was off (or before this replica started): pages of products, newest
   * first, so the backfill holds one page at a time however many products there are; model calls in batches.
   */
  private async backfill(products: Products): Promise<void> {
    const started = performance.now();
    let after: ListCursor | undefined;
    let added = 0;
    for (let pages = 1; ; pages++) {
      const listed = await products.list(BACKFILL_PAGE, { newestBy: 'createdAt', after });
      const page = listed.filter((product): product is Product => !!product);
      const missing = page.filter((product) => !this.hazelcast.has(product.productId));
      for (let start = 0; start < missing.length; start += BACKFILL_BATCH) {
        if (!this.store.enabled) return; // turned off meanwhile
        const batch = missing.slice(start, start + BACKFILL_BATCH);
        const vectors = await this.embedder.embed(batch.map(productText));
        for (const [index, product] of batch.entries())
          await this.hazelcast.store(product.productId, vectors[index]!);
      }
      added += missing.length;
      const last = page.at(-1);
      if (listed.length < BACKFILL_PAGE || !last) break;
      after = { id: last.productId, at: last.createdAt };
      if (pages % 10 === 0 && added > 0) this.logger.info({ added }, 'backfilling product embeddings');
    }
    if (added === 0) return;
    this.logger.info(
      { added, ms: Math.round(performance.now() - started), embedder: this.embedder.name },
      'backfilled product embeddings',
    );
  }
}
