import type { Clock } from '../core/clock';
import type { IdSource } from '../core/ids';
import type { Naming } from '../core/naming';
import type { NewEvent } from '../events/envelope';
import type { AggregateView } from '../eventsourcing/aggregate-view';
import { AggregateRepository } from '../eventsourcing/aggregate-repository';
import type { Commit } from '../eventsourcing/commit';
import type { Decider } from '../eventsourcing/decider';
import { EventStore } from '../eventsourcing/event-store';
import { repairRecentViews } from '../eventsourcing/view-repair';
import type { Logger } from '../logging/logger';
import type { FrameworkMetrics } from '../metrics/framework-metrics';
import { OutboxPublisher } from '../outbox/outbox-publisher';
import { OutboxSweeper } from '../outbox/outbox-sweeper';
import type { KeyValueStore } from '../storage/key-value';
import type { StreamLogStore } from '../storage/stream-log';
import type { ConsumerGroupOptions } from '../subscriptions/consumer-group';
import type { DeadLetterQueue } from '../subscriptions/dead-letter-queue';
import type { RetrySettings } from '../subscriptions/retry-backoff';
import type { FaultInjection } from './fault-injection';
import { ConsumerGroup } from '../subscriptions/consumer-group';

export interface RuntimeOptions {
  readonly service: string;
  readonly naming: Naming;
  readonly kv: KeyValueStore;
  readonly logs: StreamLogStore;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly logger: Logger;
  readonly instanceId: string;
  readonly streamPartitions: number;
  readonly metrics?: FrameworkMetrics;
  readonly outboxGraceMs?: number;
  readonly outboxIntervalMs?: number;
  readonly leaseMs?: number;
  /** Every group's retries before parking, unless the group sets its own (EVENT_RETRY_* settings). */
  readonly retry?: RetrySettings;
  readonly faults?: FaultInjection;
  /**
   * At start, fold the commits of this long before each stream's newest into their views (0: never). For
   * stores that may lose their last view writes in a crash (PostgreSQL's deferred commits).
   */
  readonly viewRepairWindowMs?: number;
}

type GroupOptions = Pick<ConsumerGroupOptions, 'group' | 'streams' | 'handle'> &
  Partial<
    Pick<
      ConsumerGroupOptions,
      'handles' | 'idempotentHandler' | 'batchSize' | 'concurrency' | 'retry' | 'onParked' | 'onReplay'
    >
  >;

/**
 * Everything event-sourced a service owns, wired once: its aggregates (store, view, outbox, sweeper) and
 * its consumer groups. Start order and shutdown order live here, not in every service.
 */
export class EventSourcingRuntime {
  private readonly stores = new Map<string, EventStore>();
  private readonly publishers: OutboxPublisher[] = [];
  private readonly sweepers: OutboxSweeper[] = [];
  private readonly repairs: Array<() => Promise<number>> = [];
  private readonly groups: ConsumerGroup[] = [];

  constructor(readonly options: RuntimeOptions) {}

  eventStore(stream: string): EventStore {
    let store = this.stores.get(stream);
    if (!store) {
      store = new EventStore(stream, this.options.kv.map<Commit>(this.options.naming.eventStore(stream)));
      this.stores.set(stream, store);
    }
    return store;
  }

  /** An event-sourced aggregate type owned by this service, with its view `<stream>.view`. */
  repository<S, C, E extends NewEvent>(
    stream: string,
    decider: Decider<S, C, E>,
  ): AggregateRepository<S, C, E> {
    const { naming, kv, logs, clock, ids, logger, metrics } = this.options;
    const eventStore = this.eventStore(stream);
    const publisher = new OutboxPublisher({
      stream,
      partitions: this.options.streamPartitions,
      naming,
      logs,
      eventStore,
      logger,
      ...(metrics ? { metrics } : {}),
    });
    const repository = new AggregateRepository<S, C, E>({
      stream,
      decider,
      eventStore,
      views: kv.map<AggregateView<S>>(naming.view(stream)),
      publisher,
      clock,
      ids,
      ...(metrics ? { metrics } : {}),
      ...(this.options.faults
        ? { beforeAppend: this.options.faults.beforeAppend, afterAppend: this.options.faults.afterAppend }
        : {}),
    });
    this.publishers.push(publisher);
    const { viewRepairWindowMs = 0 } = this.options;
    if (viewRepairWindowMs > 0) {
      this.repairs.push(() =>
        repairRecentViews({
          eventStore,
          catchUp: (aggregateId) => repository.catchUp(aggregateId),
          windowMs: viewRepairWindowMs,
          logger,
        }),
      );
    }
    this.sweepers.push(
      new OutboxSweeper({
        eventStore,
        publisher,
        repairView: (aggregateId) => repository.catchUp(aggregateId),
        clock,
        logger,
        ...(metrics ? { metrics } : {}),
        ...(this.options.outboxGraceMs !== undefined ? { graceMs: this.options.outboxGraceMs } : {}),
        ...(this.options.outboxIntervalMs !== undefined ? { intervalMs: this.options.outboxIntervalMs } : {}),
      }),
    );
    return repository;
  }

  consumerGroup(options: GroupOptions): ConsumerGroup {
    const { naming, kv, logs, clock, logger, metrics, instanceId, streamPartitions, leaseMs } = this.options;
    const faults = this.options.faults;
    const group = new ConsumerGroup({
      ...options,
      ...(this.options.retry || options.retry ? { retry: { ...this.options.retry, ...options.retry } } : {}),
      handle: faults
        ? (event, context) => {
            faults.inHandler(event);
            return options.handle(event, context);
          }
        : options.handle,
      partitions: streamPartitions,
      naming,
      kv,
      logs,
      eventStore: (stream) => this.eventStore(stream),
      clock,
      logger: logger.child({ consumerGroup: options.group }),
      instanceId,
      ...(metrics ? { metrics } : {}),
      ...(leaseMs !== undefined ? { leaseMs } : {}),
    });
    this.groups.push(group);
    return group;
  }

  /** The parked events of every consumer group of this service, for the admin API. */
  deadLetterQueues(): DeadLetterQueue[] {
    return this.groups.map((group) => group.deadLetters);
  }

  /**
   * Repairs recent views (persistent mode), then sweeps once before consuming, so what a previous
   * incarnation left unpublished goes out first.
   */
  async start(): Promise<void> {
    for (const repair of this.repairs) await repair();
    for (const sweeper of this.sweepers) {
      await sweeper
        .sweepOnce()
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'initial sweep failed'));
      sweeper.start();
    }
    for (const group of this.groups) await group.start();
  }

  /** Consumers first (finish their batch), then the outbox (finish publishing), then the sweepers. */
  async close(): Promise<void> {
    await Promise.all(this.groups.map((group) => group.close()));
    await Promise.all(this.publishers.map((publisher) => publisher.drain()));
    await Promise.all(this.sweepers.map((sweeper) => sweeper.close()));
  }
}
