import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { Resources } from '../settings';
import {
  emptyDir,
  httpProbe,
  podLabels,
  port,
  resources,
  restrictedContainerSecurity,
  restrictedPodSecurity,
  selectorLabels,
} from '../support/kube';

export interface JaegerProps {
  /** Jaeger v2 (built on the OpenTelemetry Collector); without --config it runs the all-in-one setup. */
  readonly image: string;
  readonly resources?: Resources;
}

const PORTS = { otlpGrpc: 4317, otlpHttp: 4318, ui: 16686, health: 13133 } as const;
/** OTLP/HTTP base URL for OTEL_EXPORTER_OTLP_ENDPOINT (the SDK appends /v1/traces). */
export const JAEGER_OTLP_HTTP_ENDPOINT = `http://jaeger-collector:${PORTS.otlpHttp}`;
/** USER of the official Jaeger image. */
const JAEGER_UID = 10001;

/**
 * Jaeger all-in-one with in-memory storage: OTLP gRPC 4317 and HTTP 4318 on Service `jaeger-collector`,
 * the UI and query API on 16686 on Service `jaeger`. Traces are lost on restart; it is for development.
 */
export class Jaeger extends Construct {
  readonly otlpHttpEndpoint: string;
  readonly otlpGrpcEndpoint: string;
  /** The query/UI URL, for Grafana's Jaeger datasource. */
  readonly queryUrl: string;
  readonly podSelector: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: JaegerProps) {
    super(scope, id);
    const name = 'jaeger';
    const labels = podLabels(name, 'tracing');
    this.podSelector = selectorLabels(name);
    this.otlpHttpEndpoint = JAEGER_OTLP_HTTP_ENDPOINT;
    this.otlpGrpcEndpoint = `http://jaeger-collector:${PORTS.otlpGrpc}`;
    this.queryUrl = `http://jaeger:${PORTS.ui}`;

    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name, labels },
      spec: {
        replicas: 1,
        // In-memory storage: two instances would each hold half the traces.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: this.podSelector },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurity(JAEGER_UID, JAEGER_UID),
            containers: [
              {
                name: 'jaeger',
                image: props.image,
                imagePullPolicy: 'IfNotPresent',
                ports: [
                  { name: 'otlp-grpc', containerPort: PORTS.otlpGrpc },
                  { name: 'otlp-http', containerPort: PORTS.otlpHttp },
                  { name: 'ui', containerPort: PORTS.ui },
                  { name: 'health', containerPort: PORTS.health },
                ],
                resources: resources(
                  props.resources ?? {
                    cpuRequest: '100m',
                    cpuLimit: '1',
                    memoryRequest: '256Mi',
                    memoryLimit: '1Gi',
                  },
                ),
                securityContext: restrictedContainerSecurity(),
                livenessProbe: httpProbe('/status', 'health', { initialDelaySeconds: 5 }),
                readinessProbe: httpProbe('/status', 'health', { periodSeconds: 5 }),
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [emptyDir('tmp')],
          },
        },
      },
    });

    new k8s.KubeService(this, 'query', {
      metadata: { name: 'jaeger', labels },
      spec: {
        selector: this.podSelector,
        ports: [{ name: 'http-ui', port: PORTS.ui, targetPort: port('ui') }],
      },
    });

    new k8s.KubeService(this, 'collector', {
      metadata: { name: 'jaeger-collector', labels },
      spec: {
        selector: this.podSelector,
        ports: [
          { name: 'otlp-grpc', port: PORTS.otlpGrpc, targetPort: port('otlp-grpc'), appProtocol: 'grpc' },
          { name: 'otlp-http', port: PORTS.otlpHttp, targetPort: port('otlp-http') },
        ],
      },
    });
  }
}
