import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { Resources } from '../settings';
import {
  checksum,
  emptyDir,
  envVars,
  httpProbe,
  podLabels,
  port,
  resources,
  restrictedContainerSecurity,
  restrictedPodSecurity,
  selectorLabels,
  toYaml,
} from '../support/kube';

export interface GrafanaProps {
  readonly image: string;
  readonly prometheusUrl: string;
  readonly jaegerUrl: string;
  /** Dashboard JSON files (file name → JSON text), provisioned into the "HMS" folder. */
  readonly dashboards?: Readonly<Record<string, string>>;
  readonly resources?: Resources;
}

const PORT = 3000;
/** USER of the official image (grafana, in group root). */
const GRAFANA_UID = 472;
const DASHBOARDS_DIR = '/etc/grafana/dashboards';
/** Fixed datasource uids, so dashboards can refer to them. */
export const DATASOURCE_UIDS = { prometheus: 'prometheus', jaeger: 'jaeger' } as const;

export function grafanaDatasources(prometheusUrl: string, jaegerUrl: string): string {
  return toYaml({
    apiVersion: 1,
    datasources: [
      {
        name: 'Prometheus',
        uid: DATASOURCE_UIDS.prometheus,
        type: 'prometheus',
        access: 'proxy',
        url: prometheusUrl,
        isDefault: true,
        editable: false,
        // Exemplars carrying a trace_id link to the trace in Jaeger.
        jsonData: {
          exemplarTraceIdDestinations: [{ name: 'trace_id', datasourceUid: DATASOURCE_UIDS.jaeger }],
        },
      },
      {
        name: 'Jaeger',
        uid: DATASOURCE_UIDS.jaeger,
        type: 'jaeger',
        access: 'proxy',
        url: jaegerUrl,
        editable: false,
      },
    ],
  });
}

export const grafanaDashboardProviders = (): string =>
  toYaml({
    apiVersion: 1,
    providers: [
      {
        name: 'hms',
        folder: 'HMS',
        type: 'file',
        disableDeletion: true,
        allowUiUpdates: false,
        options: { path: DASHBOARDS_DIR },
      },
    ],
  });

/**
 * Grafana with the Prometheus and Jaeger datasources and the project's dashboards provisioned from
 * ConfigMaps. Anonymous users may view; `admin`/`admin` signs in (Grafana asks to change it).
 */
export class Grafana extends Construct {
  readonly podSelector: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: GrafanaProps) {
    super(scope, id);
    const name = 'grafana';
    const labels = podLabels(name, 'dashboards');
    this.podSelector = selectorLabels(name);
    const dashboards = props.dashboards ?? {};
    const datasources = grafanaDatasources(props.prometheusUrl, props.jaegerUrl);
    const providers = grafanaDashboardProviders();

    new k8s.KubeConfigMap(this, 'datasources', {
      metadata: { name: `${name}-datasources`, labels },
      data: { 'datasources.yaml': datasources },
    });
    new k8s.KubeConfigMap(this, 'providers', {
      metadata: { name: `${name}-dashboard-providers`, labels },
      data: { 'dashboards.yaml': providers },
    });
    // One file per dashboard; empty until dashboards/ builds some.
    new k8s.KubeConfigMap(this, 'dashboards', {
      metadata: { name: `${name}-dashboards`, labels },
      data: { ...dashboards },
    });

    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: this.podSelector },
        template: {
          metadata: {
            labels,
            annotations: {
              'checksum/config': checksum(datasources, providers, ...Object.values(dashboards)),
            },
          },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurity(GRAFANA_UID),
            containers: [
              {
                name: 'grafana',
                image: props.image,
                imagePullPolicy: 'IfNotPresent',
                ports: [{ name: 'http', containerPort: PORT }],
                env: envVars({
                  GF_AUTH_ANONYMOUS_ENABLED: 'true',
                  GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer',
                  GF_ANALYTICS_REPORTING_ENABLED: 'false',
                  GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
                  GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: 'false',
                  GF_LOG_MODE: 'console',
                  GF_PATHS_DATA: '/var/lib/grafana',
                  GF_PATHS_PROVISIONING: '/etc/grafana/provisioning',
                }),
                resources: resources(
                  props.resources ?? {
                    cpuRequest: '50m',
                    cpuLimit: '500m',
                    memoryRequest: '128Mi',
                    memoryLimit: '512Mi',
                  },
                ),
                securityContext: restrictedContainerSecurity(),
                livenessProbe: httpProbe('/api/health', 'http', { initialDelaySeconds: 30 }),
                readinessProbe: httpProbe('/api/health', 'http', { periodSeconds: 5 }),
                volumeMounts: [
                  { name: 'data', mountPath: '/var/lib/grafana' },
                  { name: 'tmp', mountPath: '/tmp' },
                  {
                    name: 'datasources',
                    mountPath: '/etc/grafana/provisioning/datasources',
                    readOnly: true,
                  },
                  {
                    name: 'providers',
                    mountPath: '/etc/grafana/provisioning/dashboards',
                    readOnly: true,
                  },
                  { name: 'dashboards', mountPath: DASHBOARDS_DIR, readOnly: true },
                ],
              },
            ],
            volumes: [
              emptyDir('data', '512Mi'),
              emptyDir('tmp'),
              { name: 'datasources', configMap: { name: `${name}-datasources` } },
              { name: 'providers', configMap: { name: `${name}-dashboard-providers` } },
              { name: 'dashboards', configMap: { name: `${name}-dashboards` } },
            ],
          },
        },
      },
    });

    new k8s.KubeService(this, 'service', {
      metadata: { name, labels },
      spec: { selector: this.podSelector, ports: [{ name: 'http', port: PORT, targetPort: port('http') }] },
    });
  }
}
