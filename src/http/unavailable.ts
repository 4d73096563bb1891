import type { Context } from 'koa';
import type { Clock } from '../core/clock';
import { serviceUnavailable, type ErrorDetails } from './api-error';
import { errorBody } from './error-body';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Reads are let through by both kinds of load shedding (the heap guard's, the admission limit's). */
export const isRead = (method: string): boolean => READS.has(method);

/**
 * Answers 503 SERVICE_UNAVAILABLE (the contract's error body) with Retry-After, here rather than thrown:
 * the error handler would log every shed request, and shedding is logged where it starts and stops.
 */
export function answerUnavailable(
  ctx: Context,
  clock: Clock,
  refusal: { readonly message: string; readonly retryAfterSeconds: number; readonly details?: ErrorDetails },
): void {
  const error = serviceUnavailable(refusal.message, {
    ...refusal.details,
    retryAfterSeconds: refusal.retryAfterSeconds,
  });
  ctx.status = error.status;
  ctx.set('Retry-After', String(refusal.retryAfterSeconds));
  ctx.body = errorBody(error, clock);
}
