/**
 * all-MiniLM-L6-v2 sentence embeddings with onnxruntime-node: WordPiece ids → transformer → mean pooling over
 * the real tokens → L2 normalisation, as sentence-transformers computes them (checked against a Python reference
 * in tests/fixtures/minilm-embeddings.json).
 */
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { normalise, type Embedder } from './embedder';
import { WordPieceTokenizer } from './wordpiece-tokenizer';

export const MINILM_NAME = 'all-minilm-l6-v2';
export const MINILM_DIMENSIONS = 384;

export interface MiniLmEmbedderOptions {
  /** The .onnx model file. */
  modelFile: string;
  /** The HuggingFace tokenizer.json belonging to it. */
  tokenizerFile: string;
  /** Threads one inference may use; 1 by default because the services share two cores. */
  intraOpNumThreads?: number;
  /** Texts per inference run; bounds the memory of a big embed() call. */
  batchSize?: number;
}

type OnnxRuntime = typeof import('onnxruntime-node');

export class MiniLmEmbedder implements Embedder {
  readonly name = MINILM_NAME;
  readonly dimensions = MINILM_DIMENSIONS;
  /** Runs go one after another: parallel runs would only compete for the same cores. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly ort: OnnxRuntime,
    private readonly session: InferenceSession,
    private readonly tokenizer: WordPieceTokenizer,
    private readonly batchSize: number,
  ) {}

  /** Loads onnxruntime-node (only now, so processes that never embed do not pay for it) and the model. */
  static async load(options: MiniLmEmbedderOptions): Promise<MiniLmEmbedder> {
    const threads = options.intraOpNumThreads ?? 1;
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(threads) || threads < 1) {
      throw new Error(`intraOpNumThreads must be ≥ 1: ${threads}`);
    }
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be ≥ 1: ${batchSize}`);
    const tokenizer = WordPieceTokenizer.fromFile(options.tokenizerFile);
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(options.modelFile, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    for (const input of ['input_ids', 'attention_mask', 'token_type_ids']) {
      if (!session.inputNames.includes(input)) {
        await session.release();
        throw new Error(
          `${options.modelFile} is not a BERT model: no input ${input} (inputs ${session.inputNames.join(', ')})`,
        );
      }
    }
    return new MiniLmEmbedder(ort, session, tokenizer, batchSize);
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const run = this.queue.then(() => this.embedNow(texts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.session.release();
  }

  private async embedNow(texts: readonly string[]): Promise<Float32Array[]> {
    if (this.closed) throw new Error(`${this.name} embedder is closed`);
    const encodings = texts.map((text) => this.tokenizer.encode(text).ids);
    // Similar lengths share a run, so short texts are not padded up to a long neighbour's length.
    const order = encodings
      .map((_, index) => index)
      .sort((a, b) => encodings[a]!.length - encodings[b]!.length);
    const vectors = new Array<Float32Array>(texts.length);
    for (let start = 0; start < order.length; start += this.batchSize) {
      const chunk = order.slice(start, start + this.batchSize);
      const pooled = await this.runBatch(chunk.map((index) => encodings[index]!));
      chunk.forEach((index, position) => (vectors[index] = pooled[position]!));
    }
    return vectors;
  }

  /** One inference over ids padded to the longest; returns the pooled, normalised vector of each. */
  private async runBatch(batch: readonly (readonly number[])[]): Promise<Float32Array[]> {
    const rows = batch.length;
    const width = Math.max(...batch.map((ids) => ids.length));
    const ids = new BigInt64Array(rows * width); // 0 = [PAD]
    const mask = new BigInt64Array(rows * width);
    batch.forEach((row, r) =>
      row.forEach((id, t) => {
        ids[r * width + t] = BigInt(id);
        mask[r * width + t] = 1n;
      }),
    );
    const shape = [rows, width];
    const feeds: Record<string, Tensor> = {
      input_ids: new this.ort.Tensor('int64', ids, shape),
      attention_mask: new this.ort.Tensor('int64', mask, shape),
      token_type_ids: new this.ort.Tensor('int64', new BigInt64Array(rows * width), shape),
    };
    const output = (await this.session.run(feeds)).last_hidden_state;
    if (
      !output ||
      output.type !== 'float32' ||
      output.dims.join() !== [rows, width, this.dimensions].join()
    ) {
      throw new Error(
        `${this.name}: expected last_hidden_state float32 [${rows}, ${width}, ${this.dimensions}], ` +
          `got ${output ? `${output.type} [${output.dims.join(', ')}]` : 'none'}`,
      );
    }
    const hidden = output.data as Float32Array;
    return batch.map((row, r) => {
      // Mean over the real tokens only: padding positions must not change a text's vector.
      const sum = new Float64Array(this.dimensions);
      for (let t = 0; t < row.length; t++) {
        const offset = (r * width + t) * this.dimensions;
        for (let d = 0; d < this.dimensions; d++) sum[d] = sum[d]! + hidden[offset + d]!;
      }
      const vector = new Float32Array(this.dimensions);
      for (let d = 0; d < this.dimensions; d++) vector[d] = sum[d]! / row.length;
      return normalise(vector);
    });
  }
}
