import type { ScoredId } from './vector-index';
import type { VectorStoreService } from './vector-store';

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
