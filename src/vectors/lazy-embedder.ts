import type { Embedder } from './embedder';

/**
 * An embedder whose model is loaded on first use and can be let go while nothing needs it: the inventory
 * service only embeds while the vector-store flag is on, and a loaded MiniLM session costs ~150 MB.
 */
export class LazyEmbedder implements Embedder {
  private loading: Promise<Embedder> | undefined;

  constructor(
    readonly name: string,
    readonly dimensions: number,
    private readonly load: () => Promise<Embedder>,
  ) {}

  /** Whether the model is loaded (or loading) now. */
  get loaded(): boolean {
    return this.loading !== undefined;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    // A failed load is not kept: the next call tries again (and fails as loudly).
    this.loading ??= this.load().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return (await this.loading).embed(texts);
  }

  /** Frees the model; the next embed() loads it again. */
  async release(): Promise<void> {
    const loading = this.loading;
    this.loading = undefined;
    const embedder = await loading?.catch(() => undefined);
    await embedder?.close();
  }

  close(): Promise<void> {
    return this.release();
  }
}
