import type { Condition } from '../controller/conditions';

export const GROUP = 'saga.hms.dev';
export const VERSION = 'v1alpha1';
export const PLURAL = 'sagapolicies';
export const KIND = 'SagaPolicy';
export const FINALIZER = 'saga.hms.dev/restore-defaults';

/** A SagaPolicy as the API server returns it; `spec` is checked with the shared schema before use. */
export interface SagaPolicyResource {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly uid?: string;
    readonly generation?: number;
    readonly resourceVersion?: string;
    readonly deletionTimestamp?: string;
    readonly finalizers?: readonly string[];
  };
  readonly spec?: unknown;
  readonly status?: SagaPolicyStatus;
}

export interface SagaPolicyStatus {
  readonly observedGeneration?: number;
  readonly conditions?: readonly Condition[];
  /** Services that acknowledged the generation now in force. */
  readonly acknowledgedServices?: number;
  /** Generation of the policy in the Hazelcast map this resource wrote. */
  readonly appliedPolicyGeneration?: number;
}
