import fs from 'node:fs';
import path from 'node:path';
import { ApiObject, Chart } from 'cdk8s';
import type { App } from 'cdk8s';
import { defaultConfigPath, projectRoot } from '../src/hazelcast/member';
import { HazelcastCluster } from './constructs/hazelcast-cluster';
import { HazelcastNetworkPolicy } from './constructs/hazelcast-network-policy';
import { JAEGER_OTLP_HTTP_ENDPOINT } from './constructs/jaeger';
import { Microservice } from './constructs/microservice';
import { Observability } from './constructs/observability';
import { Postgres } from './constructs/postgres';
import { PostgresNetworkPolicy } from './constructs/postgres-network-policy';
import { SagaOperator } from './constructs/saga-operator';
import { sagaPolicyCrd } from './crd/sagapolicy-crd';
import { defaultSettings, imageOf } from './settings';
import type { HmsSettings, Persistence, ServiceName } from './settings';
import type { ObservabilityFiles } from './support/dashboard-files';
import { loadObservabilityFiles } from './support/dashboard-files';
import { PART_OF } from './support/kube';
import type { SecretKey } from './support/kube';

export interface HmsInputs {
  /** config/hazelcast.yaml, the file the local run uses. */
  readonly hazelcastConfig: string;
  /** Dashboards and alert rules built under dashboards/. */
  readonly observabilityFiles: ObservabilityFiles;
}

/** Reads the inputs from this repository: config/hazelcast.yaml and dashboards/. */
export function readInputs(): HmsInputs {
  return {
    hazelcastConfig: fs.readFileSync(defaultConfigPath(), 'utf8'),
    observabilityFiles: loadObservabilityFiles(path.join(projectRoot(), 'dashboards')),
  };
}

export interface HmsCharts {
  readonly crds: Chart;
  readonly hazelcast: Chart;
  /** Only when the chart runs PostgreSQL itself (persistence postgres, database in-cluster). */
  readonly postgres?: Chart;
  readonly services: Chart;
  readonly operator: Chart;
  readonly observability: Chart;
  readonly hazelcastCluster: HazelcastCluster;
  readonly database?: Postgres;
  readonly microservices: Readonly<Record<ServiceName, Microservice>>;
  readonly sagaOperator: SagaOperator;
  readonly observabilityStack: Observability;
}

export const SERVICE_NAMES: readonly ServiceName[] = ['account', 'inventory', 'order', 'payment'];

/**
 * The whole deployment, one chart per file in dist/, named so `kubectl apply -f dist/` (alphabetical)
 * creates the CRD before anything else.
 */
