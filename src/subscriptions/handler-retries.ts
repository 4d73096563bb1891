import type { Clock } from '../core/clock';
import { sleep } from '../core/sleep';
import type { EventEnvelope } from '../events/envelope';
import type { Logger } from '../logging/logger';
import type { FrameworkMetrics } from '../metrics/framework-metrics';
import type { DeadLetterStore } from './dead-letter-store';
import type { EventHandler } from './delivery';
import type { RetrySettings } from './retry-backoff';
import { retryDelayMs } from './retry-backoff';

/** Waits ms, or less when the signal aborts; injectable so a test drives the back-off on a manual clock. */
export type Wait = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface HandlerRetriesOptions {
  readonly group: string;
  readonly handle: EventHandler;
  readonly retry: RetrySettings;
  readonly deadLetters: DeadLetterStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: FrameworkMetrics;
  readonly wait?: Wait;
  readonly random?: () => number;
  /** Told when an event is parked, e.g. to fail the saga it belongs to. */
  readonly onParked?: (event: EventEnvelope, reason: string) => Promise<void>;
}

/**
 * Hands one event to the group's handler until it succeeds, backing off exponentially between attempts
 * (retry-backoff.ts); after the last attempt the event is parked in the group's dead letters and the
 * caller goes on. While it waits, the aggregate's later events wait too (they are handled in order), and
 * so does the rest of its partition's stream: see docs/guides/sagas.md, "Parked events".
 */
export class HandlerRetries {
  constructor(private readonly options: HandlerRetriesOptions) {}

  /**
   * Resolves once handled or parked; rejects only when `signal` aborts or `beforeAttempt` throws (the owner's
   * lease is no longer held): the event stays unhandled.
   */
  async handle(
    event: EventEnvelope,
    stream: string,
    committedAt: number,
    signal?: AbortSignal,
    beforeAttempt?: () => void,
  ): Promise<void> {
    const { group, handle, logger, metrics, clock, retry } = this.options;
    const wait = this.options.wait ?? sleep;
    const service = metrics?.service ?? group;
    for (let attempt = 1; ; attempt++) {
      beforeAttempt?.();
      try {
        const run = () => handle(event, { group, logger });
        await (metrics ? metrics.time('handle', run) : run());
        metrics?.eventsConsumed.inc({ service, consumer_group: group, event_type: event.eventType });
        metrics?.endToEnd.observe(
          { service, event_type: event.eventType },
          Math.max(0, clock.now() - committedAt) / 1000,
        );
        return;
      } catch (error) {
        metrics?.handlerFailures.inc({ service, consumer_group: group, event_type: event.eventType });
        // Shutting down or the partition lost: leave the event unhandled and unrecorded, for the next owner.
        if (signal?.aborted) throw error;
        if (attempt >= retry.maxAttempts) return this.park(event, stream, error, attempt);
        const delayMs = retryDelayMs(attempt, retry, this.options.random);
        logger.warn(
          { err: error, eventId: event.eventId, eventType: event.eventType, attempt, retryInMs: delayMs },
          'handler failed; retrying',
        );
        await wait(delayMs, signal);
        if (signal?.aborted) throw error;
      }
    }
  }

  private async park(event: EventEnvelope, stream: string, error: unknown, attempts: number): Promise<void> {
    const { group, deadLetters, logger, metrics } = this.options;
    const reason = error instanceof Error ? error.message : String(error);
    const entry = await deadLetters.parkEvent({ event, stream, reason, attempts });
    logger.error(
      {
        err: error,
        eventId: event.eventId,
        eventType: event.eventType,
        attempts,
        dlqEntryId: entry.dlqEntryId,
      },
      'event parked as dead letter; replay it with POST /api/admin/dlq/{id}/replay',
    );
    metrics?.deadLetters.added.inc({ consumer_group: group, kind: 'handler' });
    await this.options.onParked?.(event, reason);
  }
}
