/**
 * Writes items in batches without a timer: the first item goes at once; items that arrive while a batch
 * is being written wait for it and then go together. Under load batches grow by themselves, when idle
 * every item goes alone with no delay. Each caller's promise settles with the batch that carried it.
 */
export class GroupCommit<T> {
  private queued: Array<{ item: T; done: (error?: unknown) => void }> = [];
  private writing = false;

  constructor(
    private readonly write: (items: readonly T[]) => Promise<void>,
    private readonly maxBatch = 256,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ item, done: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.queued.length > 0) {
      const batch = this.queued.splice(0, this.maxBatch);
      try {
        await this.write(batch.map((each) => each.item));
        for (const each of batch) each.done();
      } catch (error) {
        for (const each of batch) each.done(error ?? new Error('batch write failed'));
      }
    }
    this.writing = false;
  }
}
