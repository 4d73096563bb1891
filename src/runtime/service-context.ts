import type { Registry } from 'prom-client';
import type { Clock } from '../core/clock';
import type { IdSource } from '../core/ids';
import type { Naming } from '../core/naming';
import type { ServiceConfig } from '../config/service-config';
import type { Logger } from '../logging/logger';
import type { ClusterCounters } from '../metrics/cluster-counters';
import type { FrameworkMetrics } from '../metrics/framework-metrics';
import type { KeyValueStore } from '../storage/key-value';
import type { EventSourcingRuntime } from './event-sourcing-runtime';

/** What a service's wiring function receives: ports and plumbing, already connected. */
export interface ServiceContext {
  readonly service: string;
  readonly config: ServiceConfig;
  readonly runtime: EventSourcingRuntime;
  readonly kv: KeyValueStore;
  readonly naming: Naming;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly metrics: FrameworkMetrics;
  /** This process's event counts, published for cluster-wide totals. */
  readonly counters: ClusterCounters;
}
