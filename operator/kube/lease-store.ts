import { CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { LeaseRecord, LeaseStore } from '../controller/leader-election';
import { statusOf } from './kube-config';

/**
 * A Lease's times are MicroTime: the API server insists on six fractional digits, while client-node
 * serializes a Date with toISOString (three). A Date that prints itself the way the server parses it.
 */
const toDate = (value: string | null): Date | undefined => {
  if (!value) return undefined;
  const date = new Date(value);
  const micro = date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  return Object.assign(date, { toISOString: () => micro, toJSON: () => micro });
};
const toIso = (value: Date | string | undefined): string | null =>
  value === undefined ? null : new Date(value).toISOString();

/** A coordination.k8s.io/v1 Lease, with the API server's optimistic concurrency on resourceVersion. */
export function kubeLeaseStore(config: KubeConfig, namespace: string, name: string): LeaseStore {
  const api = config.makeApiClient(CoordinationV1Api);
  const body = (lease: LeaseRecord): V1Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace,
      ...(lease.resourceVersion ? { resourceVersion: lease.resourceVersion } : {}),
    },
    spec: {
      ...(lease.holderIdentity ? { holderIdentity: lease.holderIdentity } : {}),
      leaseDurationSeconds: lease.leaseDurationSeconds,
      ...(lease.acquireTime ? { acquireTime: toDate(lease.acquireTime) } : {}),
      ...(lease.renewTime ? { renewTime: toDate(lease.renewTime) } : {}),
      leaseTransitions: lease.leaseTransitions,
    } as V1Lease['spec'],
  });
  const conflict = (error: unknown): false => {
    if (statusOf(error) === 409) return false;
    throw error;
  };
  return {
    async get() {
      try {
        const lease = await api.readNamespacedLease({ name, namespace });
        return {
          holderIdentity: lease.spec?.holderIdentity ?? null,
          leaseDurationSeconds: lease.spec?.leaseDurationSeconds ?? 15,
          acquireTime: toIso(lease.spec?.acquireTime as Date | undefined),
          renewTime: toIso(lease.spec?.renewTime as Date | undefined),
          leaseTransitions: lease.spec?.leaseTransitions ?? 0,
          ...(lease.metadata?.resourceVersion ? { resourceVersion: lease.metadata.resourceVersion } : {}),
        };
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async create(lease) {
      return api.createNamespacedLease({ namespace, body: body(lease) }).then(() => true, conflict);
    },
    async replace(lease) {
      return api.replaceNamespacedLease({ name, namespace, body: body(lease) }).then(() => true, conflict);
    },
  };
}
