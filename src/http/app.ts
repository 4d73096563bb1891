import Koa from 'koa';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from '../core/clock';
import { type IdSource, randomIds } from '../core/ids';
import { type ConcurrencyLimit, concurrencyLimitMiddleware } from './concurrency-limit';
import { errorHandlerMiddleware } from './error-handler';
import { DEFAULT_BODY_LIMIT_BYTES } from './json-body';
import { liveRouter } from './live-router';
import { httpMetricsMiddleware } from './metrics-middleware';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi';
import { type HealthCheck, operationalRoutes, type ShutdownState } from './operational-routes';
import { requestContextMiddleware } from './request-context';
import type { Route } from './route';
import { startingGateMiddleware } from './starting-gate';
import { unmatchedRouteMiddleware } from './unmatched-route';
import { type WriteAdmission, writeSheddingMiddleware } from './write-shedding';

export interface HttpAppOptions {
  readonly serviceName: string;
  readonly version: string;
  readonly description?: string;
  /** Read at every request: routes pushed onto this array later are served from then on. */
  readonly routes: readonly Route[];
  readonly logger: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
  /** Default 1 MiB. */
  readonly bodyLimitBytes?: number;
  readonly health: HealthCheck;
  /**
   * False while the service is connecting and wiring: every route but the probes and /metrics answers 503
   * with Retry-After until it turns true (starting-gate.ts). Absent: serving from the outset.
   */
  readonly started?: () => boolean;
  /** Source of generated request ids; default random UUIDs. */
  readonly ids?: IdSource;
  /** Asked before every HTTP write (the member heap guard); absent: every write is let through. */
  readonly writeAdmission?: WriteAdmission;
  /** API writes worked on at once and waiting their turn (concurrency-limit.ts); absent: no limit. */
  readonly concurrency?: ConcurrencyLimit;
}

export interface HttpApp {
  readonly app: Koa;
  /** Set by the server's close(); readiness answers 503 from then on. */
  readonly state: ShutdownState;
}

const shutdownStates = new WeakMap<Koa, ShutdownState>();

/** The shutdown flag of an app made by createHttpApp, so a server given only the Koa app can set it. */
export const shutdownStateOf = (app: Koa): ShutdownState | undefined => shutdownStates.get(app);

/** One service's HTTP surface: its routes plus the probes, metrics and OpenAPI endpoints all services share. */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const state: ShutdownState = { shuttingDown: false };
  let documented: { routes: readonly Route[]; document: OpenApiDocument } | undefined;
  const openApi = (): OpenApiDocument => {
    const routes = router.current();
    if (documented?.routes !== routes) {
      const info = { title: options.serviceName, version: options.version, description: options.description };
      documented = { routes, document: buildOpenApiDocument(info, routes) };
    }
    return documented.document;
  };
  const operational = operationalRoutes({
    health: options.health,
    state,
    registry: options.registry,
    logger: options.logger,
    openApi,
  });
  const router = liveRouter(() => [...options.routes, ...operational], {
    bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
  });

  const app = new Koa();
  // Errors are answered and logged by errorHandlerMiddleware; this only sees failures while writing.
  app.on('error', (error: unknown) => options.logger.error({ err: error }, 'error while responding'));
  app.use(requestContextMiddleware({ logger: options.logger, ids: options.ids ?? randomIds }));
  app.use(closeConnectionsWhenShuttingDown(state));
  app.use(httpMetricsMiddleware({ registry: options.registry, serviceName: options.serviceName }));
  app.use(errorHandlerMiddleware({ clock: options.clock }));
  if (options.started) app.use(startingGateMiddleware(options.started, options.clock));
  app.use(writeSheddingMiddleware(options.writeAdmission, options.clock));
  if (options.concurrency) app.use(concurrencyLimitMiddleware(options.concurrency, options.clock));
  app.use(router.middleware);
  app.use(unmatchedRouteMiddleware());
  shutdownStates.set(app, state);
  return { app, state };
}

/** Keep-alive connections would otherwise hold close() open until they time out. */
function closeConnectionsWhenShuttingDown(state: ShutdownState): Koa.Middleware {
  return async (ctx, next) => {
    await next();
    if (state.shuttingDown) ctx.set('Connection', 'close');
  };
}
