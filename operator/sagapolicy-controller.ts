import type { Client } from 'hazelcast-client';
import type { KubeConfig } from '@kubernetes/client-node';
import { Naming } from '../src/core/naming';
import { connectHazelcast } from '../src/hazelcast/client';
import type { Logger } from '../src/logging/logger';
import { openDurableStore, storeFor, type DurableStore } from '../src/runtime/service-storage';
import type { KeyValueStore } from '../src/storage/key-value';
import { Informer, keyOf } from './controller/informer';
import { LeaderElector } from './controller/leader-election';
import type { Scheduler } from './controller/scheduler';
import { runWorkers, WorkQueue } from './controller/work-queue';
import { kubeLeaseStore } from './kube/lease-store';
import { kubePolicyResources } from './kube/kube-policy-resources';
import { sagaPolicyListWatch } from './kube/sagapolicy-list-watch';
import type { OperatorConfig } from './operator-config';
import type { OperatorMetrics } from './operator-metrics';
import { policyMapTarget } from './sagapolicy/policy-map-target';
import { SagaPolicyReconciler } from './sagapolicy/sagapolicy-reconciler';
import type { SagaPolicyResource } from './sagapolicy/sagapolicy-resource';

/**
 * The SagaPolicy controller: every replica keeps a warm informer cache; only the Lease holder runs
 * workers. Only a new generation, a deletion or the periodic resync queues a policy, so the
 * controller's own status and finalizer writes never cause another reconcile.
 */
export class SagaPolicyController {
  private readonly informer: Informer<SagaPolicyResource>;
  private readonly elector: LeaderElector;
  private readonly seenGeneration = new Map<string, number>();
  private queue: WorkQueue<string> | undefined;
  private workers: Promise<void> | undefined;
  private client: Client | undefined;
  private connecting: Promise<KeyValueStore> | undefined;
  /** PostgreSQL in persistent mode (the policy map is durable there), opened once, on first use. */
  private durable: Promise<DurableStore> | undefined;
  private cancelResync: (() => void) | undefined;

  constructor(
    private readonly config: OperatorConfig,
    kube: KubeConfig,
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
    private readonly metrics: OperatorMetrics,
  ) {
    this.informer = new Informer(
      sagaPolicyListWatch(kube, config.WATCH_NAMESPACE, config.WATCH_TIMEOUT_SECONDS),
      {
        onUpsert: (resource) => {
          const key = keyOf(resource);
          const generation = resource.metadata.generation ?? 0;
          if (resource.metadata.deletionTimestamp || this.seenGeneration.get(key) !== generation) {
            this.seenGeneration.set(key, generation);
            this.queue?.add(key);
          }
        },
        onDelete: (resource) => {
          this.seenGeneration.delete(keyOf(resource));
          // A rival may be free of its conflict now.
          this.enqueueAll();
        },
      },
      scheduler,
      {
        resyncMs: 10 * 60_000,
        watchdogMs: 5 * 60_000,
        onError: (error) => logger.warn({ err: error }, 'watch trouble; retrying'),
        onResume: (resourceVersion) => logger.debug({ resourceVersion }, 'watch ended normally; resumed'),
      },
    );
    const resources = kubePolicyResources(kube, this.informer, logger);
    const reconciler = new SagaPolicyReconciler({
      resources,
      events: resources,
      target: policyMapTarget(() => this.hazelcast(), new Naming(config.HAZELCAST_NAME_PREFIX)),
      clock: scheduler,
    });
    this.elector = new LeaderElector({
      identity: config.POD_NAME,
      leases: kubeLeaseStore(kube, config.LEASE_NAMESPACE, config.LEASE_NAME),
      scheduler,
      leaseDurationMs: config.LEASE_DURATION_MS,
      renewDeadlineMs: config.RENEW_DEADLINE_MS,
      retryPeriodMs: config.RETRY_PERIOD_MS,
      onStartedLeading: () => {
        logger.info({ identity: config.POD_NAME }, 'leading: reconciling SagaPolicies');
        metrics.leader.set(1);
        this.startWorkers(reconciler);
      },
      onStoppedLeading: () => {
        logger.warn({ identity: config.POD_NAME }, 'no longer leading: workers stopped');
        metrics.leader.set(0);
        this.queue?.shutdown();
        this.queue = undefined;
      },
      onError: (error) => logger.warn({ err: error }, 'leader election round failed'),
    });
  }

  get ready(): boolean {
    return this.informer.hasSynced;
  }

  get depth(): number {
    return this.queue?.depth() ?? 0;
  }

  start(): void {
    this.informer.start();
    this.elector.start();
    this.scheduleResync();
  }

  /** Gives the Lease back first, so another replica takes over at once. */
  async stop(): Promise<void> {
    this.cancelResync?.();
    await this.elector.stop();
    this.queue?.shutdown();
    await this.workers;
    this.informer.stop();
    await this.client?.shutdown().catch(() => undefined);
    await (await this.durable?.catch(() => undefined))?.close().catch(() => undefined);
  }

  private startWorkers(reconciler: SagaPolicyReconciler): void {
    const queue = new WorkQueue<string>(this.scheduler);
    this.queue = queue;
    this.enqueueAll();
    this.workers = runWorkers(
      queue,
      this.config.WORKERS,
      async (key) => {
        const end = this.metrics.duration.startTimer();
        try {
          const result = await reconciler.reconcile(key);
          this.metrics.reconciles.inc({ result: result.requeueAfterMs === undefined ? 'done' : 'requeue' });
          return result;
        } finally {
          end();
        }
      },
      (key, error) => {
        this.metrics.errors.inc();
        this.metrics.reconciles.inc({ result: 'error' });
        this.logger.warn({ err: error, key }, 'reconcile failed; retrying with back-off');
      },
    );
  }

  private enqueueAll(): void {
    for (const resource of this.informer.list()) this.queue?.add(keyOf(resource));
  }

  private scheduleResync(): void {
    this.cancelResync = this.scheduler.schedule(this.config.RESYNC_MS, () => {
      this.enqueueAll();
      this.scheduleResync();
    });
  }

  /** Connects on first use and again after the cluster was lost, so an outage is a requeue, not a crash. */
  private async hazelcast(): Promise<KeyValueStore> {
    this.durable ??= openDurableStore(this.config, this.logger).catch((error: unknown) => {
      this.durable = undefined;
      throw error;
    });
    const durable = await this.durable;
    if (this.client?.getLifecycleService().isRunning()) return storeFor(durable, this.client);
    this.connecting ??= connectHazelcast({
      clusterName: this.config.HAZELCAST_CLUSTER_NAME,
      addresses: this.config.HAZELCAST_ADDRESSES,
      connectTimeoutMs: 5_000,
      logger: this.logger,
    })
      .then((client) => {
        this.client = client;
        return storeFor(durable, client);
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }
}
