import type { Clock } from '../core/clock';
import type { EventEnvelope } from '../events/envelope';
import type { Commit } from '../eventsourcing/commit';
import type { EventStore } from '../eventsourcing/event-store';
import type { Logger } from '../logging/logger';
import type { FrameworkMetrics } from '../metrics/framework-metrics';
import { RecentCache } from '../core/recent-cache';
import type { KeyValueMap, Stored } from '../storage/key-value';
import { writtenStored } from '../storage/key-value';
import { contextFromTraceparent, eventAttributes, inSpan, SpanKind } from '../telemetry';
import type { DeadLetterStore } from './dead-letter-store';
import type { Wait } from './handler-retries';
import { HandlerRetries } from './handler-retries';
import type { RetrySettings } from './retry-backoff';
import { defaultRetrySettings } from './retry-backoff';

export type { DeadLetter } from './dead-letter';
import type { DeliveryOwner, HandledVersionsReader } from './delivery-owner';

export interface HandlerContext {
  readonly group: string;
  readonly logger: Logger;
}

export type EventHandler = (event: EventEnvelope, context: HandlerContext) => Promise<void>;

/** The last version of an aggregate a consumer group has handled: its idempotency ledger. */
export interface LedgerEntry {
  readonly version: number;
}

/** Where a partition's commits go: a Delivery, or one owner's view of it. */
export interface CommitSink {
  deliver(commits: readonly Commit[]): Promise<void>;
}

export interface DeliveryOptions {
  readonly group: string;
  readonly handle: EventHandler;
  /** Only these event types are handed to the handler (absent: all); see ConsumerGroupOptions.handles. */
  readonly handles?: readonly string[];
  /**
   * The handler skips by itself what it has already applied (a projection guarded by the source version):
   * an aggregate's ledger entry may then lag its handled events by up to this long (ms), written once per
   * interval instead of after every commit. Absent or 0: after every commit, for handlers with effects.
   */
  readonly ledgerLagMs?: number;
  readonly ledger: KeyValueMap<LedgerEntry>;
  /** What the group acted on, kept without expiry: read with the ledger, whose entries expire. */
  readonly handledVersions?: HandledVersionsReader;
  /** Where an event that kept failing is parked: the group's one store, which the admin API reads too. */
  readonly deadLetters: DeadLetterStore;
  readonly eventStore: (stream: string) => EventStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: FrameworkMetrics;
  /** Attempts and back-off before an event is parked as a dead letter (defaults: retry-backoff.ts). */
  readonly retry?: Partial<RetrySettings>;
  /** How the back-off waits (default: a timer); a test passes one that moves a manual clock. */
  readonly wait?: Wait;
  /** Aggregates handled at once within a batch; one aggregate's commits are always handled in order. */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  /** Told when an event is parked, e.g. to fail the saga it belongs to. */
  readonly onParked?: (event: EventEnvelope, reason: string) => Promise<void>;
}

const ledgerKey = (commit: Pick<Commit, 'stream' | 'aggregateId'>): string =>
  `${commit.stream}:${commit.aggregateId}`;

/**
 * Where an owner is with one aggregate: its ledger entry as stored, and the last version it has been
 * through, which is further when the commits after the entry held nothing the group handles (those are
 * not recorded: a redelivery skips them just as cheaply).
 */
interface Progress {
  readonly entry: Stored<LedgerEntry> | undefined;
  readonly through: number;
  /** When the entry was last read or written (clock ms). */
  readonly entryAt: number;
}

const progressOf = (entry: Stored<LedgerEntry> | undefined, at: number, floor = 0): Progress => ({
  entry,
  through: Math.max(entry?.value.version ?? 0, floor),
  entryAt: at,
});

/**
 * Hands a batch of commits to the group's handler: per aggregate in version order, each version at most
 * once per group. A commit that arrives ahead of one the group has not seen (publication order is not
 * commit order) first pulls the missing ones from the event store, which always has them.
 */
export class Delivery {
  private readonly handled: (event: EventEnvelope) => boolean;
  private readonly retries: HandlerRetries;

  constructor(private readonly options: DeliveryOptions) {
    const types = options.handles ? new Set(options.handles) : undefined;
    this.handled = types ? (event) => types.has(event.eventType) : () => true;
    const { group, handle, clock, logger, metrics } = options;
    this.retries = new HandlerRetries({
      group,
      handle,
      retry: { ...defaultRetrySettings, ...options.retry },
      deadLetters: options.deadLetters,
      clock,
      logger,
      ...(metrics ? { metrics } : {}),
      ...(options.wait ? { wait: options.wait } : {}),
      ...(options.onParked ? { onParked: options.onParked } : {}),
    });
  }

