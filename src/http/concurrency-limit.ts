import type { Context, Middleware } from 'koa';
import type { Clock } from '../core/clock';
import { answerUnavailable, isRead } from './unavailable';

export interface ConcurrencyLimit {
  /** API writes worked on at once. */
  readonly running: number;
  /** Writes waiting their turn at most; one more is answered 503 with Retry-After at once. */
  readonly queued: number;
  /** The longest a write waits for its turn (ms); then it is answered 503 with Retry-After, unworked. */
  readonly maxWaitMs: number;
}

/**
 * Admission control for writes: at most `running` API writes (POST, PUT, PATCH, DELETE) are worked on at
 * once; the rest wait their turn in arrival order, up to `queued` of them for up to `maxWaitMs`, and are
 * otherwise answered 503 with Retry-After. Without it a burst puts every request's storage calls in the
 * connection pool's queue at once, and the service's own consumers (the saga's next steps) wait behind all
 * of them: orders are taken faster than they can be finished. With a queue but no wait limit, an overload
 * makes every request wait past its client's timeout: a quick 503 lets clients back off instead. Reads never
 * wait (a client polling its order, a dashboard's summary), nor do the operational endpoints.
 */
export function concurrencyLimitMiddleware(limit: ConcurrencyLimit, clock: Clock): Middleware {
  for (const [name, value] of Object.entries(limit)) {
    const least = name === 'running' ? 1 : 0;
    if (!Number.isInteger(value) || value < least)
      throw new RangeError(`concurrency limit '${name}' must be a whole number ≥ ${least}`);
  }
  let running = 0;
  const waiting: Array<() => void> = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  /** Resolves true when the request's turn came, false when it waited too long (and has no turn). */
  const turn = (): Promise<boolean> =>
    new Promise<boolean>((resolve) => {
      const admit = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const index = waiting.indexOf(admit);
        if (index >= 0) waiting.splice(index, 1);
        resolve(false);
      }, limit.maxWaitMs);
      waiting.push(admit);
    });
  const refuse = (ctx: Context, why: string): void =>
    answerUnavailable(ctx, clock, {
      message: `Too many writes in progress (${limit.running} running, ${why}): retry shortly`,
      retryAfterSeconds: 1,
    });
  return async (ctx, next) => {
    if (isRead(ctx.method) || !ctx.path.startsWith('/api/')) return next();
    if (running < limit.running) running++;
    else if (waiting.length >= limit.queued) return refuse(ctx, `${limit.queued} waiting`);
    else if (!(await turn())) return refuse(ctx, `none free within ${limit.maxWaitMs} ms`);
    try {
      // A client that gave up while its request waited gets no work done on its behalf.
      if (ctx.req.destroyed) return;
      await next();
    } finally {
      release();
    }
  };
}
