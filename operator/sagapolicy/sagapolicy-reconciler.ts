import type { Clock } from '../../src/core/clock';
import {
  effectivePolicy,
  sagaPolicySpecSchema,
  type EffectivePolicy,
  type SagaPolicySpec,
} from '../../src/sagas/saga-policy';
import { findCondition, setConditions, type ConditionUpdate } from '../controller/conditions';
import type { ReconcileResult } from '../controller/work-queue';
import { HazelcastUnavailableError, type EventSink, type PolicyResources, type PolicyTarget } from './ports';
import { replicaCount, type ReplicaCount } from './replica-count';
import { FINALIZER, type SagaPolicyResource, type SagaPolicyStatus } from './sagapolicy-resource';

const sameSettings = (
  a: Omit<EffectivePolicy, 'generation'>,
  b: Omit<EffectivePolicy, 'generation'>,
): boolean =>
  a.sagaType === b.sagaType &&
  a.timeoutMs === b.timeoutMs &&
  a.checkIntervalMs === b.checkIntervalMs &&
  a.maxBatchSize === b.maxBatchSize &&
  a.autoCompensate === b.autoCompensate &&
  a.retentionMs === b.retentionMs &&
  a.vectorStoreEnabled === b.vectorStoreEnabled &&
  a.source === b.source;

const specOf = (resource: SagaPolicyResource): SagaPolicySpec | undefined => {
  const parsed = sagaPolicySpecSchema.safeParse(resource.spec);
  return parsed.success ? parsed.data : undefined;
};

const sourceOf = (resource: SagaPolicyResource): string =>
  `operator/${resource.metadata.namespace}/${resource.metadata.name}`;

/**
 * Level-triggered reconcile of one SagaPolicy: make the Hazelcast policy map say what the resource says,
 * report how many services run it, and keep the status honest (conflicts, an unreachable cluster, the
 * Enterprise flag). It writes status only when something changed, so its own writes stay quiet.
 */
