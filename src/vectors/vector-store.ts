import type { ScoredId } from './vector-index';

/** Stores embeddings by id and finds the nearest ones. */
export interface VectorStoreService {
  /** False for the no-op store: nothing is stored and searches come back empty. */
  readonly available: boolean;
  /** What serves the searches, e.g. `hazelcast-imap-hnsw+all-minilm-l6-v2`. */
  readonly implementation: string;
  /** One sentence for API clients about the mode. */
  readonly message: string;
  store(id: string, vector: Float32Array): Promise<void>;
  /** The nearest neighbours of a stored id, itself left out; empty when the id has no embedding. */
  similarTo(id: string, limit: number): Promise<ScoredId[]>;
  similarToVector(vector: Float32Array, limit: number): Promise<ScoredId[]>;
}

/** One embedding as kept in the IMap (JSON, like every other document of the KV port). */
export interface StoredEmbedding {
  readonly embedder: string;
  readonly vector: number[];
}
