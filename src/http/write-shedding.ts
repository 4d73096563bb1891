import type { Middleware } from 'koa';
import type { Clock } from '../core/clock';
import { serviceUnavailable, type ErrorDetails } from './api-error';
import { errorBody } from './error-body';

/** Why a write is refused now, and when to come back. */
export interface WriteRefusal {
  readonly message: string;
  readonly retryAfterSeconds: number;
  readonly details: ErrorDetails;
}

/** Asked once per HTTP write; undefined lets it through. */
export interface WriteAdmission {
  admitWrite(): WriteRefusal | undefined;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Load shedding for writes: while the admission refuses, every POST/PUT/PATCH/DELETE is answered 503
 * SERVICE_UNAVAILABLE (the contract's error body) with Retry-After, before it touches anything. Reads are
 * always let through. Answered here rather than thrown: the error handler would log every shed request,
 * and the guard already logs when shedding starts and stops.
 */
export function writeSheddingMiddleware(admission: WriteAdmission | undefined, clock: Clock): Middleware {
  return async (ctx, next) => {
    const refusal = admission && !READS.has(ctx.method) ? admission.admitWrite() : undefined;
    if (!refusal) return next();
    const error = serviceUnavailable(refusal.message, {
      ...refusal.details,
      retryAfterSeconds: refusal.retryAfterSeconds,
    });
    ctx.status = error.status;
    ctx.set('Retry-After', String(refusal.retryAfterSeconds));
    ctx.body = errorBody(error, clock);
  };
}
