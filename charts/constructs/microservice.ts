import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { serviceEnvironmentVariables } from '../../src/config/service-config';
import type { Autoscaling, Resources } from '../settings';
import type { SecretKey } from '../support/kube';
import {
  emptyDir,
  envVars,
  expansions,
  fieldRef,
  httpProbe,
  podLabels,
  port,
  resources,
  restrictedContainerSecurity,
  restrictedPodSecurity,
  scrapeAnnotations,
  secretEnv,
  selectorLabels,
} from '../support/kube';

export interface MicroserviceProps {
  /** account, inventory, order or payment. The Service is `<name>-service`. */
  readonly name: string;
  readonly image: string;
  readonly imagePullPolicy: string;
  /** HTTP_PORT: container port, Service port and scrape port. */
  readonly port: number;
  readonly replicas: number;
  readonly resources: Resources;
  readonly hazelcast: {
    /** HAZELCAST_ADDRESSES, e.g. the client Service `hazelcast:5701`. */
    readonly addresses: string;
    readonly clusterName: string;
  };
  readonly logLevel: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT, e.g. Jaeger's OTLP/HTTP endpoint. Left unset when absent. */
  readonly otlpEndpoint?: string;
  /** SHUTDOWN_GRACE_MS: how long in-flight requests may take after SIGTERM. */
  readonly shutdownGraceMs: number;
  /** Further variables the service reads (src/config/service-config.ts), e.g. STREAM_PARTITIONS. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Variables from Secrets, defined before the others: either read by the services themselves, or only
   * expanded into another variable's value with `$(NAME)` (DATABASE_PASSWORD into DATABASE_URL).
   */
  readonly secretEnv?: Readonly<Record<string, SecretKey>>;
  /** Seconds the preStop hook waits so endpoints drop the pod before SIGTERM. Default 5. */
  readonly preStopSeconds?: number;
  /** An HPA instead of a fixed replica count. */
  readonly autoscaling?: Autoscaling;
  /** A PodDisruptionBudget (maxUnavailable 1) when at least two replicas run. Default true. */
  readonly podDisruptionBudget?: boolean;
}

/** What the process needs after the drain delay: in-flight requests, consumers, outbox, client. */
const SHUTDOWN_MARGIN_SECONDS = 15;
/** The `node` user of the official Node.js images (see Dockerfile). */
const NODE_UID = 1000;

/**
 * One of the four services: Deployment + Service, configured only through the variables the service
 * reads, with probes on its health endpoints, Prometheus scrape annotations, a read-only root filesystem
 * and a graceful shutdown (preStop drain delay, then SIGTERM with SHUTDOWN_GRACE_MS to finish requests).
 */
export class Microservice extends Construct {
  readonly serviceName: string;
  readonly deploymentName: string;
  readonly podSelector: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
  readonly secretEnv: Readonly<Record<string, SecretKey>>;
  readonly terminationGracePeriodSeconds: number;

  constructor(scope: Construct, id: string, props: MicroserviceProps) {
    super(scope, id);
    this.serviceName = `${props.name}-service`;
    this.deploymentName = this.serviceName;
    this.podSelector = selectorLabels(this.serviceName);
    const labels = podLabels(this.serviceName, 'microservice');
    const preStopSeconds = props.preStopSeconds ?? 5;
    this.terminationGracePeriodSeconds =
      preStopSeconds + Math.ceil(props.shutdownGraceMs / 1000) + SHUTDOWN_MARGIN_SECONDS;

    this.env = {
      HTTP_PORT: String(props.port),
      HAZELCAST_ADDRESSES: props.hazelcast.addresses,
      HAZELCAST_CLUSTER_NAME: props.hazelcast.clusterName,
      LOG_LEVEL: props.logLevel,
      SHUTDOWN_GRACE_MS: String(props.shutdownGraceMs),
      ...(props.otlpEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: props.otlpEndpoint } : {}),
      ...props.env,
    };
    this.secretEnv = props.secretEnv ?? {};
    checkEnvironment(props.name, this.env, this.secretEnv);

