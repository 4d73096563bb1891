import type { Clock } from '../core/clock';
import type { IdSource } from '../core/ids';
import { isoTime } from '../core/clock';
import { KeyedBatches, type BatchResult, type Outcome } from '../core/keyed-batches';
import type { CommandMetadata, EventEnvelope, NewEvent } from '../events/envelope';
import type { FrameworkMetrics } from '../metrics/framework-metrics';
import type { OutboxPublisher } from '../outbox/outbox-publisher';
import type { Condition, KeyValueMap, Stored } from '../storage/key-value';
import { writtenStored } from '../storage/key-value';
import { isoTimeField, newestFirst } from '../storage/newest-first';
import { commitAttributes, inSpan, SpanKind, traceparentForEvents } from '../telemetry';
import type { AggregateView } from './aggregate-view';
import type { Commit } from './commit';
import type { Decider } from './decider';
import { evolveAll } from './decider';
import type { EventStore } from './event-store';

export interface RepositoryOptions<S, C, E extends NewEvent> {
  /** The domain, e.g. "Product": the envelope's `source` and the stream's name. */
  readonly stream: string;
  readonly decider: Decider<S, C, E>;
  readonly eventStore: EventStore;
  readonly views: KeyValueMap<AggregateView<S>>;
  readonly publisher: OutboxPublisher;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly metrics?: FrameworkMetrics;
  /** Bounds the retry loop under contention; each conflict means another writer made progress. */
  readonly maxAttempts?: number;
  /** Test-only fault point right before an append is sent. */
  readonly beforeAppend?: (events: readonly EventEnvelope[]) => void;
  /** Test-only crash point between the commit and everything after it. */
  readonly afterAppend?: (commit: Commit) => void;
}

export interface HandleResult<S> {
  readonly state: S;
  readonly version: number;
  readonly events: readonly EventEnvelope[];
}

/** Where a page of `list` ended: the last aggregate's id and the value of its `newestBy` field. */
export interface ListCursor {
  readonly id: string;
  readonly at: string;
}

/** A command waiting its aggregate's turn, with the metadata its events will carry. */
interface Queued<C> {
  readonly command: C;
  readonly metadata: CommandMetadata;
}

export class ContentionError extends Error {
  constructor(stream: string, aggregateId: string, attempts: number) {
    super(`gave up on ${stream} ${aggregateId} after ${attempts} conflicting appends`);
    this.name = 'ContentionError';
  }
}

/**
 * Runs commands against one kind of aggregate. The view is a cache of the event store: the command
 * starts from it, and if it is behind (another writer, or a process that died before updating it) the
 * append conflicts, the conflicting commit is folded in and the decision is made again. Within one process
 * an aggregate's commands run one batch at a time, each batch starting from the view the one before it
 * saved: they would otherwise race each other to the same version and all but one redo the work. Commands
 * that queued while a batch ran are decided together and appended as one commit (a hot product: one append
 * and one view write for many reservations).
 */
export class AggregateRepository<S, C, E extends NewEvent> {
  private readonly maxAttempts: number;
  private readonly batches = new KeyedBatches<Queued<C>, HandleResult<S>, Stored<AggregateView<S>>>(
    (aggregateId, commands, carried) => this.decideAndAppendAll(aggregateId, commands, carried),
  );

  constructor(private readonly options: RepositoryOptions<S, C, E>) {
    this.maxAttempts = options.maxAttempts ?? 100;
    options.metrics?.trackView(options.views);
  }

  get stream(): string {
    return this.options.stream;
  }

  async load(aggregateId: string): Promise<AggregateView<S> | undefined> {
    return (await this.options.views.get(aggregateId))?.value;
  }

  async loadMany(aggregateIds: readonly string[]): Promise<Map<string, AggregateView<S>>> {
    const found = new Map<string, AggregateView<S>>();
    for (const [id, stored] of await this.options.views.getAll(aggregateIds)) found.set(id, stored.value);
    return found;
  }

  /**
   * The newest aggregates by a time field of their state (`newestBy`, an ISO time such as `createdAt`,
   * sorted-indexed in config/hazelcast.yaml), at most `limit`; `after` continues from an earlier page.
   * Read through a window on that index (newest-first.ts): the cost follows the page, not the aggregates.
   */
  async list(limit: number, order: { readonly newestBy: string; readonly after?: ListCursor }): Promise<S[]> {
    const { after } = order;
    const afterMs = after ? Date.parse(after.at) : undefined;
    if (after && !Number.isFinite(afterMs))
      throw new RangeError(`list cursor 'at' is not an ISO time: ${after.at}`);
    const found = await newestFirst(this.options.views, {
      field: isoTimeField(`state.${order.newestBy}`),
      limit,
      now: this.options.clock.now(),
      ...(after ? { after: { epochMs: afterMs!, key: after.id } } : {}),
    });
    return found.map(([, stored]) => stored.value.state);
  }

