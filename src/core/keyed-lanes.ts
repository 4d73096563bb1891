/**
 * Runs work one at a time per key, in arrival order, and lets each piece hand a value to the next one
 * queued behind it (e.g. the state it just wrote). A key's lane and its value are forgotten as soon as
 * nothing is queued, so memory follows the keys in use, not the keys ever seen.
 */
export class KeyedLanes<T> {
  private readonly lanes = new Map<string, { tail: Promise<void>; carried: T | undefined }>();

  run<R>(key: string, work: (carried: T | undefined) => Promise<{ result: R; carry?: T }>): Promise<R> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { tail: Promise.resolve(), carried: undefined };
      this.lanes.set(key, lane);
    }
    const current = lane;
    const turn = current.tail.then(async () => {
      const { result, carry } = await work(current.carried).catch((error: unknown) => {
        // A failed piece proves nothing about the state: the next one starts from the store again.
        current.carried = undefined;
        throw error;
      });
      current.carried = carry;
      return result;
    });
    const settled = turn.then(
      () => undefined,
      () => undefined,
    );
    current.tail = settled;
    void settled.then(() => {
      if (this.lanes.get(key) === current && current.tail === settled) this.lanes.delete(key);
    });
    return turn;
  }

  /** Keys with work running or queued. */
  get size(): number {
    return this.lanes.size;
  }
}
