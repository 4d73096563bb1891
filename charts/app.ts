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
import { SagaOperator } from './constructs/saga-operator';
import { sagaPolicyCrd } from './crd/sagapolicy-crd';
import { defaultSettings, imageOf } from './settings';
import type { HmsSettings, ServiceName } from './settings';
import type { ObservabilityFiles } from './support/dashboard-files';
import { loadObservabilityFiles } from './support/dashboard-files';
import { PART_OF } from './support/kube';

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
  readonly services: Chart;
  readonly operator: Chart;
  readonly observability: Chart;
  readonly hazelcastCluster: HazelcastCluster;
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
  });
  const hazelcastClient = { addresses: hazelcastCluster.clientAddress, clusterName: settings.clusterName };

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
          env: { STREAM_PARTITIONS: String(settings.streamPartitions) },
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

  return {
    crds,
    hazelcast,
    services,
    operator,
    observability,
    hazelcastCluster,
    microservices,
    sagaOperator,
    observabilityStack,
  };
}
