import type { Logger } from '../../src/logging/logger';
import type { PolicyWatcher } from '../../src/sagas/policy-watcher';
import type { KeyValueStore } from '../../src/storage/key-value';
import type { Naming } from '../../src/core/naming';
import { HashingEmbedder, productText, type Embedder } from '../../src/vectors/embedder';
import {
  HazelcastVectorStore,
  NoopVectorStore,
  SwitchableVectorStore,
  type StoredEmbedding,
} from '../../src/vectors/vector-store';
import type { Product } from './product-decider';
import type { Products } from './product-routes';

/** Product embeddings for recommendations, on or off with the SagaPolicy's vectorStore flag. */
export class ProductVectors {
  readonly store: SwitchableVectorStore;
  private readonly embedder: Embedder = new HashingEmbedder(384);
  private readonly hazelcast: HazelcastVectorStore;
  private readonly logger: Logger;

  constructor(deps: { kv: KeyValueStore; naming: Naming; products: Products; logger: Logger }) {
    this.logger = deps.logger;
    this.hazelcast = new HazelcastVectorStore(
      deps.kv.map<StoredEmbedding>(deps.naming.view('product-embeddings')),
      this.embedder,
      deps.logger,
    );
    this.store = new SwitchableVectorStore(
      new NoopVectorStore(),
      this.hazelcast,
      async () => {
        // Everything created while the flag was off (or before this replica started).
        const all = await deps.products.list(Number.MAX_SAFE_INTEGER, () => 0);
        let added = 0;
        for (const product of all) {
          if (!product || this.hazelcast.has(product.productId)) continue;
          await this.hazelcast.store(product.productId, await this.embed(product));
          added++;
        }
        if (added > 0) this.logger.info({ added }, 'backfilled product embeddings');
      },
      deps.logger,
    );
  }

  /** Follows the policy flag from now on (call before the watcher starts, so the first read counts). */
  follow(policy: PolicyWatcher): void {
    void this.store.setEnabled(policy.policy.vectorStoreEnabled);
    policy.onChange((next) => void this.store.setEnabled(next.vectorStoreEnabled));
  }

  async embed(product: Product): Promise<Float32Array> {
    const [vector] = await this.embedder.embed([productText(product)]);
    return vector!;
  }

  /** Embeds a new product while the flag is on; a failure is logged, never fails the create. */
  async created(product: Product): Promise<void> {
    try {
      await this.store.store(product.productId, await this.embed(product));
    } catch (error) {
      this.logger.warn({ err: error, productId: product.productId }, 'embedding a product failed');
    }
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
