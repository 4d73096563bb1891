import type { Middleware } from 'koa';
import type { Clock } from '../core/clock';
import { internalError } from './api-error';
import { errorBody } from './error-body';
import { toApiError } from './error-mapping';
import { requestContextOf } from './request-context';

/**
 * Turns whatever was thrown into the contract's error body. Unknown errors become a bare 500: their
 * message and stack go to the log only, never to the client. A thrown 503 (the grid or the database not
 * answering) says when to retry, as the shed ones do.
 */
/** A store that stopped answering is usually back within a second or two (a reconnect, a failover). */
const RETRY_AFTER_SECONDS = 1;

export function errorHandlerMiddleware(options: { clock: Clock }): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const { logger } = requestContextOf(ctx);
      const known = toApiError(error);
      if (!known) logger.error({ err: error }, 'unhandled error while serving the request');
      else if (known.status >= 500) logger.warn({ err: error, errorCode: known.errorCode }, known.message);
      const apiError = known ?? internalError();
      ctx.status = apiError.status;
      if (apiError.status === 503) ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
      ctx.body = errorBody(apiError, options.clock);
    }
  };
}
