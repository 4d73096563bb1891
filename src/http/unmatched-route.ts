import type { Layer } from '@koa/router';
import type { Middleware } from 'koa';
import { methodNotAllowed, notFound } from './api-error';

/**
 * Runs only when the router found no route for path + method: 405 (with Allow) when the path exists
 * under other methods, an Allow-only answer to OPTIONS, else 404.
 */
export function unmatchedRouteMiddleware(): Middleware {
  return async (ctx) => {
    const layers = (ctx as { matched?: readonly Layer[] }).matched ?? [];
    const allowed = [...new Set(layers.flatMap((layer) => layer.methods))];
    if (allowed.length === 0) throw notFound('NOT_FOUND', `No route for ${ctx.method} ${ctx.path}`);
    ctx.set('Allow', allowed.join(', '));
    if (ctx.method === 'OPTIONS') {
      ctx.status = 204;
      return;
    }
    throw methodNotAllowed(ctx.method, ctx.path, allowed);
  };
}
