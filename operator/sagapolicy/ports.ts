import type { EffectivePolicy, PolicyAck } from '../../src/sagas/saga-policy';
import type { SagaPolicyResource, SagaPolicyStatus } from './sagapolicy-resource';

/** What the reconciler needs from Kubernetes, small enough to fake in unit tests. */
export interface PolicyResources {
  get(namespace: string, name: string): SagaPolicyResource | undefined;
  all(): readonly SagaPolicyResource[];
  patchStatus(resource: SagaPolicyResource, status: SagaPolicyStatus): Promise<void>;
  setFinalizers(resource: SagaPolicyResource, finalizers: readonly string[]): Promise<void>;
}

export interface EventSink {
  normal(resource: SagaPolicyResource, reason: string, message: string): Promise<void>;
  warning(resource: SagaPolicyResource, reason: string, message: string): Promise<void>;
}

/** The Hazelcast side: the policy map the services read and the acknowledgements they write. */
export interface PolicyTarget {
  current(sagaType: string): Promise<EffectivePolicy | undefined>;
  write(policy: Omit<EffectivePolicy, 'generation'>): Promise<EffectivePolicy>;
  acks(sagaType: string): Promise<readonly PolicyAck[]>;
  /** False on a community cluster: the Enterprise vector store cannot be had. */
  enterprise(): Promise<boolean>;
}

export class HazelcastUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`Hazelcast is unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'HazelcastUnavailableError';
  }
}
