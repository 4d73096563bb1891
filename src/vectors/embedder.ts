/** Turns texts into fixed-size, L2-normalised vectors. */
export interface Embedder {
  /**
   * Short name, part of the `implementation` string the API reports; embeddings of different embedders are
   * not comparable, so stored vectors are kept apart by it.
   */
  readonly name: string;
  readonly dimensions: number;
  /** One unit vector per text, in order (batches let a model amortise its per-call cost). */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** Frees what the embedder holds (a model session); the embedder is unusable afterwards. */
  close(): Promise<void>;
  /** Frees memory until the next embed(), for embedders that load a model lazily. */
  release?(): Promise<void>;
}

/** FNV-1a over a string: stable across processes, so every replica embeds a text identically. */
function hash32(text: string, seed: number): number {
  let hash = seed >>> 0;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Feature hashing of lower-cased word unigrams and bigrams (a signed hash picks the sign, which keeps
 * collisions unbiased). Deterministic and dependency-free; lexical, not semantic: "sofa" and "couch" are
 * unrelated to it. The fallback when the MiniLM model is not installed (docs/adr/0007-vector-store.md).
 */
export class HashingEmbedder implements Embedder {
  readonly name: string;

  constructor(readonly dimensions = 384) {
    this.name = `hashing-${dimensions}`;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((text) => this.embedText(text));
  }

  async close(): Promise<void> {}

  /** The synchronous form: hashing needs no I/O. */
  embedText(text: string): Float32Array {
    const vector = new Float32Array(this.dimensions);
    const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
    const add = (feature: string, weight: number): void => {
      const slot = hash32(feature, 0x811c9dc5) % this.dimensions;
      const sign = hash32(feature, 0x9747b28c) & 1 ? 1 : -1;
      vector[slot] = (vector[slot] ?? 0) + sign * weight;
    };
    for (let index = 0; index < words.length; index++) {
      add(`u:${words[index]}`, 1);
      if (index + 1 < words.length) add(`b:${words[index]} ${words[index + 1]}`, 0.5);
    }
    return normalise(vector);
  }
}

/** Scales to unit length in place (a zero vector stays zero) and returns it. */
export function normalise(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const value of vector) sum += value * value;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let index = 0; index < vector.length; index++) vector[index] = vector[index]! / norm;
  return vector;
}

/** The text a product is embedded from. */
export function productText(product: {
  readonly name: string;
  readonly description?: string | null;
  readonly category?: string | null;
}): string {
  return [product.name, product.description ?? '', product.category ?? ''].join(' ');
}
