import { createHash } from 'node:crypto';
import type { EventEnvelope } from '../events/envelope';

/**
 * PENDING: parked, waiting for an operator. REPLAYING: a replay has claimed it and is running the handler.
 * REPLAYED and DISCARDED are the two ends, kept a week for the record. (The Java framework's statuses,
 * plus REPLAYING: our replay runs the handler itself, so a claim makes two replays handle it once.)
 */
export const deadLetterStatuses = ['PENDING', 'REPLAYING', 'REPLAYED', 'DISCARDED'] as const;
export type DeadLetterStatus = (typeof deadLetterStatuses)[number];

/** What the default list shows: what still needs someone. */
export const OPEN_STATUSES: readonly DeadLetterStatus[] = ['PENDING', 'REPLAYING'];

/** `handler`: the group's handler kept throwing on it. `malformed`: the stream item is not a valid commit. */
export type DeadLetterKind = 'handler' | 'malformed';

/**
 * One parked event (or unreadable stream item) of one consumer group, in `<group>.dead-letters.view`.
 * Field names follow the Java framework's DeadLetterEntry where it has one.
 */
export interface DeadLetter {
  readonly dlqEntryId: string;
  readonly group: string;
  /** The service whose group failed on it (Java: sourceService). */
  readonly sourceService: string;
  readonly kind: DeadLetterKind;
  readonly status: DeadLetterStatus;
  /** The stream (`Order`), or for a malformed item the ringbuffer it was read from. */
  readonly topicName: string;
  readonly originalEventId: string | null;
  readonly eventType: string | null;
  readonly aggregateId: string | null;
  readonly version: number | null;
  readonly sagaId: string | null;
  readonly correlationId: string | null;
  readonly failureReason: string;
  /** Epoch ms of the last failure; lists are newest first by it. */
  readonly failureTimestamp: number;
  /** Handler attempts before it was parked (0 for a malformed item). */
  readonly attempts: number;
  readonly replayCount: number;
  /** The event to hand to the handler again (kind `handler`). */
  readonly event: EventEnvelope | null;
  /** The stream item as read, cut to MAX_RAW_ITEM characters (kind `malformed`). */
  readonly rawItem: string | null;
  /** When the running replay claimed it (REPLAYING). */
  readonly replayStartedAt: number | null;
  /** When it was replayed or discarded, and the discard's reason. */
  readonly resolvedAt: number | null;
  readonly resolution: string | null;
}

export const MAX_RAW_ITEM = 16_384;

/** One entry per group and event: parking it again (a replay failed) updates the same entry. */
export const eventEntryId = (group: string, eventId: string): string => `${group}:${eventId}`;

/** One entry per group and stream item (ringbuffer, its incarnation, sequence): a re-read finds it parked. */
export const itemEntryId = (group: string, ring: string, epoch: string, sequence: number): string =>
  `${group}:item-${createHash('sha256').update(`${ring}|${epoch}|${sequence}`).digest('hex').slice(0, 24)}`;