    const replicas = props.autoscaling?.minReplicas ?? props.replicas;

    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: this.deploymentName, labels },
      spec: {
        // With an HPA the replica count is left to it; `kubectl apply` would otherwise reset it.
        ...(props.autoscaling ? {} : { replicas: props.replicas }),
        selector: { matchLabels: this.podSelector },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: port(1), maxUnavailable: port(0) },
        },
        template: {
          metadata: { labels, annotations: scrapeAnnotations(props.port) },
          spec: {
            terminationGracePeriodSeconds: this.terminationGracePeriodSeconds,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurity(NODE_UID, NODE_UID),
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  {
                    weight: 50,
                    podAffinityTerm: {
                      topologyKey: 'kubernetes.io/hostname',
                      labelSelector: { matchLabels: this.podSelector },
                    },
                  },
                ],
              },
            },
            containers: [
              {
                name: props.name,
                image: props.image,
                imagePullPolicy: props.imagePullPolicy,
                ports: [{ name: 'http', containerPort: props.port }],
                env: [
                  ...Object.entries(this.secretEnv).map(([name, from]) => secretEnv(name, from)),
                  ...envVars(this.env),
                  fieldRef('INSTANCE_ID', 'metadata.name'),
                ],
                resources: resources(props.resources),
                securityContext: restrictedContainerSecurity(),
                startupProbe: httpProbe('/health/live', 'http', { periodSeconds: 2, failureThreshold: 30 }),
                livenessProbe: httpProbe('/health/live', 'http', { periodSeconds: 10, failureThreshold: 3 }),
                // Ready only once connected to Hazelcast, and not while shutting down.
                readinessProbe: httpProbe('/health/ready', 'http', { periodSeconds: 5, failureThreshold: 2 }),
                lifecycle: {
                  // Endpoints and kube-proxy take a moment to drop a terminating pod; keep serving meanwhile.
                  preStop: { exec: { command: ['sleep', String(preStopSeconds)] } },
                },
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [emptyDir('tmp')],
          },
        },
      },
    });

    new k8s.KubeService(this, 'service', {
      metadata: { name: this.serviceName, labels },
      spec: {
        type: 'ClusterIP',
        selector: this.podSelector,
        ports: [{ name: 'http', port: props.port, targetPort: port('http') }],
      },
    });

    if (props.autoscaling) {
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'hpa', {
        metadata: { name: this.deploymentName, labels },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.deploymentName },
          minReplicas: props.autoscaling.minReplicas,
          maxReplicas: props.autoscaling.maxReplicas,
          metrics: [
            {
              type: 'Resource',
              resource: {
                name: 'cpu',
                target: { type: 'Utilization', averageUtilization: props.autoscaling.cpuUtilizationPercent },
              },
            },
          ],
        },
      });
    }

    if ((props.podDisruptionBudget ?? true) && replicas >= 2) {
      new k8s.KubePodDisruptionBudget(this, 'pdb', {
        metadata: { name: this.deploymentName, labels },
        spec: { maxUnavailable: port(1), selector: { matchLabels: this.podSelector } },
      });
    }
  }
}

/**
 * Every variable is one the services read (src/config/service-config.ts), or a Secret's value expanded
 * into one; every `$(NAME)` names a Secret variable (defined first), since the kubelet leaves an unknown
 * reference as literal text.
 */
function checkEnvironment(
  service: string,
  env: Readonly<Record<string, string>>,
  fromSecrets: Readonly<Record<string, SecretKey>>,
): void {
  const expanded = new Set(Object.values(env).flatMap(expansions));
  const unresolved = [...expanded].filter((name) => !(name in fromSecrets));
  if (unresolved.length > 0) {
    throw new Error(`${service}: $(${unresolved.join('), $(')}) is not a variable from a Secret`);
  }
  const twice = Object.keys(fromSecrets).filter((name) => name in env);
  if (twice.length > 0)
    throw new Error(`${service}: ${twice.join(', ')} set both as a value and from a Secret`);
  const unknown = [
    ...Object.keys(env),
    ...Object.keys(fromSecrets).filter((name) => !expanded.has(name)),
    'INSTANCE_ID',
  ].filter((name) => !serviceEnvironmentVariables.includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `${service}: ${unknown.join(', ')} not read by the services (src/config/service-config.ts)`,
    );
  }
  if ('INSTANCE_ID' in env || 'INSTANCE_ID' in fromSecrets) {
    throw new Error(`${service}: INSTANCE_ID is the pod name, not a setting`);
  }
}
