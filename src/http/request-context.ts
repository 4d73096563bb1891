import { performance } from 'node:perf_hooks';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { IdSource } from '../core/ids';
import { routeTemplate } from './route-template';

export interface RequestContext {
  readonly requestId: string;
  readonly correlationId: string;
  readonly logger: Logger;
}

const contexts = new WeakMap<object, RequestContext>();

/** Ids arrive from outside and end up in logs and headers, so only plain tokens are taken as given. */
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const incomingId = (value: string | string[] | undefined): string | undefined =>
  typeof value === 'string' && SAFE_ID.test(value) ? value : undefined;

export function requestContextOf(ctx: object): RequestContext {
  const context = contexts.get(ctx);
  if (!context) throw new Error('requestContextMiddleware is not installed before this middleware');
  return context;
}

/**
 * Outermost middleware: assigns the request and correlation ids (echoed back as headers), gives the
 * request its own child logger, and writes the one access-log line when the response is settled.
 */
export function requestContextMiddleware(options: { logger: Logger; ids: IdSource }): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    const requestId = incomingId(ctx.req.headers['x-request-id']) ?? options.ids.uuid();
    const correlationId = incomingId(ctx.req.headers['x-correlation-id']) ?? requestId;
    const logger = options.logger.child({ requestId, correlationId });
    contexts.set(ctx, { requestId, correlationId, logger });
    ctx.set('X-Request-Id', requestId);
    ctx.set('X-Correlation-Id', correlationId);
    let escaped = false;
    try {
      await next();
    } catch (error) {
      escaped = true;
      throw error;
    } finally {
      logger.info(
        {
          method: ctx.method,
          route: routeTemplate(ctx),
          path: ctx.path,
          status: escaped ? 500 : ctx.status,
          durationMs: Math.round((performance.now() - started) * 1000) / 1000,
          errorCode: errorCodeOf(ctx.body),
        },
        'request completed',
      );
    }
  };
}

function errorCodeOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('errorCode' in body)) return undefined;
  return typeof body.errorCode === 'string' ? body.errorCode : undefined;
}
