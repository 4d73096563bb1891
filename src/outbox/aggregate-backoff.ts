import { retryDelayMs, type RetrySettings } from '../subscriptions/retry-backoff';

/**
 * The sweeper's memory of aggregates whose commits failed to go out: each is retried after a back-off of
 * its own (doubling to a cap, for as long as it fails), while every other aggregate goes out on each pass.
 * Bounded by the aggregates currently failing: an entry leaves on success or when it is no longer a
 * straggler.
 */
export class AggregateBackoff {
  private readonly failing = new Map<string, { failures: number; retryAt: number }>();

  constructor(private readonly settings: Omit<RetrySettings, 'maxAttempts'>) {}

  /** Whether the aggregate may be tried now. */
  due(aggregateId: string, now: number): boolean {
    const entry = this.failing.get(aggregateId);
    return !entry || entry.retryAt <= now;
  }

  /** Records a failure; returns when it is tried next. */
  failed(aggregateId: string, now: number): { failures: number; retryAt: number } {
    const failures = (this.failing.get(aggregateId)?.failures ?? 0) + 1;
    const retryAt = now + retryDelayMs(failures, { ...this.settings, maxAttempts: Infinity });
    const entry = { failures, retryAt };
    this.failing.set(aggregateId, entry);
    return entry;
  }

  succeeded(aggregateId: string): void {
    this.failing.delete(aggregateId);
  }

  /** Forgets aggregates that are no longer stragglers (published by someone else meanwhile). */
  keepOnly(aggregateIds: ReadonlySet<string>): void {
    for (const aggregateId of this.failing.keys())
      if (!aggregateIds.has(aggregateId)) this.failing.delete(aggregateId);
  }

  get size(): number {
    return this.failing.size;
  }
}
