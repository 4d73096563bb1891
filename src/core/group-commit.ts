export interface BatchedCallsOptions<I> {
  /** Items per batch at most. */
  readonly maxBatch?: number;
  /** Batches running at once; the first this many calls go alone, without waiting. */
  readonly maxInFlight?: number;
  /** Items of one key never share a batch (a statement may act on a row once); later ones wait for the next. */
  readonly keyOf?: (item: I) => string;
}

interface Pending<I, R> {
  readonly item: I;
  readonly settle: (outcome: { ok: true; value: R } | { ok: false; error: unknown }) => void;
}

/**
 * Runs calls in batches without a timer: a call goes at once when a batch slot is free; calls that arrive
 * while every slot is busy wait and then go together. Under load batches grow by themselves, when idle every
 * call goes alone with no delay. `run` answers each item of a batch, in order; a batch that throws rejects
 * its own callers only.
 */
export class BatchedCalls<I, R> {
  private readonly queued: Array<Pending<I, R>> = [];
  private running = 0;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly run: (items: readonly I[]) => Promise<readonly R[]>,
    private readonly options: BatchedCallsOptions<I> = {},
  ) {
    this.maxBatch = options.maxBatch ?? 256;
    this.maxInFlight = options.maxInFlight ?? 1;
  }

  call(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queued.push({
        item,
        settle: (outcome) => (outcome.ok ? resolve(outcome.value) : reject(outcome.error)),
      });
      this.startBatches();
    });
  }

  private startBatches(): void {
    while (this.running < this.maxInFlight && this.queued.length > 0) {
      this.running++;
      void this.runBatch(this.cutBatch()).finally(() => {
        this.running--;
        this.startBatches();
      });
    }
  }

  private cutBatch(): Array<Pending<I, R>> {
    const { keyOf } = this.options;
    if (!keyOf) return this.queued.splice(0, this.maxBatch);
    const batch: Array<Pending<I, R>> = [];
    const keys = new Set<string>();
    for (let index = 0; index < this.queued.length && batch.length < this.maxBatch;) {
      const key = keyOf(this.queued[index]!.item);
      if (keys.has(key)) {
        index++;
        continue;
      }
      keys.add(key);
      batch.push(...this.queued.splice(index, 1));
    }
    return batch;
  }

  private async runBatch(batch: ReadonlyArray<Pending<I, R>>): Promise<void> {
    try {
      const results = await this.run(batch.map((each) => each.item));
      if (results.length !== batch.length)
        throw new Error(`a batch of ${batch.length} was answered with ${results.length} results`);
      batch.forEach((each, index) => each.settle({ ok: true, value: results[index]! }));
    } catch (error) {
      for (const each of batch) each.settle({ ok: false, error: error ?? new Error('batch failed') });
    }
  }
}

/**
 * Writes items in batches without a timer: the first item goes at once; items that arrive while a batch
 * is being written wait for it and then go together. Each caller's promise settles with the batch that
 * carried it.
 */
export class GroupCommit<T> {
  private readonly calls: BatchedCalls<T, undefined>;

  constructor(write: (items: readonly T[]) => Promise<void>, maxBatch = 256) {
    this.calls = new BatchedCalls(
      async (items) => {
        await write(items);
        return items.map(() => undefined);
      },
      { maxBatch },
    );
  }

  add(item: T): Promise<void> {
    return this.calls.call(item);
  }
}
