import type { Middleware } from 'koa';
import type { Clock } from '../core/clock';
import type { ErrorDetails } from './api-error';
import { answerUnavailable, isRead } from './unavailable';

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

/**
 * Load shedding for writes: while the admission refuses, every POST/PUT/PATCH/DELETE is answered 503
 * SERVICE_UNAVAILABLE (the contract's error body) with Retry-After, before it touches anything. Reads are
 * always let through.
 */
export function writeSheddingMiddleware(admission: WriteAdmission | undefined, clock: Clock): Middleware {
  return async (ctx, next) => {
    const refusal = admission && !isRead(ctx.method) ? admission.admitWrite() : undefined;
    if (!refusal) return next();
    answerUnavailable(ctx, clock, refusal);
  };
}
