import type { Logger } from '../logging/logger';
import type { HazelcastVectorStore } from './hazelcast-vector-store';
import type { NoopVectorStore } from './noop-vector-store';
import type { VectorStoreService } from './vector-store';

/**
 * The store chosen live by a flag (the SagaPolicy's vectorStore.enabled): off serves the no-op store,
 * on loads the Hazelcast store and then runs `backfill` (embedding what was created while off). Turning
 * it off stops serving and watching but keeps the stored vectors. Switches run one at a time.
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
