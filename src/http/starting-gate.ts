import type { Middleware } from 'koa';
import type { Clock } from '../core/clock';
import { SERVED_WHILE_STARTING } from './operational-routes';
import { answerUnavailable } from './unavailable';

/** A restart is seconds of connecting and wiring: ask the client back soon. */
export const STARTING_RETRY_AFTER_SECONDS = 2;

/**
 * Until `started()` is true, every route but the probes and /metrics answers 503 SERVICE_UNAVAILABLE with
 * Retry-After. A service binds its port before it is connected and wired, so without this a client retrying
 * through a restart is told the route does not exist (404) and gives up.
 */
export function startingGateMiddleware(started: () => boolean, clock: Clock): Middleware {
  return async (ctx, next) => {
    if (started() || SERVED_WHILE_STARTING.has(ctx.path)) return next();
    answerUnavailable(ctx, clock, {
      message: 'The service is starting; retry shortly',
      retryAfterSeconds: STARTING_RETRY_AFTER_SECONDS,
      details: { reason: 'STARTING' },
    });
  };
}
