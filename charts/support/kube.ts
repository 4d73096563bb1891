import { createHash } from 'node:crypto';
import { k8s } from 'cdk8s-plus-27';
import { stringify } from 'yaml';
import type { Resources } from '../settings';

/**
 * Small helpers over cdk8s-plus-27's generated Kubernetes API (`k8s.*`). The constructs use that API
 * rather than the cdk8s-plus L2 classes because the L2 classes add defaults of their own (pull policy
 * Always, resource limits, TCP startup probes, cdk8s.io/metadata.addr selectors) and cannot express
 * several things this deployment needs (seccompProfile, dropping ALL capabilities, enableServiceLinks,
 * publishNotReadyAddresses, RBAC resourceNames, PodDisruptionBudgets); with the typed API every field in
 * dist/ is one written here.
 */

export const PART_OF = 'hazelcast-microservices';

export type Labels = Readonly<Record<string, string>>;

/** Labels of a workload's pods; `app.kubernetes.io/name` alone is the (immutable) selector. */
export const podLabels = (name: string, component: string): Labels => ({
  'app.kubernetes.io/name': name,
  'app.kubernetes.io/component': component,
  'app.kubernetes.io/part-of': PART_OF,
});

export const selectorLabels = (name: string): Labels => ({ 'app.kubernetes.io/name': name });

export const quantity = (value: string): k8s.Quantity => k8s.Quantity.fromString(value);

export const resources = (r: Resources): k8s.ResourceRequirements => ({
  requests: { cpu: quantity(r.cpuRequest), memory: quantity(r.memoryRequest) },
  limits: { cpu: quantity(r.cpuLimit), memory: quantity(r.memoryLimit) },
});

export const port = (value: number | string): k8s.IntOrString =>
  typeof value === 'number' ? k8s.IntOrString.fromNumber(value) : k8s.IntOrString.fromString(value);

export interface ProbeTiming {
  readonly periodSeconds?: number;
  readonly failureThreshold?: number;
  readonly initialDelaySeconds?: number;
  readonly timeoutSeconds?: number;
}

export const httpProbe = (path: string, on: number | string, timing: ProbeTiming = {}): k8s.Probe => ({
  httpGet: { path, port: port(on) },
  periodSeconds: timing.periodSeconds ?? 10,
  timeoutSeconds: timing.timeoutSeconds ?? 2,
  failureThreshold: timing.failureThreshold ?? 3,
  ...(timing.initialDelaySeconds === undefined ? {} : { initialDelaySeconds: timing.initialDelaySeconds }),
});

/** An env var from the downward API, e.g. metadata.name or status.podIP. */
export const fieldRef = (name: string, fieldPath: string): k8s.EnvVar => ({
  name,
  valueFrom: { fieldRef: { fieldPath } },
});

export const envVars = (values: Readonly<Record<string, string>>): k8s.EnvVar[] =>
  Object.entries(values).map(([name, value]) => ({ name, value }));

/** A key of a Secret the chart does not hold (it is created in the cluster, see postgres.ts). */
export interface SecretKey {
  readonly secret: string;
  readonly key: string;
}

/** An env var from a Secret: the value never appears in the manifests. */
export const secretEnv = (name: string, from: SecretKey): k8s.EnvVar => ({
  name,
  valueFrom: { secretKeyRef: { name: from.secret, key: from.key } },
});

/** The `$(NAME)` references the kubelet expands in an env value (only from variables defined before it). */
export const expansions = (value: string): string[] =>
  [...value.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((match) => match[1]!);

/**
 * Pod-level settings of the "restricted" Pod Security Standard, for an image's non-root user. fsGroup
 * makes a PersistentVolume writable by that user.
 */
export const restrictedPodSecurity = (
  user: number,
  group?: number,
  fsGroup?: number,
): k8s.PodSecurityContext => ({
  runAsNonRoot: true,
  runAsUser: user,
  ...(group === undefined ? {} : { runAsGroup: group }),
  ...(fsGroup === undefined ? {} : { fsGroup, fsGroupChangePolicy: 'OnRootMismatch' }),
  seccompProfile: { type: 'RuntimeDefault' },
});

export const restrictedContainerSecurity = (): k8s.SecurityContext => ({
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
});

/** NetworkPolicy peers: the pods whose app.kubernetes.io/name is one of these. */
export const fromPods = (names: readonly string[]): k8s.NetworkPolicyPeer[] => [
  {
    podSelector: {
      matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: [...names] }],
    },
  },
];

/** Scratch space for a read-only root filesystem. */
export const emptyDir = (name: string, sizeLimit = '64Mi'): k8s.Volume => ({
  name,
  emptyDir: { sizeLimit: quantity(sizeLimit) },
});

/** Changes when the text changes: as a pod annotation it rolls the pods when their ConfigMap changes. */
export const checksum = (...texts: readonly string[]): string => {
  const hash = createHash('sha256');
  for (const text of texts) hash.update(text).update('\0');
  return hash.digest('hex');
};

/** Prometheus' kubernetes_sd scrape annotations, as honoured by charts/constructs/prometheus.ts. */
export const scrapeAnnotations = (metricsPort: number, path = '/metrics'): Labels => ({
  'prometheus.io/scrape': 'true',
  'prometheus.io/port': String(metricsPort),
  'prometheus.io/path': path,
});

/** YAML for a ConfigMap file, without anchors and aliases a reader would have to resolve. */
export const toYaml = (value: unknown): string => stringify(value, { aliasDuplicateObjects: false });
