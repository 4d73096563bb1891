import { isoTime } from '../core/clock';
import { partitionOf } from '../core/naming';
import type { EventStore } from '../eventsourcing/event-store';
import type { Logger } from '../logging/logger';
import type { FrameworkMetrics } from '../metrics/framework-metrics';
import { CommitTimePages } from './commit-time-pages';
import type { CommitSink } from './delivery';
import type { PartitionRef } from './leases';

/** Why a partition is read back from the event store instead of its ringbuffer. */
export type CatchUpReason = 'overrun' | 'epoch' | 'recreated' | 'resumed';

export interface CatchUpOptions {
  readonly group: string;
  readonly ref: PartitionRef;
  readonly partitions: number;
  readonly eventStore: EventStore;
  readonly delivery: CommitSink;
  readonly logger: Logger;
  readonly metrics?: FrameworkMetrics;
  readonly pageSize: number;
  readonly signal: AbortSignal;
  /** How often a long catch-up logs its progress. */
  readonly progressLogMs?: number;
}

export interface CatchUpRun {
  readonly reason: CatchUpReason;
  readonly from: number;
  readonly until: number;
  /** After each page: every commit before `cursor` was delivered; about `remaining` of this partition's are left. */
  readonly onPage: (cursor: number, remaining: number) => Promise<void>;
}

/**
 * Delivers one stream partition's commits from the event store, in commit-time order and bounded pages,
 * through the group's Delivery: its per-aggregate ledger skips what was handled already and fills gaps, so
 * re-reading an overlap is harmless, while nothing in the window is missed.
 */
export class CatchUp {
  constructor(private readonly options: CatchUpOptions) {}

  /** Resolves true once [from, until] is delivered, false when stopped first (the cursor was reported). */
  async run(run: CatchUpRun): Promise<boolean> {
    const { group, ref, partitions, eventStore, delivery, logger, metrics, signal } = this.options;
    const fields = { group, stream: ref.stream, partition: ref.partition, reason: run.reason };
    const pages = new CommitTimePages(eventStore, this.options.pageSize);
    const estimate = await eventStore.countBetween(run.from, run.until + 1);
    const started = performance.now();
    let logged = started;
    let scanned = 0;
    let delivered = 0;
    logger.warn(
      { ...fields, from: isoTime(run.from), until: isoTime(run.until), streamCommits: estimate },
      'catching up from the event store: the stream partition no longer holds what this group has not handled',
    );
    for (let cursor = run.from; cursor <= run.until;) {
      if (signal.aborted) return false;
      const page = await pages.page(cursor, run.until);
      const mine = page.commits.filter(
        (commit) => partitionOf(commit.aggregateId, partitions) === ref.partition,
      );
      if (mine.length > 0) await delivery.deliver(mine);
      if (signal.aborted) return false;
      metrics?.caughtUpCommits.inc(
        { consumer_group: group, stream: ref.stream, reason: run.reason },
        mine.length,
      );
      scanned += page.commits.length;
      delivered += mine.length;
      cursor = page.next;
      await run.onPage(cursor, Math.ceil(Math.max(0, estimate - scanned) / partitions));
      if (performance.now() - logged >= (this.options.progressLogMs ?? 10_000)) {
        logged = performance.now();
        logger.info(
          {
            ...fields,
            at: isoTime(Math.min(cursor, run.until)),
            scanned,
            delivered,
            streamCommits: estimate,
          },
          'catching up from the event store',
        );
      }
    }
    logger.info(
      { ...fields, scanned, delivered, ms: Math.round(performance.now() - started) },
      'caught up from the event store; reading the stream partition again',
    );
    return true;
  }
}