  /** Aggregates whose state matches, e.g. `[{ field: 'state.customerId', op: 'eq', value: id }]`. */
  async find(conditions: readonly Condition[]): Promise<S[]> {
    return (await this.options.views.query(conditions)).map(([, stored]) => stored.value.state);
  }

  /**
   * Runs one command in an `event.append` span. Its events carry the traceparent of the active span (an HTTP
   * request's, an event handler's, this append's) when the command names none or one of the same trace, so a
   * consumer's handling span joins the trace (see docs/adr/0006-tracing.md).
   */
  async handle(aggregateId: string, command: C, metadata: CommandMetadata): Promise<HandleResult<S>> {
    return inSpan(
      `event.append ${this.stream}`,
      () => ({
        kind: SpanKind.INTERNAL,
        attributes: { 'event.source': this.stream, 'event.key': aggregateId },
      }),
      async (span) => {
        const traceparent = traceparentForEvents(metadata.traceparent);
        const result = await this.batches.submit(aggregateId, {
          command,
          metadata: traceparent === metadata.traceparent ? metadata : { ...metadata, traceparent },
        });
        if (span.isRecording()) span.setAttributes(commitAttributes(result.events));
        return result;
      },
    );
  }

  /**
   * Decides every queued command in turn, each on the state the ones before it left, and appends all their
   * events as one commit: one append and one view write for the batch. A conflict means the view was behind:
   * the winner is folded in and the whole batch decided again.
   */
  private async decideAndAppendAll(
    aggregateId: string,
    commands: readonly Queued<C>[],
    carried: Stored<AggregateView<S>> | undefined,
  ): Promise<BatchResult<HandleResult<S>, Stored<AggregateView<S>>>> {
    const { decider, eventStore, clock, metrics } = this.options;
    const stored = carried ?? (await this.options.views.get(aggregateId));
    let view: AggregateView<S> = stored?.value ?? { version: 0, state: decider.initialState(), updatedAt: 0 };
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const now = clock.now();
      const outcomes = this.decideAll(aggregateId, view, commands, now);
      const events = outcomes.flatMap((outcome) => (outcome.ok ? outcome.value.events : []));
      if (events.length === 0) {
        // "Nothing to do" or "no" from a view that missed a commit may be wrong (a release of stock the view
        // never saw reserved, a refund of a payment it lacks): it holds only for the head.
        const newer = await this.newerThan(aggregateId, view);
        if (newer) {
          view = newer;
          continue;
        }
        if (!this.foldedPast(stored, view)) return stored ? { outcomes, carry: stored } : { outcomes };
        return { outcomes, carry: await this.saveView(aggregateId, stored, view) };
      }
      this.options.beforeAppend?.(events);
      const append = () => eventStore.append(aggregateId, view.version, events, now);
      const result = await (metrics ? metrics.time('append', append) : append());
      if (!result.ok) {
        metrics?.appendConflicts.inc({ service: metrics.service, stream: this.stream });
        view = this.fold(view, result.conflict);
        continue;
      }
      // The append at the view's version + 1 proves the view was the head: every decision stands.
      this.options.afterAppend?.(result.commit);
      for (const event of events) {
        metrics?.eventsAppended.inc({ service: metrics.service, event_type: event.eventType });
        metrics?.business.observe(event);
      }
      const next = this.fold(view, result.commit);
      const save = () => this.saveView(aggregateId, stored, next);
      const saved = await (metrics ? metrics.time('view_update', save) : save());
      this.options.publisher.publishInBackground(result.commit);
      return { outcomes, carry: saved };
    }
    throw new ContentionError(this.stream, aggregateId, this.maxAttempts);
  }

  /** Each command decided on the state the ones before it left; a refused one leaves the state as it was. */
  private decideAll(
    aggregateId: string,
    view: AggregateView<S>,
    commands: readonly Queued<C>[],
    now: number,
  ): Array<Outcome<HandleResult<S>>> {
    const { decider } = this.options;
    let { state, version } = view;
    return commands.map(({ command, metadata }) => {
      try {
        const events = decider
          .decide(command, state)
          .map((event, index) => this.envelope(aggregateId, version + index + 1, event, metadata, now));
        state = evolveAll(decider, state, events);
        version += events.length;
        return { ok: true, value: { state, version, events } };
      } catch (error) {
        return { ok: false, error };
      }
    });
  }

  /** Commits were folded into the view since it was read: worth saving (never an aggregate with none). */
  private foldedPast(stored: Stored<AggregateView<S>> | undefined, view: AggregateView<S>): boolean {
    return view.version > (stored?.value.version ?? 0);
  }

  /** The view folded up to the head when the event store holds commits it lacks; undefined when it is the head. */
  private async newerThan(
    aggregateId: string,
    view: AggregateView<S>,
  ): Promise<AggregateView<S> | undefined> {
    const { eventStore } = this.options;
    // One point read: a commit starting right after the view is the only way the view can be behind.
    if (!(await eventStore.commit(aggregateId, view.version + 1))) return undefined;
    let folded = view;
    for (const commit of await eventStore.commitsAfter(aggregateId, view.version))
      folded = this.fold(folded, commit);
    return folded;
  }

  /** Brings the view up to the event store's head; what the sweeper and a rebuild use. */
  async catchUp(aggregateId: string): Promise<AggregateView<S> | undefined> {
    const stored = await this.options.views.get(aggregateId);
    let view: AggregateView<S> = stored?.value ?? {
      version: 0,
      state: this.options.decider.initialState(),
      updatedAt: 0,
    };
    const commits = await this.options.eventStore.commitsAfter(aggregateId, view.version);
    if (commits.length === 0) return stored?.value;
    for (const commit of commits) view = this.fold(view, commit);
    await this.saveView(aggregateId, stored, view);
    return view;
  }

  /** Discards the view and folds the whole stream again. */
  async rebuild(aggregateId: string): Promise<AggregateView<S> | undefined> {
    await this.options.views.delete(aggregateId);
    return this.catchUp(aggregateId);
  }

  async rebuildAll(): Promise<number> {
    const ids = await this.options.eventStore.aggregateIds();
    for (const id of ids) await this.rebuild(id);
    return ids.length;
  }

  async events(aggregateId: string, limit: number): Promise<EventEnvelope[]> {
    return this.options.eventStore.events(aggregateId, 0, limit);
  }

  private fold(view: AggregateView<S>, commit: Commit): AggregateView<S> {
    return {
      version: commit.lastVersion,
      state: evolveAll(this.options.decider, view.state, commit.events),
      updatedAt: commit.committedAt,
    };
  }

  /**
   * Compare-and-set until the stored view is at least as new as ours: views never move backwards.
   * Returns the view as stored now (ours, or the newer one found).
   */
  private async saveView(
    aggregateId: string,
    read: Stored<AggregateView<S>> | undefined,
    next: AggregateView<S>,
  ): Promise<Stored<AggregateView<S>> | undefined> {
    const { views, metrics, clock } = this.options;
    let current = read;
    for (;;) {
      if (current && current.value.version >= next.version) return current;
      const written = current
        ? await views.replace(aggregateId, current, next)
        : (await views.putIfAbsent(aggregateId, next)) === undefined;
      if (written) {
        metrics?.viewUpdates.inc({ view: views.name });
        metrics?.viewStaleness.observe(
          { view: views.name },
          Math.max(0, clock.now() - next.updatedAt) / 1000,
        );
        return writtenStored(next);
      }
      current = await views.get(aggregateId);
    }
  }

  private envelope(
    aggregateId: string,
    version: number,
    event: E,
    metadata: CommandMetadata,
    now: number,
  ): EventEnvelope {
    const saga = metadata.saga || event.saga ? { ...metadata.saga, ...event.saga } : undefined;
    return {
      eventId: this.options.ids.uuid(),
      eventType: event.type,
      eventVersion: event.eventVersion ?? 1,
      source: this.stream,
      key: aggregateId,
      version,
      timestamp: isoTime(now),
      correlationId: metadata.correlationId,
      ...(saga?.sagaId ? { sagaId: saga.sagaId } : {}),
      ...(saga?.sagaType ? { sagaType: saga.sagaType } : {}),
      ...(saga?.stepNumber !== undefined ? { stepNumber: saga.stepNumber } : {}),
      isCompensating: saga?.isCompensating ?? false,
      ...(metadata.traceparent ? { traceparent: metadata.traceparent } : {}),
      ...(metadata.causationId ? { causationId: metadata.causationId } : {}),
      payload: event.payload,
    };
  }
}