  /**
   * A delivery for one owner of a partition, which remembers where it is with the aggregates it saw;
   * `stopped` (the owner lost the partition) ends a retry's back-off at once, leaving the event unhandled.
   */
  forOwner(owner?: DeliveryOwner, stopped?: AbortSignal): CommitSink {
    const known = new RecentCache<Progress>(this.options.clock);
    const group = this.options.signal;
    const signal = stopped && group ? AbortSignal.any([stopped, group]) : (stopped ?? group);
    return { deliver: (commits) => this.deliver(commits, known, owner, signal) };
  }

  async deliver(
    commits: readonly Commit[],
    known?: RecentCache<Progress>,
    owner?: DeliveryOwner,
    signal = this.options.signal,
  ): Promise<void> {
    const byAggregate = new Map<string, Commit[]>();
    for (const commit of commits) {
      const key = ledgerKey(commit);
      const queue = byAggregate.get(key) ?? [];
      queue.push(commit);
      byAggregate.set(key, queue);
    }
    // One read of the batch's ledger entries instead of one per commit; each aggregate then carries its
    // own entry forward, and a write on an entry another owner moved still fails its compare-and-set.
    const progress = new Map<string, Progress>();
    const unknown: string[] = [];
    for (const key of byAggregate.keys()) {
      const remembered = known?.get(key);
      if (remembered) progress.set(key, remembered);
      else unknown.push(key);
    }
    if (unknown.length > 0) {
      const [stored, floors] = await Promise.all([
        this.options.ledger.getAll(unknown),
        this.options.handledVersions?.versions(unknown),
      ]);
      const at = this.options.clock.now();
      for (const key of unknown) progress.set(key, progressOf(stored.get(key), at, floors?.get(key)));
    }
    const queues = [...byAggregate];
    const workers = Math.min(queues.length, this.options.concurrency ?? 32);
    let next = 0;
    // Every aggregate's run ends before the batch fails, so a redelivery never overlaps a handler call.
    const runs = await Promise.allSettled(
      Array.from({ length: workers }, async () => {
        while (next < queues.length) {
          const [key, queue] = queues[next++]!;
          let at = progress.get(key) ?? progressOf(undefined, this.options.clock.now());
          for (const commit of queue) at = await this.deliverInOrder(commit, at, owner, signal);
          known?.set(key, at);
        }
      }),
    );
    const failed = runs.find((run) => run.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Handles what of the commit the group has not handled yet; returns where it is after it. */
  private async deliverInOrder(
    commit: Commit,
    from: Progress,
    owner?: DeliveryOwner,
    signal?: AbortSignal,
  ): Promise<Progress> {
    const { ledger, eventStore, clock, ledgerLagMs = 0 } = this.options;
    const key = ledgerKey(commit);
    let entry = from.entry;
    let entryAt = from.entryAt;
    let handled = from.through;
    if (commit.lastVersion <= handled) return from;
    const pending =
      commit.firstVersion > handled + 1
        ? [
            ...(await eventStore(commit.stream).commitsAfter(
              commit.aggregateId,
              handled,
              commit.firstVersion - 1,
            )),
            commit,
          ]
        : [commit];
    for (const next of pending) {
      let acted = false;
      for (const event of next.events) {
        if (event.version <= handled || !this.handled(event)) continue;
        await this.handleWithRetry(event, next, signal, owner);
        acted = true;
      }
      handled = next.lastVersion;
      if (!acted) continue;
      owner?.handled(key, handled);
      // A handler that skips what it applied before may see these again after a crash: no write yet.
      if (entry && clock.now() - entryAt < ledgerLagMs) continue;
      entryAt = clock.now();
      const written = entry
        ? await ledger.replace(key, entry, { version: handled })
        : (await ledger.putIfAbsent(key, { version: handled })) === undefined;
      // Losing this race means another owner handled it meanwhile; its entry wins, ours is re-read.
      entry = written ? writtenStored({ version: handled }) : await ledger.get(key);
    }
    return { entry, through: Math.max(handled, entry?.value.version ?? 0), entryAt };
  }

  /**
   * In an `event.handle <EventType>` span, a child of the producer's span named by the event's traceparent,
   * so what the handler appends (and everything downstream) stays in the producer's trace.
   */
  private async handleWithRetry(
    event: EventEnvelope,
    commit: Commit,
    signal?: AbortSignal,
    owner?: DeliveryOwner,
  ): Promise<void> {
    return inSpan(
      `event.handle ${event.eventType}`,
      () => ({
        kind: SpanKind.CONSUMER,
        parent: contextFromTraceparent(event.traceparent),
        attributes: { ...eventAttributes(event), 'messaging.consumer.group.name': this.options.group },
      }),
      // Every attempt, the first and each retry, only while this owner still holds the partition.
      () => this.retries.handle(event, commit.stream, commit.committedAt, signal, () => owner?.assertHeld()),
    );
  }
}
