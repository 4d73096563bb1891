import type { Clock } from '../core/clock';
import { sleep } from '../core/sleep';
import type { Commit } from '../eventsourcing/commit';
import type { EventStore } from '../eventsourcing/event-store';
import type { Logger } from '../logging/logger';
import type { FrameworkMetrics } from '../metrics/framework-metrics';
import { AggregateBackoff } from './aggregate-backoff';
import type { OutboxPublisher } from './outbox-publisher';

export interface SweeperOptions {
  readonly eventStore: EventStore;
  readonly publisher: OutboxPublisher;
  /** Brings the aggregate's view up to date before its commit goes out (the view may have missed it too). */
  readonly repairView: (aggregateId: string) => Promise<unknown>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: FrameworkMetrics;
  /** Commits younger than this are left to the process that made them. */
  readonly graceMs?: number;
  readonly intervalMs?: number;
  /** Back-off of an aggregate whose commits failed to go out: doubling from this (default: the interval)… */
  readonly failureBaseMs?: number;
  /** …up to this (default 5 min). */
  readonly failureMaxDelayMs?: number;
}

/**
 * The outbox's safety net: finds commits that were never flagged published (their process died, or the
 * stream was unreachable), repairs the aggregate's view and publishes them. Every replica may run it;
 * a double publication is harmless because consumers deduplicate by version.
 */
export class OutboxSweeper {
  private readonly stop = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly backoff: AggregateBackoff;

  constructor(private readonly options: SweeperOptions) {
    this.backoff = new AggregateBackoff({
      baseMs: options.failureBaseMs ?? options.intervalMs ?? 2_000,
      maxDelayMs: options.failureMaxDelayMs ?? 300_000,
    });
  }

  /**
   * One pass; returns how many commits it published. An aggregate whose view repair or publication fails
   * is skipped (its commits stay unpublished, so the next passes find them) and retried after its own
   * back-off; the others go out regardless, so one broken aggregate never holds up its stream.
   */
  async sweepOnce(): Promise<number> {
    const { eventStore, clock } = this.options;
    const stragglers = await eventStore.unpublished(clock.now() - (this.options.graceMs ?? 5_000));
    const byAggregate = new Map<string, Commit[]>();
    for (const commit of stragglers) {
      const commits = byAggregate.get(commit.aggregateId) ?? [];
      commits.push(commit);
      byAggregate.set(commit.aggregateId, commits);
    }
    this.backoff.keepOnly(new Set(byAggregate.keys()));
    let published = 0;
    for (const [aggregateId, commits] of byAggregate) {
      if (!this.backoff.due(aggregateId, clock.now())) continue;
      try {
        published += await this.publishAggregate(aggregateId, commits);
        this.backoff.succeeded(aggregateId);
      } catch (error) {
        const { failures, retryAt } = this.backoff.failed(aggregateId, clock.now());
        this.options.logger.warn(
          { err: error, stream: eventStore.stream, aggregateId, failures, retryInMs: retryAt - clock.now() },
          'outbox sweep of an aggregate failed; publishing the others, retrying it later',
        );
      }
    }
    return published;
  }

  /** Repairs the view, then publishes oldest first, so a consumer that is not behind sees them in order. */
  private async publishAggregate(aggregateId: string, commits: readonly Commit[]): Promise<number> {
    const { eventStore, publisher, repairView, metrics } = this.options;
    await repairView(aggregateId);
    for (const commit of commits) {
      await publisher.publish(commit);
      metrics?.outboxRepublished.inc({ service: metrics.service, stream: eventStore.stream });
    }
    return commits.length;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const interval = this.options.intervalMs ?? 2_000;
    while (!this.stop.signal.aborted) {
      try {
        const swept = await this.sweepOnce();
        if (swept > 0)
          this.options.logger.info({ swept, stream: this.options.eventStore.stream }, 'outbox swept');
      } catch (error) {
        this.options.logger.warn({ err: error }, 'outbox sweep failed; will retry');
      }
      await sleep(interval, this.stop.signal);
    }
  }
}
