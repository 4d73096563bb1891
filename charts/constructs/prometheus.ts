import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { Resources } from '../settings';
import {
  checksum,
  emptyDir,
  httpProbe,
  podLabels,
  port,
  resources,
  restrictedContainerSecurity,
  restrictedPodSecurity,
  selectorLabels,
  toYaml,
} from '../support/kube';

export interface PrometheusProps {
  readonly image: string;
  /** --storage.tsdb.retention.time, e.g. '2d'. */
  readonly retention: string;
  /** Pods of the Hazelcast members and the name of their metrics port (the JMX exporter). */
  readonly hazelcast?: { readonly podSelector: Readonly<Record<string, string>>; readonly portName: string };
  /**
   * Rule files (name → content), mounted in /etc/prometheus/rules. Empty until the alert rules exist
   * (dashboards/); the ConfigMap and the rule_files glob are already in place for them.
   */
  readonly ruleFiles?: Readonly<Record<string, string>>;
  readonly resources?: Resources;
}

const PORT = 9090;
/** `nobody`, the USER of the official image (a name, so the uid is given for runAsNonRoot). */
const PROMETHEUS_UID = 65534;
// Separate directories: a volume cannot be mounted inside a (read-only) ConfigMap volume.
const CONFIG_DIR = '/etc/prometheus/config';
const RULES_DIR = '/etc/prometheus/rules';

type Relabel = Readonly<Record<string, string | readonly string[]>>;

/** The pod address with the port from the prometheus.io/port annotation (IPv4 and IPv6 pods). */
const addressFromAnnotation = (annotationLabel: string, ipLabel: string): Relabel[] => [
  {
    source_labels: [annotationLabel, ipLabel],
    action: 'replace',
    regex: '(\\d+);(([A-Fa-f0-9]{1,4}::?){1,7}[A-Fa-f0-9]{1,4})',
    replacement: '[$2]:$1',
    target_label: '__address__',
  },
  {
    source_labels: [annotationLabel, ipLabel],
    action: 'replace',
    regex: '(\\d+);((([0-9]+?)(\\.|$)){4})',
    replacement: '$2:$1',
    target_label: '__address__',
  },
];

