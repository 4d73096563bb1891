import type { Clock } from '../core/clock';
import type { Naming } from '../core/naming';
import { sleep } from '../core/sleep';
import type { EventEnvelope } from '../events/envelope';
import type { EventStore } from '../eventsourcing/event-store';
import type { Logger } from '../logging/logger';
import type { FrameworkMetrics } from '../metrics/framework-metrics';
import type { KeyValueStore } from '../storage/key-value';
import type { StreamLogStore } from '../storage/stream-log';
import type { DeadLetter } from './dead-letter';
import { DeadLetterQueue } from './dead-letter-queue';
import { DeadLetterStore } from './dead-letter-store';
import type { EventHandler, LedgerEntry } from './delivery';
import { Delivery } from './delivery';
import type { Wait } from './handler-retries';
import type { HandledVersion } from './handled-versions';
import { HandledVersions } from './handled-versions';
import type { LeaseGrant } from './lease-grant';
import type { LeaseRecord, PartitionRef } from './leases';
import { LeaseCoordinator, partitionLeaseKey } from './leases';
import type { Checkpoint } from './checkpoint';
import { PartitionWorker } from './partition-worker';
import type { RetrySettings } from './retry-backoff';
import type { StreamEpoch } from './stream-epochs';
import { StreamEpochs } from './stream-epochs';

export interface ConsumerGroupOptions {
  /** The group's name; every replica of a service uses the same one, so each event is handled once. */
  readonly group: string;
  readonly streams: readonly string[];
  readonly partitions: number;
  readonly handle: EventHandler;
  /**
   * The event types the handler acts on; the others are never handed to it and leave no ledger write
   * (most of a stream, for a saga participant). Absent: every event.
   */
  readonly handles?: readonly string[];
  /**
   * The handler skips by itself what it has already applied (a projection: src/views/projection.ts), so
   * its ledger entries are written at most once a second per aggregate instead of after every commit.
   */
  readonly idempotentHandler?: boolean;
  readonly naming: Naming;
  readonly kv: KeyValueStore;
  readonly logs: StreamLogStore;
  readonly eventStore: (stream: string) => EventStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly instanceId: string;
  readonly metrics?: FrameworkMetrics;
  readonly leaseMs?: number;
  readonly batchSize?: number;
  /** After a batch a partition's checkpoint is written at most this often (default 1 s; 0: every batch). */
  readonly checkpointEveryMs?: number;
  readonly concurrency?: number;
  /** Attempts and back-off before an event is parked (defaults: retry-backoff.ts). */
  readonly retry?: Partial<RetrySettings>;
  /** How the back-off waits (default: a timer). */
  readonly wait?: Wait;
  /** Producer clock skew plus the longest publication delay a catch-up must reach around (default 60 s). */
  readonly catchUpMarginMs?: number;
  /** Commits per event-store page of a catch-up (default 500). */
  readonly catchUpPageSize?: number;
  /** How often an idle partition checks whether its ringbuffer was recreated (default 2 s). */
  readonly epochCheckMs?: number;
  readonly onParked?: (event: EventEnvelope, reason: string) => Promise<void>;
  /** Before a parked event is replayed, e.g. to reopen the saga its parking failed. */
  readonly onReplay?: (event: EventEnvelope) => Promise<void>;
}

/**
 * A durable, replayable subscription shared by the replicas of one service: partitions are leased,
 * progress is checkpointed per partition, and each aggregate's events are handled in order, once.
 */
