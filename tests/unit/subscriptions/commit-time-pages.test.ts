import type { Commit } from '../../../src/eventsourcing/commit';
import { EventStore } from '../../../src/eventsourcing/event-store';
import { InMemoryKeyValueStore } from '../../../src/storage/in-memory-key-value';
import { CommitTimePages } from '../../../src/subscriptions/commit-time-pages';
import { anEvent } from '../../core/commit-fixture';

async function storeWith(times: readonly number[]): Promise<EventStore> {
  const store = new EventStore('S', new InMemoryKeyValueStore().map<Commit>('S.es'));
  for (const [index, at] of times.entries())
    expect((await store.append(`a${index}`, 0, [anEvent(`a${index}`, 1)], at)).ok).toBe(true);
  return store;
}

async function walk(pages: CommitTimePages, from: number, until: number) {
  const seen: Commit[] = [];
  const windows: Array<{ from: number; next: number; held: number }> = [];
  for (let cursor = from; cursor <= until;) {
    const page = await pages.page(cursor, until);
    windows.push({ from: cursor, next: page.next, held: page.commits.length });
    seen.push(...page.commits);
    cursor = page.next;
  }
  return { seen, windows };
}

describe('walking an event store in commit time', () => {
  test('visits every commit in [from, until] once, oldest first, in pages of at most pageSize', async () => {
    // Sparse years, then a dense stretch, then a crowded millisecond holding more than a page.
    const times = [
      5,
      86_400_000,
      1_000_000_000,
      ...Array.from({ length: 40 }, (_, i) => 2_000_000_000 + i * 7),
      ...Array.from({ length: 9 }, () => 2_000_001_000),
      3_000_000_000,
    ];
    const store = await storeWith(times);
    const { seen, windows } = await walk(new CommitTimePages(store, 4), 0, 2_500_000_000);

    const inRange = times.filter((at) => at <= 2_500_000_000);
    expect(seen.map((commit) => commit.committedAt)).toEqual([...inRange].sort((a, b) => a - b));
    expect(new Set(seen.map((commit) => commit.aggregateId)).size).toBe(inRange.length);
    for (const window of windows) {
      // A page over its size is a single millisecond, read whole.
      if (window.held > 4) expect(window.next - window.from).toBe(1);
    }
    expect(windows.some((window) => window.held === 9)).toBe(true);
    // Empty years cost a few widening counts, not a page per second.
    expect(windows.length).toBeLessThan(60);
  });

  test('an empty range is one page with nothing', async () => {
    const store = await storeWith([100]);
    const { seen, windows } = await walk(new CommitTimePages(store, 10), 200, 300);
    expect(seen).toEqual([]);
    expect(windows.length).toBeGreaterThanOrEqual(1);
  });

  test('a page size that is not a whole number ≥ 1 is refused, naming it', async () => {
    const store = await storeWith([]);
    expect(() => new CommitTimePages(store, 0)).toThrow(/pageSize/);
  });
});
