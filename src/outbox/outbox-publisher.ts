import { GroupCommit } from '../core/group-commit';
import type { Naming } from '../core/naming';
import { partitionOf } from '../core/naming';
import type { Commit } from '../eventsourcing/commit';
import type { EventStore } from '../eventsourcing/event-store';
import type { Logger } from '../logging/logger';
import type { FrameworkMetrics } from '../metrics/framework-metrics';
import type { StreamLogStore } from '../storage/stream-log';
import { commitAttributes, contextFromTraceparent, inSpan, SpanKind } from '../telemetry';

export interface PublisherOptions {
  readonly stream: string;
  readonly partitions: number;
  readonly naming: Naming;
  readonly logs: StreamLogStore;
  readonly eventStore: EventStore;
  readonly logger: Logger;
  readonly metrics?: FrameworkMetrics;
}

/**
 * Puts committed commits on their stream partition, then flags them published in the event store. A
 * crash between the two only causes a second publication later (the sweeper), which consumers ignore.
 */
export class OutboxPublisher {
  private readonly inFlight = new Set<Promise<void>>();
  /** The published flags of commits published meanwhile go to the event store together. */
  private readonly flags: GroupCommit<Commit>;

  constructor(private readonly options: PublisherOptions) {
    this.flags = new GroupCommit((commits) => options.eventStore.markAllPublished(commits));
  }

  partitionName(aggregateId: string): string {
    const { naming, stream, partitions } = this.options;
    return naming.streamPartition(stream, partitionOf(aggregateId, partitions));
  }

  /** In an `event.publish` span, a child of the span the commit's events were appended in. */
  async publish(commit: Commit): Promise<void> {
    return inSpan(
      'event.publish',
      () => ({
        kind: SpanKind.PRODUCER,
        parent: contextFromTraceparent(commit.events[0]?.traceparent),
        attributes: commitAttributes(commit.events),
      }),
      () => this.publishNow(commit),
    );
  }

  private async publishNow(commit: Commit): Promise<void> {
    const { logs, metrics } = this.options;
    const append = async (): Promise<void> => {
      await logs
        .log(this.partitionName(commit.aggregateId))
        .append(JSON.stringify({ ...commit, published: true }));
      await this.flags.add(commit);
    };
    await (metrics ? metrics.time('publish', append) : append());
    if (metrics) {
      for (const event of commit.events) {
        metrics.eventsPublished.inc({ service: metrics.service, event_type: event.eventType });
      }
    }
  }

  /** Publishes without holding up the caller; failures are left to the sweeper. Drained on shutdown. */
  publishInBackground(commit: Commit): void {
    const publishing = this.publish(commit).catch((error: unknown) => {
      this.options.logger.warn(
        { err: error, aggregateId: commit.aggregateId, version: commit.firstVersion },
        'publish failed; the outbox sweeper will retry',
      );
    });
    this.inFlight.add(publishing);
    void publishing.finally(() => this.inFlight.delete(publishing));
  }

  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}
