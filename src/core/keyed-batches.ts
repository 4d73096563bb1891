/** How one item of a batch ended. */
export type Outcome<R> =
  { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

export interface BatchResult<R, T> {
  /** One per item, in the items' order. */
  readonly outcomes: ReadonlyArray<Outcome<R>>;
  /** Handed to the next batch of the key, e.g. the state this one wrote. */
  readonly carry?: T;
}

interface Waiting<I, R> {
  readonly item: I;
  readonly resolve: (value: R) => void;
  readonly reject: (error: unknown) => void;
}

interface Lane<I, R, T> {
  queue: Array<Waiting<I, R>>;
  carried: T | undefined;
}

/**
 * Runs work one batch at a time per key: an item that arrives while its key is busy waits, and everything
 * that waited runs together as the next batch (at most `maxBatch`), so a hot key costs one round of work per
 * batch instead of one per item. An idle key's first item runs at once, alone. Each batch can hand a value to
 * the next (the state it just wrote). A key is forgotten as soon as nothing is queued.
 */
export class KeyedBatches<I, R, T> {
  private readonly lanes = new Map<string, Lane<I, R, T>>();

  constructor(
    private readonly work: (
      key: string,
      items: readonly I[],
      carried: T | undefined,
    ) => Promise<BatchResult<R, T>>,
    private readonly maxBatch = 64,
  ) {}

  submit(key: string, item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const lane = this.lanes.get(key);
      if (lane) {
        lane.queue.push({ item, resolve, reject });
        return;
      }
      const fresh: Lane<I, R, T> = { queue: [{ item, resolve, reject }], carried: undefined };
      this.lanes.set(key, fresh);
      void this.drain(key, fresh);
    });
  }

  /** Keys with work running or queued. */
  get size(): number {
    return this.lanes.size;
  }

  private async drain(key: string, lane: Lane<I, R, T>): Promise<void> {
    while (lane.queue.length > 0) {
      const batch = lane.queue.splice(0, this.maxBatch);
      try {
        const { outcomes, carry } = await this.work(
          key,
          batch.map((waiting) => waiting.item),
          lane.carried,
        );
        lane.carried = carry;
        batch.forEach((waiting, index) => {
          const outcome = outcomes[index];
          if (!outcome) waiting.reject(new Error('batch work returned no outcome for an item'));
          else if (outcome.ok) waiting.resolve(outcome.value);
          else waiting.reject(outcome.error);
        });
      } catch (error) {
        // A failed batch proves nothing about the state: the next one starts from the store again.
        lane.carried = undefined;
        for (const waiting of batch) waiting.reject(error);
      }
    }
    this.lanes.delete(key);
  }
}
