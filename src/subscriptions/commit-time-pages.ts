import type { Commit } from '../eventsourcing/commit';
import type { EventStore } from '../eventsourcing/event-store';

export interface CommitTimePage {
  /** Every commit with committedAt in [from, next), oldest first. */
  readonly commits: readonly Commit[];
  /** Where the next page starts; past `until` when the walk is done. */
  readonly next: number;
}

const FIRST_WINDOW_MS = 1_000;
const WIDEN = 4;

/**
 * Walks one stream's event store forward in commit time, a window at a time. Each window is sized by
 * counting (which ships nothing) to hold at most about `pageSize` commits: widened fourfold while thin,
 * halved while crowded, down to a single millisecond, which is read whole however many it holds. So a page
 * costs what it holds however long the history is, and half-open windows leave no ties to resolve.
 */
export class CommitTimePages {
  private span = FIRST_WINDOW_MS;

  constructor(
    private readonly store: EventStore,
    private readonly pageSize: number,
  ) {
    if (!(Number.isSafeInteger(pageSize) && pageSize >= 1))
      throw new RangeError(`catch-up 'pageSize' must be a whole number ≥ 1, got ${String(pageSize)}`);
  }

  async page(from: number, until: number): Promise<CommitTimePage> {
    const end = until + 1;
    if (from >= end) return { commits: [], next: from };
    let before = Math.min(end, from + this.span);
    let held = await this.store.countBetween(from, before);
    while (held < this.pageSize / WIDEN && before < end) {
      this.span *= WIDEN;
      before = Math.min(end, from + this.span);
      held = await this.store.countBetween(from, before);
    }
    while (held > this.pageSize && before - from > 1) {
      this.span = Math.max(1, Math.floor((before - from) / 2));
      before = from + this.span;
      held = await this.store.countBetween(from, before);
    }
    const commits = held === 0 ? [] : await this.store.commitsBetween(from, before);
    return { commits, next: before };
  }
}
