import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { OpenApiDocument } from './openapi';
import { readinessTransitions } from './readiness-transitions';
import { defineRoute, type Route } from './route';

export interface HealthReport {
  readonly up: boolean;
  readonly components?: Readonly<Record<string, unknown>>;
  /** Why it is not up, for the log line readiness writes when it turns false (not sent to clients). */
  readonly reason?: string;
}

export type HealthCheck = () => Promise<HealthReport>;

export interface ShutdownState {
  shuttingDown: boolean;
}

const statusSchema = z
  .object({ status: z.enum(['UP', 'DOWN']) })
  .catchall(z.unknown())
  .meta({ id: 'HealthStatus', description: 'status plus one entry per checked component' });

const TAGS = ['operations'];

const PATHS = {
  health: '/actuator/health',
  live: '/health/live',
  ready: '/health/ready',
  metrics: '/metrics',
  openApi: '/openapi.json',
} as const;

/** The probes and /metrics answer while a service is still starting; every other route waits for it. */
export const SERVED_WHILE_STARTING: ReadonlySet<string> = new Set([
  PATHS.health,
  PATHS.live,
  PATHS.ready,
  PATHS.metrics,
]);

/**
 * Probes, metrics and the API document. Liveness never consults dependencies (restarting the pod
 * would not bring Hazelcast back); readiness does, and also fails while shutting down so traffic
 * drains away before the server stops.
 */
export function operationalRoutes(options: {
  health: HealthCheck;
  state: ShutdownState;
  registry: Registry;
  logger: Logger;
  openApi: () => OpenApiDocument;
}): Route[] {
  const check = async (): Promise<HealthReport> => {
    try {
      return await options.health();
    } catch (error) {
      options.logger.warn({ err: error }, 'health check failed');
      const message = error instanceof Error ? error.message : String(error);
      return { up: false, components: { error: message }, reason: `the health check failed: ${message}` };
    }
  };
  const logTransition = readinessTransitions(options.logger);
  const readiness = async (): Promise<HealthReport> => {
    const checked = await check();
    logTransition(checked);
    return checked;
  };
  const report = ({ up, components }: HealthReport) => ({
    status: up ? 200 : 503,
    body: { ...components, status: up ? 'UP' : 'DOWN' },
  });
  const probeResponses = {
    200: { description: 'UP', schema: statusSchema },
    503: { description: 'DOWN', schema: statusSchema },
  };

  return [
    defineRoute({
      method: 'GET',
      path: PATHS.health,
      operationId: 'health',
      summary: 'Health of the service and of its dependencies',
      tags: TAGS,
      responses: probeResponses,
      handler: async () => report(await check()),
    }),
    defineRoute({
      method: 'GET',
      path: PATHS.live,
      operationId: 'liveness',
      summary: 'Liveness probe: the process is running',
      tags: TAGS,
      responses: { 200: { description: 'UP', schema: statusSchema } },
      handler: async () => ({ status: 200, body: { status: 'UP' } }),
    }),
    defineRoute({
      method: 'GET',
      path: PATHS.ready,
      operationId: 'readiness',
      summary: 'Readiness probe: the service can take traffic',
      tags: TAGS,
      responses: probeResponses,
      handler: async () =>
        options.state.shuttingDown
          ? { status: 503, body: { status: 'DOWN', reason: 'shutting down' } }
          : report(await readiness()),
    }),
    defineRoute({
      method: 'GET',
      path: PATHS.metrics,
      operationId: 'metrics',
      summary: 'Prometheus metrics',
      tags: TAGS,
      responses: { 200: { description: 'Prometheus text exposition format', contentType: 'text/plain' } },
      handler: async () => ({
        status: 200,
        headers: { 'Content-Type': options.registry.contentType },
        body: await options.registry.metrics(),
      }),
    }),
    defineRoute({
      method: 'GET',
      path: PATHS.openApi,
      operationId: 'openApi',
      summary: 'This OpenAPI 3.1 document',
      tags: TAGS,
      responses: { 200: { description: 'OpenAPI document', schema: z.looseObject({}) } },
      handler: async () => ({ status: 200, body: options.openApi() }),
    }),
  ];
}
