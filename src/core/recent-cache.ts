import type { Clock } from './clock';

/**
 * What this process read or wrote of some records lately, so it need not read them again right away: a
 * partition owner's ledger progress (while it holds the lease it is the only writer), the saga records a
 * participant just read. An entry is trusted for a few seconds only, and whatever is written on the strength
 * of one is a compare-and-set, which fails on a stale entry; so staleness costs a retry, never a lost update.
 * Bounded: the least recently used entries go first.
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
    this.entries.delete(key);
    if (this.clock.now() - entry.at > this.maxAgeMs) return undefined;
    this.entries.set(key, entry);
    return entry.stored;
  }

  set(key: string, stored: V): void {
    this.entries.delete(key);
    this.entries.set(key, { stored, at: this.clock.now() });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