export class ConsumerGroup {
  private readonly leases: LeaseCoordinator;
  private readonly workers = new Map<string, PartitionWorker>();
  /** Workers still finishing after their lease ended: a new grant of the partition starts after them. */
  private readonly stopping = new Map<string, Promise<void>>();
  private readonly handledVersions: HandledVersions;
  private readonly lag = new Map<string, number>();
  private readonly stopper = new AbortController();
  private readonly delivery: Delivery;
  private readonly deadLetterStore: DeadLetterStore;
  /** The group's parked events, for the admin API (`/api/admin/dlq`). */
  readonly deadLetters: DeadLetterQueue;
  private readonly epochs: StreamEpochs;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: ConsumerGroupOptions) {
    const { group, naming, kv, clock, logger, metrics } = options;
    const deadLetters = kv.map<DeadLetter>(naming.deadLetters(group));
    this.deadLetterStore = new DeadLetterStore(group, metrics?.service ?? group, deadLetters, clock);
    this.deadLetters = new DeadLetterQueue({
      group,
      store: this.deadLetterStore,
      handle: options.handle,
      logger,
      ...(metrics ? { metrics } : {}),
      ...(options.onReplay ? { onReplay: options.onReplay } : {}),
      ...(options.onParked ? { onParked: options.onParked } : {}),
    });
    metrics?.deadLetters.trackGroup(group, () => this.deadLetterStore.count());
    this.handledVersions = new HandledVersions(kv.map<HandledVersion>(naming.handledVersions(group)));
    this.delivery = new Delivery({
      group,
      handle: options.handle,
      ...(options.handles ? { handles: options.handles } : {}),
      ...(options.idempotentHandler ? { ledgerLagMs: 1_000 } : {}),
      ledger: kv.map<LedgerEntry>(naming.ledger(group)),
      handledVersions: this.handledVersions,
      deadLetters: this.deadLetterStore,
      eventStore: options.eventStore,
      clock,
      logger,
      signal: this.stopper.signal,
      ...(metrics ? { metrics } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.wait ? { wait: options.wait } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      ...(options.onParked ? { onParked: options.onParked } : {}),
    });
    this.epochs = new StreamEpochs(kv.map<StreamEpoch>(naming.streamEpochs()), clock);
    const refs: PartitionRef[] = options.streams.flatMap((stream) =>
      Array.from({ length: options.partitions }, (_, partition) => ({ stream, partition })),
    );
    this.leases = new LeaseCoordinator({
      group,
      instanceId: options.instanceId,
      partitions: refs,
      leases: kv.map<LeaseRecord>(naming.leases()),
      clock,
      leaseMs: this.leaseMs,
      onAcquired: (ref, grant) => this.startWorker(ref, grant),
      onReleasing: (ref) => this.stopWorker(ref, 'flush'),
      onLost: (ref) => this.stopWorker(ref, 'abandon'),
    });
  }

  get name(): string {
    return this.options.group;
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? 10_000;
  }

  ownedPartitions(): PartitionRef[] {
    return this.leases.ownedPartitions();
  }

  /** Takes the first leases before returning, so a single replica is consuming when start resolves. */
  async start(): Promise<void> {
    await this.leases.tick();
    this.loop ??= this.run();
  }

  /**
   * Finishes the batches in hand, writes their checkpoints, then gives the partitions back for another
   * replica to take at once: in that order, so the next owner starts where this one stopped.
   */
  async close(): Promise<void> {
    this.stopper.abort();
    await this.loop;
    await Promise.all([...this.workers.values()].map((worker) => worker.stop()));
    await this.leases.releaseAll();
  }

  private async run(): Promise<void> {
    while (!this.stopper.signal.aborted) {
      await sleep(this.leaseMs / 3, this.stopper.signal);
      if (this.stopper.signal.aborted) return;
      try {
        await this.leases.tick();
      } catch (error) {
        this.options.logger.warn({ err: error, group: this.name }, 'lease round failed; will retry');
      }
    }
  }

  private startWorker(ref: PartitionRef, grant: LeaseGrant): void {
    const { group, naming, kv, logs, clock, logger, metrics } = this.options;
    const key = partitionLeaseKey(group, ref);
    const worker = new PartitionWorker({
      group,
      ref,
      partitions: this.options.partitions,
      log: logs.log(naming.streamPartition(ref.stream, ref.partition)),
      checkpoints: kv.map<Checkpoint>(naming.checkpoints()),
      epochs: this.epochs,
      eventStore: this.options.eventStore(ref.stream),
      delivery: this.delivery,
      deadLetters: this.deadLetterStore,
      grant,
      handledVersions: this.handledVersions.forOwner(),
      onFenced: () => this.leases.forget(ref),
      clock,
      logger,
      batchSize: this.options.batchSize ?? 100,
      checkpointEveryMs: this.options.checkpointEveryMs ?? 1_000,
      catchUpMarginMs: this.options.catchUpMarginMs ?? 60_000,
      catchUpPageSize: this.options.catchUpPageSize ?? 500,
      epochCheckMs: this.options.epochCheckMs ?? 2_000,
      onLag: (lag) => this.reportLag(key, ref.stream, lag),
      ...(metrics ? { metrics } : {}),
    });
    this.workers.set(key, worker);
    const previous = this.stopping.get(key);
    if (previous) void previous.then(() => this.workers.get(key) === worker && worker.start());
    else worker.start();
  }

  private async stopWorker(ref: PartitionRef, mode: 'flush' | 'abandon'): Promise<void> {
    const key = partitionLeaseKey(this.options.group, ref);
    const worker = this.workers.get(key);
    this.workers.delete(key);
    this.reportLag(key, ref.stream, 0);
    if (!worker) return;
    const stopped = worker.stop(mode);
    this.stopping.set(key, stopped);
    await stopped;
    if (this.stopping.get(key) === stopped) this.stopping.delete(key);
  }

  private reportLag(key: string, stream: string, lag: number): void {
    this.lag.set(key, lag);
    let total = 0;
    for (const [partitionKey, value] of this.lag)
      if (partitionKey.startsWith(`${this.name}|${stream}|`)) total += value;
    this.options.metrics?.subscriptionLag.set({ consumer_group: this.name, stream }, total);
  }
}
