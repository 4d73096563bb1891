/** Per-item exponential back-off, as client-go's ItemExponentialFailureRateLimiter: base × 2^failures, capped. */
export class ItemBackoff<K> {
  private readonly failures = new Map<K, number>();

  constructor(
    readonly baseMs = 200,
    readonly maxMs = 60_000,
  ) {}

  /** The delay before the next retry of `key`, counting this failure. */
  next(key: K): number {
    const count = this.failures.get(key) ?? 0;
    this.failures.set(key, count + 1);
    return Math.min(this.maxMs, this.baseMs * 2 ** count);
  }

  forget(key: K): void {
    this.failures.delete(key);
  }

  attempts(key: K): number {
    return this.failures.get(key) ?? 0;
  }
}
