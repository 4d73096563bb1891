export * from './api-error';
export { createHttpApp, type HttpApp, type HttpAppOptions } from './app';
export { errorBody, errorBodySchema, type ErrorBody } from './error-body';
export { toApiError } from './error-mapping';
export { DEFAULT_BODY_LIMIT_BYTES, readJsonBody, type JsonBody } from './json-body';
export { HTTP_DURATION_BUCKETS, HTTP_DURATION_METRIC } from './metrics-middleware';
export { buildOpenApiDocument, openApiPath, type OpenApiDocument, type OpenApiInfo } from './openapi';
export type { HealthCheck, HealthReport, ShutdownState } from './operational-routes';
export { limitQuery } from './query-schemas';
export { requestContextOf, type RequestContext } from './request-context';
export {
  defineRoute,
  type HttpMethod,
  type ObjectSchema,
  type ResponseSpec,
  type Route,
  type RouteRequest,
  type RouteResult,
  type RouteSpec,
} from './route';
export { DEFAULT_GRACE_MS, startHttpServer, type HttpServerOptions, type RunningHttpServer } from './server';
