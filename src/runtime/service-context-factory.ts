import type { Registry } from 'prom-client';
import type { Clock } from '../core/clock';
import type { IdSource } from '../core/ids';
import { Naming } from '../core/naming';
import type { ServiceConfig } from '../config/service-config';
import type { Logger } from '../logging/logger';
import { ClusterCounters } from '../metrics/cluster-counters';
import { FrameworkMetrics } from '../metrics/framework-metrics';
import type { KeyValueStore } from '../storage/key-value';
import type { StreamLogStore } from '../storage/stream-log';
import { EventSourcingRuntime } from './event-sourcing-runtime';
import { faultInjectionFrom } from './fault-injection';
import type { ServiceContext } from './service-context';

/** A service's context on whatever storage it is given: Hazelcast when it runs, in memory for tools. */
export function createServiceContext(options: {
  readonly service: string;
  readonly config: ServiceConfig;
  readonly kv: KeyValueStore;
  readonly logs: StreamLogStore;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly logger: Logger;
  readonly registry: Registry;
}): ServiceContext {
  const { service, config, kv, logs, clock, ids, logger, registry } = options;
  const metrics = new FrameworkMetrics(service, registry);
  const naming = new Naming(config.HAZELCAST_NAME_PREFIX);
  const runtime = new EventSourcingRuntime({
    service,
    naming,
    kv,
    logs,
    clock,
    ids,
    logger,
    instanceId: config.INSTANCE_ID,
    streamPartitions: config.STREAM_PARTITIONS,
    metrics,
    outboxGraceMs: config.OUTBOX_GRACE_MS,
    outboxIntervalMs: config.OUTBOX_INTERVAL_MS,
    leaseMs: config.SUBSCRIPTION_LEASE_MS,
    retry: {
      maxAttempts: config.EVENT_RETRY_MAX_ATTEMPTS,
      baseMs: config.EVENT_RETRY_BASE_MS,
      maxDelayMs: config.EVENT_RETRY_MAX_DELAY_MS,
    },
    faults: faultInjectionFrom(config.FAULT_CRASH_AT),
    // PostgreSQL may lose its last deferred view writes in a crash; ten seconds covers them and clock skew.
    viewRepairWindowMs: config.HMS_PERSISTENCE === 'postgres' ? 10_000 : 0,
  });
  const counters = new ClusterCounters({
    counts: kv.map(naming.clusterCounters()),
    metrics,
    instanceId: config.INSTANCE_ID,
    clock,
    logger,
  });
  return { service, config, runtime, kv, naming, clock, ids, logger, registry, metrics, counters };
}