export function defineCharts(
  app: App,
  inputs: HmsInputs,
  settings: HmsSettings = defaultSettings,
): HmsCharts {
  const labels = { 'app.kubernetes.io/part-of': PART_OF, 'app.kubernetes.io/managed-by': 'cdk8s' };

  const crds = new Chart(app, '0-crds', { labels });
  new ApiObject(crds, 'sagapolicies', sagaPolicyCrd());

  const hazelcast = new Chart(app, '1-hazelcast', { labels });
  const hazelcastCluster = new HazelcastCluster(hazelcast, 'cluster', {
    image: settings.hazelcast.image,
    imagePullPolicy: settings.imagePullPolicy,
    replicas: settings.hazelcast.replicas,
    clusterName: settings.clusterName,
    resources: settings.hazelcast.resources,
    maxRamPercentage: settings.hazelcast.maxRamPercentage,
    configYaml: inputs.hazelcastConfig,
    antiAffinity: settings.schedulableNodes >= settings.hazelcast.replicas ? 'required' : 'preferred',
  });
  const hazelcastClient = { addresses: hazelcastCluster.clientAddress, clusterName: settings.clusterName };

  const database = inClusterDatabase(app, labels, settings);
  const persistence = persistenceEnvironment(settings.persistence, database);

  const services = new Chart(app, '2-services', { labels });
  const microservices = Object.fromEntries(
    SERVICE_NAMES.map((name) => {
      const service = settings.services[name];
      return [
        name,
        new Microservice(services, name, {
          name,
          image: imageOf(settings, name),
          imagePullPolicy: settings.imagePullPolicy,
          port: service.port,
          replicas: service.replicas,
          resources: service.resources,
          hazelcast: hazelcastClient,
          logLevel: settings.logLevel,
          otlpEndpoint: JAEGER_OTLP_HTTP_ENDPOINT,
          shutdownGraceMs: settings.shutdownGraceMs,
          env: { STREAM_PARTITIONS: String(settings.streamPartitions), ...persistence.env },
          secretEnv: persistence.secretEnv,
          podDisruptionBudget: settings.servicePodDisruptionBudgets,
          ...(service.autoscaling ? { autoscaling: service.autoscaling } : {}),
        }),
      ];
    }),
  ) as Record<ServiceName, Microservice>;

  const operator = new Chart(app, '3-operator', { labels });
  const sagaOperator = new SagaOperator(operator, 'saga-operator', {
    image: imageOf(settings, 'operator'),
    imagePullPolicy: settings.imagePullPolicy,
    replicas: settings.operator.replicas,
    resources: settings.operator.resources,
    hazelcast: hazelcastClient,
    logLevel: settings.logLevel,
    // It writes the saga policy, which persistent mode keeps in PostgreSQL; one connection is plenty.
    env: {
      ...persistence.env,
      ...(persistence.env.HMS_PERSISTENCE === 'postgres' ? { DATABASE_POOL_SIZE: '2' } : {}),
    },
    secretEnv: persistence.secretEnv,
  });

  const observability = new Chart(app, '4-observability', { labels });
  const observabilityStack = new Observability(observability, 'observability', {
    ...settings.observability,
    hazelcast: { podSelector: hazelcastCluster.podSelector, portName: 'metrics' },
    dashboards: inputs.observabilityFiles.dashboards,
    ruleFiles: inputs.observabilityFiles.ruleFiles,
  });

  // Hazelcast's chart guards it: only the services, the operator and Prometheus get in.
  new HazelcastNetworkPolicy(hazelcast, 'network-policy', {
    members: hazelcastCluster.name,
    port: hazelcastCluster.port,
    metricsPort: hazelcastCluster.metricsPort,
    clients: [...SERVICE_NAMES.map((name) => microservices[name].serviceName), sagaOperator.name],
    monitoring: observabilityStack.prometheus.name,
  });

  if (database) {
    new PostgresNetworkPolicy(database.chart, 'network-policy', {
      database: database.postgres.name,
      port: database.postgres.port,
      clients: [...SERVICE_NAMES.map((name) => microservices[name].serviceName), sagaOperator.name],
    });
  }

  return {
    crds,
    hazelcast,
    ...(database ? { postgres: database.chart, database: database.postgres } : {}),
    services,
    operator,
    observability,
    hazelcastCluster,
    microservices,
    sagaOperator,
    observabilityStack,
  };
}

/** The chart's own PostgreSQL (dist/1-postgres.k8s.yaml), sized for every service replica's pool. */
function inClusterDatabase(
  app: App,
  labels: Readonly<Record<string, string>>,
  settings: HmsSettings,
): { chart: Chart; postgres: Postgres } | undefined {
  const persistence = settings.persistence;
  if (persistence.mode !== 'postgres' || persistence.database.kind !== 'in-cluster') return undefined;
  const replicas = SERVICE_NAMES.map((name) => {
    const service = settings.services[name];
    return service.autoscaling?.maxReplicas ?? service.replicas;
  });
  const chart = new Chart(app, '1-postgres', { labels: { ...labels } });
  const { kind: _inCluster, ...database } = persistence.database;
  const postgres = new Postgres(chart, 'postgres', {
    ...database,
    imagePullPolicy: settings.imagePullPolicy,
    // A pool per replica at most, plus a few for someone's psql (PostgreSQL also keeps 3 for superusers).
    maxConnections: replicas.reduce((sum, count) => sum + count * persistence.poolSize, 0) + 10,
  });
  return { chart, postgres };
}

interface PersistenceEnvironment {
  readonly env: Readonly<Record<string, string>>;
  readonly secretEnv: Readonly<Record<string, SecretKey>>;
}

/**
 * HMS_PERSISTENCE and the database's address for the services. The password (or, for a database the
 * chart does not run, the whole URL) comes from a Secret, never from the manifest.
 */
function persistenceEnvironment(
  persistence: Persistence,
  database?: { postgres: Postgres },
): PersistenceEnvironment {
  if (persistence.mode === 'memory') return { env: { HMS_PERSISTENCE: 'memory' }, secretEnv: {} };
  const env = { HMS_PERSISTENCE: 'postgres', DATABASE_POOL_SIZE: String(persistence.poolSize) };
  if (persistence.database.kind === 'external') {
    return { env, secretEnv: { DATABASE_URL: persistence.database.urlSecret } };
  }
  if (!database) throw new Error('persistence: the in-cluster database was not defined');
  return {
    env: { ...env, DATABASE_URL: database.postgres.databaseUrl('DATABASE_PASSWORD') },
    secretEnv: { DATABASE_PASSWORD: database.postgres.password },
  };
}
