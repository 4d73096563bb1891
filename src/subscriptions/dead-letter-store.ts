import type { Clock } from '../core/clock';
import type { EventEnvelope } from '../events/envelope';
import type { KeyValueMap, Stored } from '../storage/key-value';
import { writtenStored } from '../storage/key-value';
import type { DeadLetter, DeadLetterStatus } from './dead-letter';
import { eventEntryId, itemEntryId, MAX_RAW_ITEM, OPEN_STATUSES } from './dead-letter';

/** Replayed and discarded entries are kept this long, for the record; open ones until someone acts. */
const RESOLVED_TTL_MS = 7 * 24 * 3_600_000;

export interface ParkedEvent {
  readonly event: EventEnvelope;
  readonly stream: string;
  readonly reason: string;
  readonly attempts: number;
}

export interface MalformedItem {
  readonly ring: string;
  readonly epoch: string;
  readonly sequence: number;
  readonly raw: string;
  readonly reason: string;
}

/** Why an entry could not be claimed for a replay or discarded. */
export type NotClaimed = 'not-found' | 'not-pending';

/**
 * One consumer group's parked events, on the KeyValueMap port (a Hazelcast IMap, or PostgreSQL in
 * persistent mode: `*.view` maps are durable there). Every status change is a compare-and-set, so two
 * operators (or replicas) acting on one entry act once.
 */
export class DeadLetterStore {
  constructor(
    readonly group: string,
    private readonly service: string,
    private readonly entries: KeyValueMap<DeadLetter>,
    private readonly clock: Clock,
    /** A REPLAYING claim older than this belongs to a replay that died: it may be claimed again. */
    private readonly replayClaimMs = 5 * 60_000,
  ) {}

  /** Parks an event the handler kept failing on; again after a failed replay (its replays counted on). */
  async parkEvent(parked: ParkedEvent): Promise<DeadLetter> {
    const { event } = parked;
    const id = eventEntryId(this.group, event.eventId);
    const before = (await this.entries.get(id))?.value;
    const entry: DeadLetter = {
      ...this.base(id, parked.reason),
      kind: 'handler',
      topicName: parked.stream,
      originalEventId: event.eventId,
      eventType: event.eventType,
      aggregateId: event.key,
      version: event.version,
      sagaId: event.sagaId ?? null,
      correlationId: event.correlationId,
      attempts: parked.attempts,
      replayCount: before?.replayCount ?? 0,
      event,
    };
    await this.entries.set(id, entry);
    return entry;
  }

  /** Parks a stream item that is not a commit; once per item however often it is read. */
  async parkMalformed(item: MalformedItem): Promise<{ entry: DeadLetter; first: boolean }> {
    const id = itemEntryId(this.group, item.ring, item.epoch, item.sequence);
    const entry: DeadLetter = {
      ...this.base(id, item.reason),
      kind: 'malformed',
      topicName: item.ring,
      rawItem: item.raw.slice(0, MAX_RAW_ITEM),
    };
    const existing = await this.entries.putIfAbsent(id, entry);
    return { entry: existing?.value ?? entry, first: existing === undefined };
  }

  async get(id: string): Promise<Stored<DeadLetter> | undefined> {
    return this.entries.get(id);
  }

  /** Newest failure first; at most `limit` entries (a page is cut from the merge of every group's). */
  async list(statuses: readonly DeadLetterStatus[], limit: number): Promise<DeadLetter[]> {
    const found = await this.entries.query([{ field: 'status', op: 'in', value: [...statuses] }], {
      orderBy: 'failureTimestamp',
      descending: true,
      limit,
    });
    return found.map(([, stored]) => stored.value);
  }

  count(statuses: readonly DeadLetterStatus[] = OPEN_STATUSES): Promise<number> {
    return this.entries.count([{ field: 'status', op: 'in', value: [...statuses] }]);
  }

  /** PENDING (or a dead replay's REPLAYING) → REPLAYING: only one caller gets the entry back. */
  async claimForReplay(id: string): Promise<Stored<DeadLetter> | NotClaimed> {
    for (;;) {
      const stored = await this.entries.get(id);
      if (!stored) return 'not-found';
      if (!this.claimable(stored.value)) return 'not-pending';
      const now = this.clock.now();
      const claimed: DeadLetter = {
        ...stored.value,
        status: 'REPLAYING',
        replayStartedAt: now,
        replayCount: stored.value.replayCount + 1,
      };
      if (await this.entries.replace(id, stored, claimed)) return writtenStored(claimed);
    }
  }

  /** The claimed replay succeeded. */
  replayed(claimed: Stored<DeadLetter>): Promise<boolean> {
    return this.resolve(claimed, 'REPLAYED', null);
  }

  /** The claimed replay failed: PENDING again, with the new reason. */
  async replayFailed(claimed: Stored<DeadLetter>, reason: string): Promise<boolean> {
    return this.entries.replace(claimed.value.dlqEntryId, claimed, {
      ...claimed.value,
      status: 'PENDING',
      failureReason: reason,
      failureTimestamp: this.clock.now(),
      replayStartedAt: null,
    });
  }

  /** PENDING → DISCARDED with the operator's reason. */
  async discard(id: string, reason: string): Promise<DeadLetter | NotClaimed> {
    for (;;) {
      const stored = await this.entries.get(id);
      if (!stored) return 'not-found';
      if (stored.value.status !== 'PENDING') return 'not-pending';
      if (await this.resolve(stored, 'DISCARDED', reason))
        return { ...stored.value, status: 'DISCARDED', resolution: reason };
    }
  }

  private claimable(entry: DeadLetter): boolean {
    if (entry.status === 'PENDING') return true;
    return (
      entry.status === 'REPLAYING' &&
      entry.replayStartedAt !== null &&
      this.clock.now() - entry.replayStartedAt >= this.replayClaimMs
    );
  }

  private async resolve(
    stored: Stored<DeadLetter>,
    status: 'REPLAYED' | 'DISCARDED',
    resolution: string | null,
  ): Promise<boolean> {
    const id = stored.value.dlqEntryId;
    const resolved: DeadLetter = {
      ...stored.value,
      status,
      resolvedAt: this.clock.now(),
      resolution,
      replayStartedAt: null,
    };
    if (!(await this.entries.replace(id, stored, resolved))) return false;
    // The compare-and-set decided; this only gives the record its lifetime (replace takes no TTL).
    await this.entries.set(id, resolved, { ttlMs: RESOLVED_TTL_MS });
    return true;
  }

  private base(id: string, reason: string): Omit<DeadLetter, 'kind' | 'topicName'> {
    return {
      dlqEntryId: id,
      group: this.group,
      sourceService: this.service,
      status: 'PENDING',
      originalEventId: null,
      eventType: null,
      aggregateId: null,
      version: null,
      sagaId: null,
      correlationId: null,
      failureReason: reason,
      failureTimestamp: this.clock.now(),
      attempts: 0,
      replayCount: 0,
      event: null,
      rawItem: null,
      replayStartedAt: null,
      resolvedAt: null,
      resolution: null,
    };
  }
}
