import type { Clock } from '../core/clock';

/**
 * What one partition owner knows of the ledger entries it has read or written lately, so it need not read them again for
 * every commit: while it holds the partition's lease it is their only writer. A fresh owner starts empty;
 * an entry is trusted for a few seconds only (well inside a lease), so an owner that lost its lease without
 * noticing soon reads the ledger again; and a write on a stale entry still fails its compare-and-set.
 * Bounded: the least recently used entries go first.
 */
export class LedgerCache<V> {
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
}
