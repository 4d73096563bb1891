import { collectDefaultMetrics, Registry } from 'prom-client';
import { systemClock } from '../core/clock';
import { randomIds } from '../core/ids';
import { ConfigError, loadServiceConfig } from '../config/service-config';
import { connectHazelcast, isHazelcastUp } from '../hazelcast/client';
import { createHttpApp } from '../http/app';
import type { Route } from '../http/route';
import { startHttpServer } from '../http/server';
import { deadLetterRoutes } from '../subscriptions/dead-letter-routes';
import { createLogger, type Logger } from '../logging/logger';
import { startMemberHeapGuard } from '../memory-guard/member-heap-guard';
import { registerHazelcastClientMetrics } from '../metrics/hazelcast-client-metrics';
import { HazelcastStreamLogStore } from '../storage/hazelcast-stream-log';
import { shutdownTracing, tracingStarted } from '../telemetry';
import type { EventSourcingRuntime } from './event-sourcing-runtime';
import type { ServiceContext } from './service-context';
import { createServiceContext } from './service-context-factory';
import { openDurableStore, storeFor, type DurableStore } from './service-storage';

export interface ServiceDefinition {
  /** account, inventory, order, payment: the metrics' service label and the logs' service field. */
  readonly name: string;
  readonly title: string;
  readonly defaultPort: number;
  /** Registers the service's aggregates, consumer groups and routes on the runtime. */
  readonly wire: (context: ServiceContext) => Promise<ServiceWiring> | ServiceWiring;
}

export interface ServiceWiring {
  readonly routes: readonly Route[];
  /** Background work of the service's own (e.g. a timeout detector), started after the runtime. */
  readonly start?: () => Promise<void>;
  readonly stop?: () => Promise<void>;
}

/** What a service serves besides the operational routes: its own, and the admin API of its parked events. */
export function serviceRoutes(wiring: ServiceWiring, runtime: EventSourcingRuntime): Route[] {
  const deadLetters = runtime.deadLetterQueues();
  return [...wiring.routes, ...(deadLetters.length > 0 ? deadLetterRoutes(deadLetters) : [])];
}

export interface RunningService {
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * The life of a service process: config → HTTP port (fails fast when busy) → Hazelcast → runtime →
 * ready; and on SIGTERM/SIGINT the reverse: not ready, drain requests, finish consumers and outbox,
 * close the client.
 */
export async function runService(
  definition: ServiceDefinition,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningService> {
  const config = loadServiceConfig(env, definition.defaultPort);
  const logger = createLogger({ service: definition.name, level: config.LOG_LEVEL });
  const registry = new Registry();
  registry.setDefaultLabels({ service: definition.name });
  collectDefaultMetrics({ register: registry });

  let ready = false;
  // Turns true once, when wired; unlike `ready` it stays true while stopping, so requests still arriving
  // during the drain are served rather than refused.
  let started = false;
  let stopping: Promise<void> | undefined;
  let client: Awaited<ReturnType<typeof connectHazelcast>> | undefined;
  registerHazelcastClientMetrics(registry, () => client);
  const routes: Route[] = [];
  const { app } = createHttpApp({
    serviceName: definition.name,
    version: '0.1.0',
    routes,
    logger,
    registry,
    clock: systemClock,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    concurrency: {
      running: config.HTTP_MAX_CONCURRENT,
      queued: config.HTTP_MAX_QUEUED,
      maxWaitMs: config.HTTP_MAX_QUEUE_WAIT_MS,
    },
    writeAdmission: startMemberHeapGuard({ config, logger, registry, clock: systemClock }),
    started: () => started,
    health: async () => {
      const hazelcast = client !== undefined && isHazelcastUp(client);
      return {
        up: ready && hazelcast,
        components: { hazelcast: { status: hazelcast ? 'UP' : 'DOWN' } },
        reason: !ready ? 'not started or stopping' : 'the Hazelcast client lost the cluster (reconnecting)',
      };
    },
  });
  const server = await startHttpServer(app, { host: config.HTTP_HOST, port: config.HTTP_PORT, logger });

  // The database first: a bad DATABASE_URL stops the process at once, not after the grid's connect timeout.
  let durable: DurableStore;
  try {
    durable = await openDurableStore(config, logger);
  } catch (error) {
    await server.close(0);
    throw error;
  }
  try {
    client = await connectHazelcast({
      clusterName: config.HAZELCAST_CLUSTER_NAME,
      addresses: config.HAZELCAST_ADDRESSES,
      connectTimeoutMs: config.HAZELCAST_CONNECT_TIMEOUT_MS,
      invocationTimeoutMs: config.HAZELCAST_INVOCATION_TIMEOUT_MS,
      logger,
      // The client gives up after the connect timeout; without it the process is useless, so it exits and
      // its supervisor (npm start, Kubernetes) starts a fresh one that retries.
      onShutdown: () => {
        if (stopping) return;
        logger.fatal('lost the Hazelcast cluster for good; exiting so a fresh process can reconnect');
        process.exit(1);
      },
    });
  } catch (error) {
    await durable.close().catch(() => undefined);
    await server.close(0);
    throw error;
  }
  const context = createServiceContext({
    service: definition.name,
    config,
    kv: storeFor(durable, client),
    logs: new HazelcastStreamLogStore(client),
    clock: systemClock,
    ids: randomIds,
    logger,
    registry,
  });
  const { runtime, counters } = context;
  const wiring = await definition.wire(context);
  routes.push(...serviceRoutes(wiring, runtime));
  await runtime.start();
  await wiring.start?.();
  counters.start();
  started = true;
  ready = true;
  logger.info(
    {
      port: server.port,
      hazelcast: config.HAZELCAST_ADDRESSES,
      persistence: config.HMS_PERSISTENCE,
      tracing: tracingStarted(),
    },
    `${definition.title} ready`,
  );

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      ready = false;
      await server.close(config.SHUTDOWN_GRACE_MS);
      await wiring.stop?.();
      await runtime.close();
      await counters.close();
      await durable.close();
      await client?.shutdown();
      // Flushes the spans still buffered (nothing to do with tracing off).
      await shutdownTracing().catch((error: unknown) =>
        logger.warn({ err: error }, 'flushing traces failed'),
      );
      logger.info('stopped');
    })();
    return stopping;
  };
  return { port: server.port, stop };
}

/** The `main` of every service: run, stop cleanly on a signal, exit non-zero with a clear message on failure. */
export function main(definition: ServiceDefinition): void {
  const fail = (error: unknown, logger?: Logger): never => {
    const message = error instanceof Error ? error.message : String(error);
    if (logger) logger.fatal({ err: error }, message);
    process.stderr.write(`${definition.name}: ${message}\n`);
    process.exit(error instanceof ConfigError ? 78 : 1);
  };
  runService(definition).then(
    (running) => {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.once(signal, () => {
          running.stop().then(
            () => process.exit(0),
            (error: unknown) => fail(error),
          );
        });
      }
    },
    (error: unknown) => fail(error),
  );
}
