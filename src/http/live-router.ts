import { Router } from '@koa/router';
import type { Route } from './route';
import { routeMiddleware } from './route-handler';

type Dispatch = ReturnType<Router['routes']>;

export interface LiveRouter {
  readonly middleware: Dispatch;
  /** The routes being served right now. */
  current(): readonly Route[];
}

/**
 * Serves whatever `routes()` returns at each request. A service binds its port before it is wired
 * (to fail fast on a busy port) and adds its routes afterwards, so the router is rebuilt whenever
 * the list has changed.
 */
export function liveRouter(routes: () => readonly Route[], options: { bodyLimitBytes: number }): LiveRouter {
  let built: { routes: readonly Route[]; dispatch: Dispatch } | undefined;
  const refresh = (): { routes: readonly Route[]; dispatch: Dispatch } => {
    const latest = routes();
    if (built === undefined || changed(built.routes, latest)) {
      const snapshot = [...latest];
      built = { routes: snapshot, dispatch: buildRouter(snapshot, options.bodyLimitBytes) };
    }
    return built;
  };
  return {
    current: () => refresh().routes,
    middleware: (ctx, next) => refresh().dispatch(ctx, next),
  };
}

function buildRouter(routes: readonly Route[], bodyLimitBytes: number): Dispatch {
  // 'specificity': /orders/search beats /orders/:orderId whatever the registration order.
  const router = new Router({ exclusive: 'specificity' });
  for (const route of routes) {
    router.register(route.path, [route.method], routeMiddleware(route, { bodyLimitBytes }), {
      name: route.operationId,
    });
  }
  return router.routes();
}

const changed = (before: readonly Route[], after: readonly Route[]): boolean =>
  before.length !== after.length || before.some((route, index) => route !== after[index]);
