/**
 * Everything a deployment may want to change, in one place. `npm run synth` always uses these values (no
 * environment lookups), so the output in dist/ is the same on every machine. Edit here, synth again.
 */
import type { SecretKey } from './support/kube';

export interface Resources {
  /** Kubernetes quantities, e.g. '100m' CPU and '256Mi' memory. */
  readonly cpuRequest: string;
  readonly cpuLimit: string;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
}

export interface Autoscaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Average CPU utilisation (of the request) the HPA aims for. Needs metrics-server in the cluster. */
  readonly cpuUtilizationPercent: number;
}

export type ServiceName = 'account' | 'inventory' | 'order' | 'payment';

export interface ServiceSettings {
  /** The port the service listens on; the same as its defaultPort in services/<name>. */
  readonly port: number;
  /** Ignored when autoscaling is set (the HPA owns the replica count then). */
  readonly replicas: number;
  readonly resources: Resources;
  readonly autoscaling?: Autoscaling;
}

/** PostgreSQL run by the chart: a StatefulSet with a PersistentVolumeClaim (charts/constructs/postgres.ts). */
export interface InClusterPostgres {
  readonly kind: 'in-cluster';
  readonly image: string;
  readonly database: string;
  readonly user: string;
  /**
   * The Secret (key `password`) the database and the services share. The chart refers to it and never
   * holds it: create it once per namespace (docs/guides/kubernetes.md; npm run kind:up does).
   */
  readonly credentialsSecret: string;
  /** Size of the data volume; its StorageClass is the cluster's default unless storageClassName is set. */
  readonly storage: string;
  readonly storageClassName?: string;
  readonly resources: Resources;
}

/** A PostgreSQL the chart does not run: a managed one (RDS, Cloud SQL, …) or a CloudNativePG cluster. */
export interface ExternalPostgres {
  readonly kind: 'external';
  /** The Secret key holding the whole DATABASE_URL, e.g. CloudNativePG's `<cluster>-app` Secret, key `uri`. */
  readonly urlSecret: SecretKey;
}

/** HMS_PERSISTENCE of the services (docs/guides/persistence.md). */
export type Persistence =
  | { readonly mode: 'memory' }
  | {
      readonly mode: 'postgres';
      /** DATABASE_POOL_SIZE: connections per service replica. */
      readonly poolSize: number;
      readonly database: InClusterPostgres | ExternalPostgres;
    };

export interface HmsSettings {
  /** Images built by `npm run images` are `${imageRegistry}/<name>:${imageTag}`. */
  readonly imageRegistry: string;
  readonly imageTag: string;
  /** IfNotPresent suits images loaded with `kind load`; use Always for a mutable tag in a registry. */
  readonly imagePullPolicy: 'IfNotPresent' | 'Always' | 'Never';
  /** The Hazelcast cluster name: members are started with it and clients must present it. */
  readonly clusterName: string;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** STREAM_PARTITIONS: must be the same for every service on a cluster, so it is set once here. */
  readonly streamPartitions: number;
  /** SHUTDOWN_GRACE_MS of the services; their termination grace period is derived from it. */
  readonly shutdownGraceMs: number;
  /**
   * Nodes the pods can be scheduled on (kind-config.yaml's workers). With at least as many nodes as
   * Hazelcast members, their anti-affinity is required (never two members on one node); with fewer it is
   * only preferred, so every member still gets a node.
   */
  readonly schedulableNodes: number;
  readonly hazelcast: {
    readonly image: string;
    readonly replicas: number;
    readonly resources: Resources;
    /** Share of the container memory limit the JVM heap may use (-XX:MaxRAMPercentage). */
    readonly maxRamPercentage: number;
  };
  readonly services: Readonly<Record<ServiceName, ServiceSettings>>;
  /** PostgreSQL as the system of record (the default here), or the in-memory grid alone. */
  readonly persistence: Persistence;
  /** Pod disruption budgets for services running two or more replicas. */
  readonly servicePodDisruptionBudgets: boolean;
  readonly operator: {
    readonly replicas: number;
    readonly resources: Resources;
  };
  readonly observability: {
    readonly prometheusImage: string;
    readonly grafanaImage: string;
    readonly jaegerImage: string;
    readonly prometheusRetention: string;
  };
}

const small: Resources = { cpuRequest: '100m', cpuLimit: '1', memoryRequest: '192Mi', memoryLimit: '384Mi' };

export const defaultSettings: HmsSettings = {
  imageRegistry: 'hms',
  imageTag: 'dev',
  imagePullPolicy: 'IfNotPresent',
  clusterName: 'hms',
  logLevel: 'info',
  streamPartitions: 8,
  shutdownGraceMs: 10_000,
  schedulableNodes: 3,
  hazelcast: {
    image: 'hazelcast/hazelcast:5.7.0',
    replicas: 3,
    resources: { cpuRequest: '250m', cpuLimit: '2', memoryRequest: '768Mi', memoryLimit: '768Mi' },
    maxRamPercentage: 75,
  },
  services: {
    account: { port: 8081, replicas: 2, resources: small },
    // The MiniLM session adds ~150 MB, and the HNSW index ~1.7 KB per product (docs/guides/recommendations.md).
    inventory: {
      port: 8082,
      replicas: 2,
      resources: { ...small, memoryRequest: '384Mi', memoryLimit: '768Mi' },
    },
    order: { port: 8083, replicas: 2, resources: small },
    payment: { port: 8084, replicas: 2, resources: small },
  },
  persistence: {
    mode: 'postgres',
    poolSize: 10,
    database: {
      kind: 'in-cluster',
      image: 'postgres:18.3',
      database: 'hms',
      user: 'hms',
      credentialsSecret: 'postgres-credentials',
      storage: '10Gi',
      resources: { cpuRequest: '250m', cpuLimit: '2', memoryRequest: '512Mi', memoryLimit: '1Gi' },
    },
  },
  servicePodDisruptionBudgets: true,
  operator: {
    replicas: 2,
    resources: { cpuRequest: '50m', cpuLimit: '500m', memoryRequest: '128Mi', memoryLimit: '256Mi' },
  },
  observability: {
    prometheusImage: 'prom/prometheus:v3.5.0',
    grafanaImage: 'grafana/grafana:12.4.0',
    jaegerImage: 'cr.jaegertracing.io/jaegertracing/jaeger:2.15.0',
    prometheusRetention: '2d',
  },
};

/** The image `npm run images` builds for a service or the operator. */
export const imageOf = (settings: HmsSettings, name: ServiceName | 'operator'): string =>
  `${settings.imageRegistry}/${name}:${settings.imageTag}`;
