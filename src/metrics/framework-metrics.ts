import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { BusinessMetrics } from './business-metrics';
import { DeadLetterMetrics } from './dead-letter-metrics';

const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The framework's own metrics (OBSERVABILITY.md). One instance per process, registered on the service's
 * registry; every series carries the service label so sums over replicas count each event once.
 */
export class FrameworkMetrics {
  readonly eventsAppended: Counter<'service' | 'event_type'>;
  readonly eventsPublished: Counter<'service' | 'event_type'>;
  readonly eventsConsumed: Counter<'service' | 'consumer_group' | 'event_type'>;
  readonly handlerFailures: Counter<'service' | 'consumer_group' | 'event_type'>;
  readonly stageDuration: Histogram<'service' | 'stage'>;
  readonly endToEnd: Histogram<'service' | 'event_type'>;
  readonly subscriptionLag: Gauge<'consumer_group' | 'stream'>;
  readonly caughtUpCommits: Counter<'consumer_group' | 'stream' | 'reason'>;
  readonly appendConflicts: Counter<'service' | 'stream'>;
  readonly viewUpdates: Counter<'view'>;
  readonly viewStaleness: Histogram<'view'>;
  readonly viewEntries: Gauge<'view'>;
  /** Views whose size `view_entries` reports at scrape time (the map's name is the view label). */
  private readonly views = new Map<string, { size(): Promise<number> }>();
  readonly outboxRepublished: Counter<'service' | 'stream'>;
  readonly business: BusinessMetrics;
  readonly deadLetters: DeadLetterMetrics;

  constructor(
    readonly service: string,
    registry: Registry,
  ) {
    const registers = [registry];
    this.business = new BusinessMetrics(registry);
    this.deadLetters = new DeadLetterMetrics(registry);
    this.eventsAppended = new Counter({
      name: 'events_appended_total',
      help: 'Events committed to the event store',
      labelNames: ['service', 'event_type'],
      registers,
    });
    this.eventsPublished = new Counter({
      name: 'events_published_total',
      help: 'Events published to their stream',
      labelNames: ['service', 'event_type'],
      registers,
    });
    this.eventsConsumed = new Counter({
      name: 'events_consumed_total',
      help: 'Events handled by a consumer group',
      labelNames: ['service', 'consumer_group', 'event_type'],
      registers,
    });
    this.handlerFailures = new Counter({
      name: 'event_handler_failures_total',
      help: 'Event handler attempts that threw',
      labelNames: ['service', 'consumer_group', 'event_type'],
      registers,
    });
    this.stageDuration = new Histogram({
      name: 'event_stage_duration_seconds',
      help: 'Time spent per stage of an event: append, view_update, publish, handle',
      labelNames: ['service', 'stage'],
      buckets: latencyBuckets,
      registers,
    });
    this.endToEnd = new Histogram({
      name: 'event_end_to_end_seconds',
      help: 'From commit to handled by a consumer',
      labelNames: ['service', 'event_type'],
      buckets: latencyBuckets,
      registers,
    });
    this.subscriptionLag = new Gauge({
      name: 'subscription_lag_events',
      help: 'Events published but not yet handled, per consumer group and stream',
      labelNames: ['consumer_group', 'stream'],
      registers,
    });
    this.caughtUpCommits = new Counter({
      name: 'subscription_caught_up_commits_total',
      help:
        'Commits a consumer group read back from the event store because its stream partition no longer held ' +
        'them (reason: overrun, epoch or recreated: the ringbuffer was lost; resumed). Nothing is skipped; ' +
        'the ledger passes over those already handled',
      labelNames: ['consumer_group', 'stream', 'reason'],
      registers,
    });
    this.appendConflicts = new Counter({
      name: 'event_append_conflicts_total',
      help: 'Optimistic-concurrency conflicts retried on append',
      labelNames: ['service', 'stream'],
      registers,
    });
    this.viewUpdates = new Counter({
      name: 'view_updates_total',
      help: 'Materialized view entries written',
      labelNames: ['view'],
      registers,
    });
    const views = this.views;
    this.viewEntries = new Gauge({
      name: 'view_entries',
      help: 'Entries in a materialized view (cluster-wide map size, read at scrape time)',
      labelNames: ['view'],
      registers,
      async collect() {
        for (const [view, map] of views) {
          const size = await map.size().catch(() => undefined);
          if (size !== undefined) this.set({ view }, size);
        }
      },
    });
    this.viewStaleness = new Histogram({
      name: 'view_staleness_seconds',
      help: 'From event commit to the view reflecting it',
      labelNames: ['view'],
      buckets: latencyBuckets,
      registers,
    });
    this.outboxRepublished = new Counter({
      name: 'outbox_swept_commits_total',
      help: 'Commits found unpublished by the outbox sweeper and published by it',
      labelNames: ['service', 'stream'],
      registers,
    });
  }

  /** Reports the view's entry count as `view_entries{view=<name>}`. */
  trackView(view: { readonly name: string; size(): Promise<number> }): void {
    this.views.set(view.name, view);
  }

  /** Observes a stage's duration around an async step. */
  async time<T>(stage: string, step: () => Promise<T>): Promise<T> {
    const end = this.stageDuration.startTimer({ service: this.service, stage });
    try {
      return await step();
    } finally {
      end();
    }
  }
}
