import type { Logger } from '../logging/logger';
import type { EventStore } from './event-store';

export interface ViewRepairOptions {
  readonly eventStore: EventStore;
  /** Folds an aggregate's commits into its view (AggregateRepository.catchUp). */
  readonly catchUp: (aggregateId: string) => Promise<unknown>;
  /** How far before the newest commit to look: longer than any write the store may have lost. */
  readonly windowMs: number;
  readonly logger: Logger;
  readonly concurrency?: number;
}

/** Commits read per step of the walk: bounded, however busy the window was. */
const PAGE = 500;

/**
 * Views in PostgreSQL are written without waiting for the WAL flush, so a crash of the database may lose
 * the last fraction of a second of view updates while every commit is kept. At start, before serving,
 * each service folds the commits of the last `windowMs` before its stream's newest commit back into their
 * views; a view that is already current costs one read. Progress goes to the log.
 */
export async function repairRecentViews(options: ViewRepairOptions): Promise<number> {
  const { eventStore, catchUp, windowMs, logger } = options;
  const newest = await eventStore.newestCommitTime();
  if (newest === undefined) return 0;
  const until = newest + 1;
  const aggregates = new Set<string>();
  // Walk the window in slices that hold at most a page each.
  for (let from = newest - windowMs; from < until;) {
    let to = until;
    while (to - from > 1 && (await eventStore.countBetween(from, to)) > PAGE)
      to = from + Math.ceil((to - from) / 2);
    for (const commit of await eventStore.commitsBetween(from, to)) aggregates.add(commit.aggregateId);
    from = to;
  }
  const ids = [...aggregates];
  logger.info(
    { stream: eventStore.stream, aggregates: ids.length, windowMs },
    'checking the views of the latest commits',
  );
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.min(ids.length, options.concurrency ?? 8) }, async () => {
      while (next < ids.length) {
        await catchUp(ids[next++]!);
        done += 1;
        if (done % 1_000 === 0)
          logger.info({ stream: eventStore.stream, done, of: ids.length }, 'views checked');
      }
    }),
  );
  if (ids.length > 0) logger.info({ stream: eventStore.stream, checked: ids.length }, 'views current');
  return ids.length;
}
