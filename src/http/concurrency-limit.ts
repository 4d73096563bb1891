import type { Middleware } from 'koa';
import type { Clock } from '../core/clock';
import { serviceUnavailable } from './api-error';
import { errorBody } from './error-body';

export interface ConcurrencyLimit {
  /** API writes worked on at once. */
  readonly running: number;
  /** Requests waiting their turn at most; one more is answered 503 with Retry-After at once. */
  readonly queued: number;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Admission control for writes: at most `running` API writes (POST, PUT, PATCH, DELETE) are worked on at
 * once; the rest wait their turn in arrival order, and past `queued` waiting the service answers 503 rather
 * than queue without bound. Without it a burst puts every request's storage calls in the connection pool's
 * queue at once, and the service's own consumers (the saga's next steps) wait behind all of them: orders are
 * taken faster than they can be finished. Reads never wait (a client polling its order, a dashboard's
 * summary), nor do the operational endpoints.
 */
export function concurrencyLimitMiddleware(limit: ConcurrencyLimit, clock: Clock): Middleware {
  for (const [name, value] of Object.entries(limit)) {
    if (!Number.isInteger(value) || value < 0 || (name === 'running' && value < 1))
      throw new RangeError(
        `concurrency limit '${name}' must be a whole number ≥ ${name === 'running' ? 1 : 0}`,
      );
  }
  let running = 0;
  const waiting: Array<() => void> = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  return async (ctx, next) => {
    if (READS.has(ctx.method) || !ctx.path.startsWith('/api/')) return next();
    if (running < limit.running) running++;
    else if (waiting.length < limit.queued) await new Promise<void>((resolve) => waiting.push(resolve));
    else {
      const error = serviceUnavailable(
        `Too many writes in progress (${limit.running} running, ${limit.queued} waiting): retry shortly`,
        { retryAfterSeconds: 1 },
      );
      ctx.status = error.status;
      ctx.set('Retry-After', '1');
      ctx.body = errorBody(error, clock);
      return;
    }
    try {
      // A client that gave up while its request waited gets no work done on its behalf.
      if (ctx.req.destroyed) return;
      await next();
    } finally {
      release();
    }
  };
}
