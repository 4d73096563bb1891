import type { Clock } from './clock';

/**
 * What this process read or wrote of some records lately, so it need not read them again right away: a
 * partition owner's ledger progress (while it holds the lease it is the only writer), the saga records a
 * participant just read. An entry is trusted for a few seconds only, and whatever is written on the strength
 * of one is a compare-and-set, which fails on a stale entry; so staleness costs a retry, never a lost update.
 * Bounded twice: an entry past its age is dropped as soon as anything newer is set (so a cache holds what the
 * last few seconds brought, not what a long run has seen), and beyond `capacity` the oldest go first.
 */
export class RecentCache<V> {
  private readonly entries = new Map<string, { readonly stored: V; readonly at: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly maxAgeMs = 3_000,
    private readonly capacity = 10_000,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.clock.now() - entry.at > this.maxAgeMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.stored;
  }

  /** Entries stay in the order they were set, so the first is always the oldest. */
  set(key: string, stored: V): void {
    const now = this.clock.now();
    this.entries.delete(key);
    this.entries.set(key, { stored, at: now });
    for (const [oldest, entry] of this.entries) {
      if (now - entry.at <= this.maxAgeMs && this.entries.size <= this.capacity) break;
      this.entries.delete(oldest);
    }
  }

  /** Entries held now, expired ones not yet dropped included. */
  get size(): number {
    return this.entries.size;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
