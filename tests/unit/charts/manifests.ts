import { Testing } from 'cdk8s';
import { defineCharts, readInputs } from '../../../charts/app';
import type { HmsCharts, HmsInputs } from '../../../charts/app';
import type { HmsSettings } from '../../../charts/settings';
import { defaultSettings } from '../../../charts/settings';

/** The parts of the synthesized objects the tests look at (Kubernetes wire format). */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; key: string } };
}
export interface Probe {
  httpGet?: { path: string; port: number | string };
  exec?: { command: string[] };
  periodSeconds?: number;
  failureThreshold?: number;
}
export interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: {
    name: string;
    emptyDir?: { medium?: string; sizeLimit?: string };
    configMap?: { name: string };
    secret?: { secretName: string; items?: { key: string; path: string }[]; defaultMode?: number };
  }[];
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    runAsGroup?: number;
    fsGroup?: number;
    seccompProfile?: { type: string };
  };
  terminationGracePeriodSeconds?: number;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  enableServiceLinks?: boolean;
  affinity?: {
    podAntiAffinity?: {
      preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; podAffinityTerm: AffinityTerm }[];
      requiredDuringSchedulingIgnoredDuringExecution?: AffinityTerm[];
    };
  };
}
export interface AffinityTerm {
  topologyKey: string;
  labelSelector: { matchLabels: Record<string, string> };
}
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: {
    replicas?: number;
    serviceName?: string;
    podManagementPolicy?: string;
    selector?: { matchLabels?: Record<string, string> } | Record<string, string>;
    template?: {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
      spec: PodSpec;
    };
    clusterIP?: string;
    publishNotReadyAddresses?: boolean;
    ports?: { name: string; port: number; targetPort?: number | string }[];
    maxUnavailable?: number | string;
    [key: string]: unknown;
  };
  data?: Record<string, string>;
  rules?: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

export interface Synthesized {
  readonly charts: HmsCharts;
  /** postgres is empty when the chart does not run PostgreSQL. */
  readonly byChart: Readonly<
    Record<'crds' | 'hazelcast' | 'postgres' | 'services' | 'operator' | 'observability', Manifest[]>
  >;
  readonly all: readonly Manifest[];
}

export function synthesize(
  inputs: HmsInputs = readInputs(),
  settings: HmsSettings = defaultSettings,
): Synthesized {
  const app = Testing.app();
  const charts = defineCharts(app, inputs, settings);
  const byChart = {
    crds: Testing.synth(charts.crds) as Manifest[],
    hazelcast: Testing.synth(charts.hazelcast) as Manifest[],
    postgres: charts.postgres ? (Testing.synth(charts.postgres) as Manifest[]) : [],
    services: Testing.synth(charts.services) as Manifest[],
    operator: Testing.synth(charts.operator) as Manifest[],
    observability: Testing.synth(charts.observability) as Manifest[],
  };
  return { charts, byChart, all: Object.values(byChart).flat() };
}

export function find(manifests: readonly Manifest[], kind: string, name: string): Manifest {
  const found = manifests.filter((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0]!;
}

export const podSpec = (workload: Manifest): PodSpec => {
  const spec = workload.spec?.template?.spec;
  if (!spec) throw new Error(`${workload.kind} ${workload.metadata.name} has no pod template`);
  return spec;
};

export const container = (workload: Manifest, name?: string): Container => {
  const containers = podSpec(workload).containers;
  const found = name === undefined ? containers[0] : containers.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`${workload.metadata.name} has no container ${name ?? ''}`);
  return found;
};

export const envOf = (c: Container): Record<string, EnvVar> =>
  Object.fromEntries((c.env ?? []).map((variable) => [variable.name, variable]));

/** A named container port resolved to its number. */
export const portNumber = (c: Container, ref: number | string | undefined): number | undefined =>
  typeof ref === 'number' ? ref : c.ports?.find((p) => p.name === ref)?.containerPort;

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet'];
