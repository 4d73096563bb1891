import type { Clock } from '../core/clock';
import { sleep } from '../core/sleep';
import type { Commit } from '../eventsourcing/commit';
import type { EventStore } from '../eventsourcing/event-store';
import type { Logger } from '../logging/logger';
import type { FrameworkMetrics } from '../metrics/framework-metrics';
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
}

/**
 * The outbox's safety net: finds commits that were never flagged published (their process died, or the
 * stream was unreachable), repairs the aggregate's view and publishes them. Every replica may run it;
 * a double publication is harmless because consumers deduplicate by version.
 */
export class OutboxSweeper {
  private readonly stop = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly options: SweeperOptions) {}

  /** One pass; returns how many commits it published. */
  async sweepOnce(): Promise<number> {
    const { eventStore, publisher, repairView, clock, metrics } = this.options;
    const stragglers = await eventStore.unpublished(clock.now() - (this.options.graceMs ?? 5_000));
    const byAggregate = new Map<string, Commit[]>();
    for (const commit of stragglers) {
      const commits = byAggregate.get(commit.aggregateId) ?? [];
      commits.push(commit);
      byAggregate.set(commit.aggregateId, commits);
    }
    for (const [aggregateId, commits] of byAggregate) {
      await repairView(aggregateId);
      // Oldest first, so a consumer that is not behind sees this aggregate's versions in order.
      for (const commit of commits) {
        await publisher.publish(commit);
        metrics?.outboxRepublished.inc({ service: metrics.service, stream: eventStore.stream });
      }
    }
    return stragglers.length;
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
