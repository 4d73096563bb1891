import type { EventEnvelope } from '../events/envelope';
import type { Logger } from '../logging/logger';
import type { FrameworkMetrics } from '../metrics/framework-metrics';
import { contextFromTraceparent, eventAttributes, inSpan, SpanKind } from '../telemetry';
import type { DeadLetter, DeadLetterStatus } from './dead-letter';
import type { DeadLetterStore } from './dead-letter-store';
import type { EventHandler } from './delivery';

export type ReplayOutcome =
  | { readonly outcome: 'replayed'; readonly entry: DeadLetter }
  | { readonly outcome: 'failed'; readonly entry: DeadLetter; readonly failureReason: string }
  | { readonly outcome: 'not-found' | 'not-pending' | 'not-replayable' };

export type DiscardOutcome =
  | { readonly outcome: 'discarded'; readonly entry: DeadLetter }
  | { readonly outcome: 'not-found' | 'not-pending' };

export interface DeadLetterQueueOptions {
  readonly group: string;
  readonly store: DeadLetterStore;
  /** The group's own handler: a replay is the group handling the event again. */
  readonly handle: EventHandler;
  readonly logger: Logger;
  readonly metrics?: FrameworkMetrics;
  /** Before the handler runs again, e.g. to reopen the saga that parking failed (fail-saga.ts). */
  readonly onReplay?: (event: EventEnvelope) => Promise<void>;
  /** When the replay fails too: the same hook as parking. */
  readonly onParked?: (event: EventEnvelope, reason: string) => Promise<void>;
}

/**
 * What an operator can do with one group's parked events: list them, hand one to the group's handler
 * again (once, however many replays race: the entry is claimed by compare-and-set first), or discard it.
 */
export class DeadLetterQueue {
  constructor(private readonly options: DeadLetterQueueOptions) {}

  get group(): string {
    return this.options.group;
  }

  list(statuses: readonly DeadLetterStatus[], limit: number): Promise<DeadLetter[]> {
    return this.options.store.list(statuses, limit);
  }

  count(statuses?: readonly DeadLetterStatus[]): Promise<number> {
    return this.options.store.count(statuses);
  }

  async get(id: string): Promise<DeadLetter | undefined> {
    return (await this.options.store.get(id))?.value;
  }

  /** One attempt, in this process; the handler's answer decides: REPLAYED, or PENDING again. */
  async replay(id: string): Promise<ReplayOutcome> {
    const { store, group, handle, logger, metrics } = this.options;
    const found = await store.get(id);
    if (!found) return { outcome: 'not-found' };
    const event = found.value.event;
    // A malformed item is no event: nothing to hand the handler (discard it once its cause is known).
    if (found.value.kind !== 'handler' || !event) return { outcome: 'not-replayable' };
    const claimed = await store.claimForReplay(id);
    if (typeof claimed === 'string') return { outcome: claimed };
    try {
      await inSpan(
        `event.replay ${event.eventType}`,
        () => ({
          kind: SpanKind.CONSUMER,
          parent: contextFromTraceparent(event.traceparent),
          attributes: { ...eventAttributes(event), 'messaging.consumer.group.name': group },
        }),
        async () => {
          await this.options.onReplay?.(event);
          await handle(event, { group, logger });
        },
      );
    } catch (error) {
      const failureReason = error instanceof Error ? error.message : String(error);
      await store.replayFailed(claimed, failureReason);
      await this.options.onParked?.(event, failureReason);
      metrics?.deadLetters.replayed.inc({ consumer_group: group, outcome: 'failed' });
      logger.warn({ err: error, dlqEntryId: id, eventId: event.eventId }, 'replay failed; still parked');
      return {
        outcome: 'failed',
        entry: { ...claimed.value, status: 'PENDING', failureReason },
        failureReason,
      };
    }
    await store.replayed(claimed);
    metrics?.deadLetters.replayed.inc({ consumer_group: group, outcome: 'replayed' });
    logger.info(
      { dlqEntryId: id, eventId: event.eventId, eventType: event.eventType },
      'dead letter replayed',
    );
    return { outcome: 'replayed', entry: { ...claimed.value, status: 'REPLAYED' } };
  }

  async discard(id: string, reason: string): Promise<DiscardOutcome> {
    const { store, group, logger, metrics } = this.options;
    const discarded = await store.discard(id, reason);
    if (typeof discarded === 'string') return { outcome: discarded };
    metrics?.deadLetters.discarded.inc({ consumer_group: group, kind: discarded.kind });
    logger.info({ dlqEntryId: id, reason }, 'dead letter discarded');
    return { outcome: 'discarded', entry: discarded };
  }
}