const podIdentity: Relabel[] = [
  { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
  { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
  { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], target_label: 'app' },
];

/** prometheus.yml: pods and endpoints that ask for it through prometheus.io/* annotations, plus Hazelcast. */
export function prometheusConfig(props: Pick<PrometheusProps, 'hazelcast'>): string {
  const ownNamespace = { own_namespace: true };
  const podAnnotation = (name: string) => `__meta_kubernetes_pod_annotation_prometheus_io_${name}`;
  const serviceAnnotation = (name: string) => `__meta_kubernetes_service_annotation_prometheus_io_${name}`;
  const scrapeConfigs: unknown[] = [
    {
      job_name: 'prometheus',
      static_configs: [{ targets: [`localhost:${PORT}`] }],
    },
    {
      // Services, the operator: any pod annotated prometheus.io/scrape: "true".
      job_name: 'kubernetes-pods',
      kubernetes_sd_configs: [{ role: 'pod', namespaces: ownNamespace }],
      relabel_configs: [
        { source_labels: [podAnnotation('scrape')], action: 'keep', regex: 'true' },
        { source_labels: ['__meta_kubernetes_pod_phase'], action: 'drop', regex: 'Pending|Succeeded|Failed' },
        {
          source_labels: [podAnnotation('scheme')],
          action: 'replace',
          regex: '(https?)',
          target_label: '__scheme__',
        },
        {
          source_labels: [podAnnotation('path')],
          action: 'replace',
          regex: '(.+)',
          target_label: '__metrics_path__',
        },
        ...addressFromAnnotation(podAnnotation('port'), '__meta_kubernetes_pod_ip'),
        ...podIdentity,
      ],
    },
    {
      // Services annotated prometheus.io/scrape: "true" (none of ours: their pods are annotated instead).
      job_name: 'kubernetes-endpoints',
      kubernetes_sd_configs: [{ role: 'endpointslice', namespaces: ownNamespace }],
      relabel_configs: [
        { source_labels: [serviceAnnotation('scrape')], action: 'keep', regex: 'true' },
        {
          source_labels: [serviceAnnotation('scheme')],
          action: 'replace',
          regex: '(https?)',
          target_label: '__scheme__',
        },
        {
          source_labels: [serviceAnnotation('path')],
          action: 'replace',
          regex: '(.+)',
          target_label: '__metrics_path__',
        },
        ...addressFromAnnotation(serviceAnnotation('port'), '__meta_kubernetes_pod_ip'),
        ...podIdentity,
        { source_labels: ['__meta_kubernetes_service_name'], target_label: 'kubernetes_service' },
      ],
    },
  ];
  if (props.hazelcast) {
    const selector = Object.entries(props.hazelcast.podSelector)
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
    scrapeConfigs.push({
      // Community members expose JMX only; the official image's JMX exporter serves it on the metrics port.
      job_name: 'hazelcast',
      kubernetes_sd_configs: [
        { role: 'pod', namespaces: ownNamespace, selectors: [{ role: 'pod', label: selector }] },
      ],
      relabel_configs: [
        {
          source_labels: ['__meta_kubernetes_pod_container_port_name'],
          action: 'keep',
          regex: props.hazelcast.portName,
        },
        ...podIdentity,
      ],
    });
  }
  return toYaml({
    global: { scrape_interval: '15s', evaluation_interval: '15s' },
    rule_files: [`${RULES_DIR}/*.yaml`, `${RULES_DIR}/*.yml`],
    scrape_configs: scrapeConfigs,
  });
}

/**
 * Prometheus with Kubernetes service discovery of its own namespace. A namespaced Role is enough for
 * that (own_namespace), so it gets no ClusterRole: it can list pods, services and endpoints of this
 * namespace and nothing else.
 */
export class Prometheus extends Construct {
  readonly name = 'prometheus';
  readonly url: string;
  readonly podSelector: Readonly<Record<string, string>>;
  readonly config: string;
  readonly rulesConfigMapName: string;

  constructor(scope: Construct, id: string, props: PrometheusProps) {
    super(scope, id);
    const name = this.name;
    const labels = podLabels(name, 'monitoring');
    this.podSelector = selectorLabels(name);
    this.url = `http://${name}:${PORT}`;
    this.config = prometheusConfig(props);
    this.rulesConfigMapName = `${name}-rules`;
    const ruleFiles = props.ruleFiles ?? {};

    new k8s.KubeServiceAccount(this, 'account', {
      metadata: { name, labels },
      automountServiceAccountToken: true,
    });
    new k8s.KubeRole(this, 'role', {
      metadata: { name, labels },
      rules: [
        { apiGroups: [''], resources: ['pods', 'services', 'endpoints'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'binding', {
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name }],
    });

    new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: `${name}-config`, labels },
      data: { 'prometheus.yml': this.config },
    });
    // Hook for the alert rules: every entry becomes a file matched by rule_files.
    new k8s.KubeConfigMap(this, 'rules', {
      metadata: { name: this.rulesConfigMapName, labels },
      data: { ...ruleFiles },
    });

    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name, labels },
      spec: {
        replicas: 1,
        // One TSDB directory: never two Prometheus pods at once.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: this.podSelector },
        template: {
          metadata: {
            labels,
            annotations: { 'checksum/config': checksum(this.config, ...Object.values(ruleFiles)) },
          },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: true,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurity(PROMETHEUS_UID, PROMETHEUS_UID),
            containers: [
              {
                name: 'prometheus',
                image: props.image,
                imagePullPolicy: 'IfNotPresent',
                args: [
                  `--config.file=${CONFIG_DIR}/prometheus.yml`,
                  '--storage.tsdb.path=/prometheus',
                  `--storage.tsdb.retention.time=${props.retention}`,
                  '--web.enable-lifecycle',
                ],
                ports: [{ name: 'http', containerPort: PORT }],
                resources: resources(
                  props.resources ?? {
                    cpuRequest: '100m',
                    cpuLimit: '1',
                    memoryRequest: '256Mi',
                    memoryLimit: '1Gi',
                  },
                ),
                securityContext: restrictedContainerSecurity(),
                livenessProbe: httpProbe('/-/healthy', 'http', { initialDelaySeconds: 10 }),
                readinessProbe: httpProbe('/-/ready', 'http', { periodSeconds: 5 }),
                volumeMounts: [
                  { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                  { name: 'rules', mountPath: RULES_DIR, readOnly: true },
                  { name: 'data', mountPath: '/prometheus' },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: `${name}-config` } },
              { name: 'rules', configMap: { name: this.rulesConfigMapName } },
              emptyDir('data', '2Gi'),
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