export class SagaPolicyReconciler {
  constructor(
    private readonly deps: {
      readonly resources: PolicyResources;
      readonly events: EventSink;
      readonly target: PolicyTarget;
      readonly clock: Clock;
      /** How soon to look again while services have not all acknowledged. */
      readonly ackWaitMs?: number;
    },
  ) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace = '', name = ''] = key.split('/');
    const resource = this.deps.resources.get(namespace, name);
    if (!resource) return {};
    if (resource.metadata.deletionTimestamp) return this.finalize(resource);
    const finalizers = resource.metadata.finalizers ?? [];
    if (!finalizers.includes(FINALIZER))
      await this.deps.resources.setFinalizers(resource, [...finalizers, FINALIZER]);

    const generation = resource.metadata.generation ?? 0;
    const spec = specOf(resource);
    if (!spec) {
      const problem = sagaPolicySpecSchema.safeParse(resource.spec).error?.issues[0];
      const message = `spec.${problem?.path.join('.') ?? ''}: ${problem?.message ?? 'invalid'}`;
      await this.writeStatus(resource, generation, [
        { type: 'Ready', status: 'False', reason: 'InvalidSpec', message, observedGeneration: generation },
        { type: 'Applied', status: 'False', reason: 'InvalidSpec', message, observedGeneration: generation },
      ]);
      await this.deps.events.warning(resource, 'InvalidSpec', message);
      return {};
    }

    const rivals = this.deps.resources
      .all()
      .filter(
        (other) =>
          !other.metadata.deletionTimestamp &&
          !(other.metadata.namespace === namespace && other.metadata.name === name) &&
          specOf(other)?.sagaType === spec.sagaType,
      )
      .map((other) => `${other.metadata.namespace}/${other.metadata.name}`)
      .sort();
    if (rivals.length > 0) {
      const message = `SagaPolicy ${rivals.join(', ')} also sets saga type ${spec.sagaType}; neither is applied until one is removed`;
      const changed = await this.writeStatus(resource, generation, [
        { type: 'Ready', status: 'False', reason: 'Conflict', message, observedGeneration: generation },
        { type: 'Applied', status: 'False', reason: 'Conflict', message, observedGeneration: generation },
      ]);
      if (changed) await this.deps.events.warning(resource, 'Conflict', message);
      return {};
    }

    let applied: EffectivePolicy;
    let replicas: ReplicaCount;
    let enterprise = false;
    const desired = { ...effectivePolicy(spec, 0, sourceOf(resource)) };
    try {
      const current = await this.deps.target.current(spec.sagaType);
      const written = current !== undefined && sameSettings(current, desired);
      applied = written ? current : await this.deps.target.write(desired);
      if (!written) {
        await this.deps.events.normal(
          resource,
          'Applied',
          `Policy generation ${applied.generation} written for ${spec.sagaType}`,
        );
      }
      replicas = replicaCount(await this.deps.target.acks(spec.sagaType), applied.generation);
      if (spec.vectorStore.enabled) enterprise = await this.deps.target.enterprise();
    } catch (error) {
      const message = new HazelcastUnavailableError(error).message;
      await this.writeStatus(resource, generation, [
        {
          type: 'Applied',
          status: 'False',
          reason: 'HazelcastUnavailable',
          message,
          observedGeneration: generation,
        },
        {
          type: 'Ready',
          status: 'False',
          reason: 'HazelcastUnavailable',
          message,
          observedGeneration: generation,
        },
      ]);
      await this.deps.events.warning(resource, 'HazelcastUnavailable', message);
      throw new HazelcastUnavailableError(error);
    }

    const { services, servicesUpdated, instances, instancesUpdated } = replicas;
    const ready = instances > 0 && instancesUpdated === instances;
    const progress =
      `${servicesUpdated} of ${services} services (${instancesUpdated} of ${instances} replicas) ` +
      `run generation ${applied.generation}`;
    const wasReady = findCondition(resource.status?.conditions ?? [], 'Ready')?.status === 'True';
    await this.writeStatus(
      resource,
      generation,
      [
        {
          type: 'Applied',
          status: 'True',
          reason: 'PolicyWritten',
          message: `Generation ${applied.generation} of ${spec.sagaType} is in the saga.policy map`,
          observedGeneration: generation,
        },
        ready
          ? {
              type: 'Ready',
              status: 'True',
              reason: 'AllServicesAcknowledged',
              message: progress,
              observedGeneration: generation,
            }
          : {
              type: 'Ready',
              status: 'False',
              reason: instances === 0 ? 'NoServicesRunning' : 'WaitingForServices',
              message: progress,
              observedGeneration: generation,
            },
        spec.vectorStore.enabled
          ? enterprise
            ? {
                type: 'VectorStoreAvailable',
                status: 'True',
                reason: 'Enterprise',
                message: 'VectorCollection in use',
                observedGeneration: generation,
              }
            : {
                type: 'VectorStoreAvailable',
                status: 'False',
                reason: 'EnterpriseRequired',
                message: 'The vector store needs Hazelcast Enterprise; services use the community fallback',
                observedGeneration: generation,
              }
          : {
              type: 'VectorStoreAvailable',
              status: 'False',
              reason: 'Disabled',
              message: 'spec.vectorStore.enabled is false',
              observedGeneration: generation,
            },
      ],
      { acknowledgedServices: servicesUpdated, appliedPolicyGeneration: applied.generation },
    );
    if (ready && !wasReady) {
      await this.deps.events.normal(
        resource,
        'Acknowledged',
        `${servicesUpdated} services (${instances} replicas) run generation ${applied.generation}`,
      );
    }
    return ready ? {} : { requeueAfterMs: this.deps.ackWaitMs ?? 2_000 };
  }

  /** The finalizer's work: the saga type goes back to its defaults (unless another policy now owns it). */
  private async finalize(resource: SagaPolicyResource): Promise<ReconcileResult> {
    const finalizers = resource.metadata.finalizers ?? [];
    if (!finalizers.includes(FINALIZER)) return {};
    const spec = specOf(resource);
    if (spec) {
      const successor = this.deps.resources
        .all()
        .some(
          (other) =>
            !other.metadata.deletionTimestamp &&
            other !== resource &&
            specOf(other)?.sagaType === spec.sagaType,
        );
      const current = await this.deps.target.current(spec.sagaType).catch((error: unknown) => {
        throw new HazelcastUnavailableError(error);
      });
      if (!successor && current?.source === sourceOf(resource)) {
        const defaults = effectivePolicy(
          sagaPolicySpecSchema.parse({ sagaType: spec.sagaType }),
          0,
          'default',
        );
        const restored = await this.deps.target.write(defaults);
        await this.deps.events.normal(
          resource,
          'DefaultsRestored',
          `${spec.sagaType} is back on the defaults (generation ${restored.generation})`,
        );
      }
    }
    await this.deps.resources.setFinalizers(
      resource,
      finalizers.filter((finalizer) => finalizer !== FINALIZER),
    );
    return {};
  }

  /** Patches status only when it differs; returns whether it wrote. */
  private async writeStatus(
    resource: SagaPolicyResource,
    generation: number,
    updates: readonly ConditionUpdate[],
    extra: Pick<SagaPolicyStatus, 'acknowledgedServices' | 'appliedPolicyGeneration'> = {},
  ): Promise<boolean> {
    const before = resource.status ?? {};
    const conditions = setConditions(before.conditions ?? [], updates, new Date(this.deps.clock.now()));
    const next: SagaPolicyStatus = { ...before, ...extra, observedGeneration: generation, conditions };
    if (JSON.stringify(next) === JSON.stringify(before)) return false;
    await this.deps.resources.patchStatus(resource, next);
    return true;
  }
}
