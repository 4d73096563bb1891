import type { EventEnvelope } from '../events/envelope';
import type { Condition, KeyValueMap } from '../storage/key-value';
import { epochMsField, newestFirst } from '../storage/newest-first';
import type { Commit } from './commit';
import { commitKey } from './commit';

export type AppendResult =
  { readonly ok: true; readonly commit: Commit } | { readonly ok: false; readonly conflict: Commit };

const byCommitTime = (a: Commit, b: Commit): number =>
  a.committedAt - b.committedAt ||
  (a.aggregateId < b.aggregateId ? -1 : a.aggregateId > b.aggregateId ? 1 : 0) ||
  a.firstVersion - b.firstVersion;

const committedBetween = (from: number, before: number): Condition[] => [
  { field: 'committedAt', op: 'gte', value: from },
  { field: 'committedAt', op: 'lt', value: before },
];

/** How many candidate keys one look-up asks for when walking a stream forward. */
const READ_BATCH = 64;

/**
 * The event store of one stream (one domain), on the key-value port. The append is the commit point of
 * everything: views and publication follow from it and can always be redone from it.
 */
export class EventStore {
  constructor(
    readonly stream: string,
    private readonly commits: KeyValueMap<Commit>,
  ) {}

  /** Appends at expectedVersion + 1, or reports the commit that got there first. */
  async append(
    aggregateId: string,
    expectedVersion: number,
    events: readonly EventEnvelope[],
    committedAt: number,
  ): Promise<AppendResult> {
    const commit: Commit = {
      stream: this.stream,
      aggregateId,
      firstVersion: expectedVersion + 1,
      lastVersion: expectedVersion + events.length,
      committedAt,
      published: false,
      events,
    };
    const existing = await this.commits.putIfAbsent(commitKey(aggregateId, commit.firstVersion), commit);
    return existing ? { ok: false, conflict: existing.value } : { ok: true, commit };
  }

  /**
   * Commits after `afterVersion`, oldest first, up to `untilVersion` when given. Keys are probed in
   * batches: a key inside a multi-event commit simply does not exist.
   */
  async commitsAfter(aggregateId: string, afterVersion: number, untilVersion = Infinity): Promise<Commit[]> {
    const found: Commit[] = [];
    let next = afterVersion + 1;
    while (next <= untilVersion) {
      const last = Math.min(untilVersion, next + READ_BATCH - 1);
      const keys: string[] = [];
      for (let version = next; version <= last; version++) keys.push(commitKey(aggregateId, version));
      const batch = await this.commits.getAll(keys);
      let reached = next - 1;
      for (let version = next; version <= last; version++) {
        const commit = batch.get(commitKey(aggregateId, version))?.value;
        if (!commit || commit.firstVersion !== reached + 1) continue;
        found.push(commit);
        reached = commit.lastVersion;
      }
      // A batch that ended inside or before a gap means the stream's end was reached.
      if (reached < last) return found;
      next = reached + 1;
    }
    return found;
  }

  async events(aggregateId: string, afterVersion = 0, limit = Infinity): Promise<EventEnvelope[]> {
    const events: EventEnvelope[] = [];
    for (const commit of await this.commitsAfter(aggregateId, afterVersion, afterVersion + limit)) {
      for (const event of commit.events) if (event.version > afterVersion) events.push(event);
    }
    return events.slice(0, limit);
  }

  async commit(aggregateId: string, firstVersion: number): Promise<Commit | undefined> {
    return (await this.commits.get(commitKey(aggregateId, firstVersion)))?.value;
  }

  /**
   * Committed but not yet known to be published, committed before `committedBefore`. Only the flag goes
   * to the store: the unpublished set is small, while a time range there would be evaluated over the whole
   * history on every sweep now that `committedAt` is indexed for catch-ups (npm run bench:queries).
   */
  async unpublished(committedBefore: number): Promise<Commit[]> {
    const found = await this.commits.query([{ field: 'published', op: 'eq', value: false }]);
    return found
      .map(([, stored]) => stored.value)
      .filter((commit) => commit.committedAt < committedBefore)
      .sort(byCommitTime);
  }

  /**
   * Every commit, of any aggregate, with `from` ≤ committedAt < `before`, oldest first: one window of a
   * walk through the history in commit time (a sorted index on `committedAt` in every backend). The caller
   * bounds the window with countBetween first, so a page costs what it holds however long the history is.
   */
  async commitsBetween(from: number, before: number): Promise<Commit[]> {
    const found = await this.commits.query(committedBetween(from, before));
    return found.map(([, stored]) => stored.value).sort(byCommitTime);
  }

  /** How many commits commitsBetween would return; counting ships no documents. */
  async countBetween(from: number, before: number): Promise<number> {
    return this.commits.count(committedBetween(from, before));
  }

  /**
   * The newest commit time in the store, or undefined when it is empty: through a window on the
   * committedAt index that widens back from `now` (src/storage/newest-first.ts), never a whole-map read.
   */
  async newestCommitTime(now = Date.now()): Promise<number | undefined> {
    const [newest] = await newestFirst(this.commits, { field: epochMsField('committedAt'), limit: 1, now });
    return newest?.[1].value.committedAt;
  }

  async markPublished(commit: Commit): Promise<void> {
    await this.markAllPublished([commit]);
  }

  /** One write for many flags: what the publisher's group commit uses under load. */
  async markAllPublished(commits: readonly Commit[]): Promise<void> {
    const entries = commits
      .filter((commit) => !commit.published)
      .map(
        (commit) =>
          [commitKey(commit.aggregateId, commit.firstVersion), { ...commit, published: true }] as const,
      );
    // Losing the flag only means the sweeper publishes the commit again, which consumers dedupe.
    if (entries.length > 0) await this.commits.setAll(entries, { deferrable: true });
  }

  /** Every aggregate with at least one commit; for whole-view rebuilds. */
  async aggregateIds(): Promise<string[]> {
    const ids = new Set<string>();
    for (const key of await this.commits.keys()) ids.add(key.slice(0, key.lastIndexOf(':')));
    return [...ids];
  }
}
