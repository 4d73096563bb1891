import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { loadObservabilityFiles } from '../../../charts/support/dashboard-files';
import { container, envOf, find, podSpec, portNumber, synthesize } from './manifests';
import type { Manifest } from './manifests';

interface Relabel {
  source_labels?: string[];
  action?: string;
  regex?: string;
  target_label?: string;
}
interface ScrapeConfig {
  job_name: string;
  kubernetes_sd_configs?: { role: string; selectors?: { label: string }[] }[];
  relabel_configs?: Relabel[];
}

const withFiles = {
  dashboards: { 'system-overview.json': '{"title":"System Overview","panels":[]}' },
  ruleFiles: { 'hms.rules.yaml': 'groups: []\n' },
};
const { byChart } = synthesize();
/** What dashboards/ holds now (the generated dashboards and rules, see `npm run dashboards`). */
const built = loadObservabilityFiles(path.join(__dirname, '..', '..', '..', 'dashboards'));
const observability = byChart.observability;
const prometheusYaml = find(observability, 'ConfigMap', 'prometheus-config').data?.['prometheus.yml'] ?? '';
const prometheusConfig = parse(prometheusYaml) as { rule_files: string[]; scrape_configs: ScrapeConfig[] };
const job = (name: string): ScrapeConfig => {
  const found = prometheusConfig.scrape_configs.find((config) => config.job_name === name);
  if (!found) throw new Error(`no scrape job ${name}`);
  return found;
};

describe('Prometheus', () => {
  test('scrapes pods by their prometheus.io annotations (path, port), in its own namespace', () => {
    const pods = job('kubernetes-pods');
    expect(pods.kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { own_namespace: true } }]);
    const relabel = pods.relabel_configs ?? [];
    expect(relabel[0]).toEqual({
      source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'],
      action: 'keep',
      regex: 'true',
    });
    expect(relabel).toContainEqual({
      source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_path'],
      action: 'replace',
      regex: '(.+)',
      target_label: '__metrics_path__',
    });
    const address = relabel.filter((rule) => rule.target_label === '__address__');
    expect(address.map((rule) => rule.source_labels?.[0])).toEqual([
      '__meta_kubernetes_pod_annotation_prometheus_io_port',
      '__meta_kubernetes_pod_annotation_prometheus_io_port',
    ]);
    // The IPv4 rule turns "8081;10.244.1.7" into "10.244.1.7:8081", as Prometheus' RE2 would.
    const ipv4 = address[1]!;
    expect('8081;10.244.1.7'.replace(new RegExp(`^${ipv4.regex}$`), '$2:$1')).toBe('10.244.1.7:8081');
    expect(job('kubernetes-endpoints').kubernetes_sd_configs?.[0]?.role).toBe('endpointslice');
  });

  test('a job for the Hazelcast members, on the port their pods name "metrics"', () => {
    const hazelcast = job('hazelcast');
    expect(hazelcast.kubernetes_sd_configs?.[0]?.selectors).toEqual([
      { role: 'pod', label: 'app.kubernetes.io/name=hazelcast' },
    ]);
    expect(hazelcast.relabel_configs?.[0]).toEqual({
      source_labels: ['__meta_kubernetes_pod_container_port_name'],
      action: 'keep',
      regex: 'metrics',
    });
    const members = find(byChart.hazelcast, 'StatefulSet', 'hazelcast');
    expect(portNumber(container(members), 'metrics')).toBe(8080);
  });

  test('discovery RBAC: a namespaced Role, read-only', () => {
    const role = find(observability, 'Role', 'prometheus');
    expect(role.rules?.flatMap((rule) => rule.verbs)).toEqual([
      'get',
      'list',
      'watch',
      'get',
      'list',
      'watch',
    ]);
    expect(find(observability, 'RoleBinding', 'prometheus').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'prometheus' },
    ]);
    expect(podSpec(find(observability, 'Deployment', 'prometheus')).serviceAccountName).toBe('prometheus');
  });

  test('rule files: a ConfigMap with the generated rule files, mounted where rule_files looks', () => {
    const prometheus = find(observability, 'Deployment', 'prometheus');
    const rulesVolume = podSpec(prometheus).volumes?.find((v) => v.configMap?.name === 'prometheus-rules');
    const mount = container(prometheus).volumeMounts?.find((m) => m.name === rulesVolume?.name);
    expect(prometheusConfig.rule_files).toContain(`${mount?.mountPath}/*.yaml`);
    expect(find(observability, 'ConfigMap', 'prometheus-rules').data).toEqual(built.ruleFiles);
    const configMount = container(prometheus).volumeMounts?.find((m) => m.name === 'config');
    expect(container(prometheus).args).toContain(`--config.file=${configMount?.mountPath}/prometheus.yml`);
    const withRules = synthesize({
      hazelcastConfig: 'hazelcast: {}\n',
      observabilityFiles: withFiles,
    }).byChart;
    expect(find(withRules.observability, 'ConfigMap', 'prometheus-rules').data).toEqual(withFiles.ruleFiles);
  });
});

describe('Grafana', () => {
  test('Prometheus and Jaeger datasources pointing at their Services', () => {
    const datasources = parse(
      find(observability, 'ConfigMap', 'grafana-datasources').data?.['datasources.yaml'] ?? '',
    ) as { datasources: { type: string; url: string; uid: string }[] };
    expect(datasources.datasources.map(({ type, url, uid }) => ({ type, url, uid }))).toEqual([
      { type: 'prometheus', url: 'http://prometheus:9090', uid: 'prometheus' },
      { type: 'jaeger', url: 'http://jaeger:16686', uid: 'jaeger' },
    ]);
    expect(find(observability, 'Service', 'prometheus').spec?.ports?.[0]?.port).toBe(9090);
    expect(find(observability, 'Service', 'jaeger').spec?.ports?.[0]?.port).toBe(16686);
  });

  test('dashboards from dashboards/ become files of the provisioned dashboards ConfigMap', () => {
    expect(find(observability, 'ConfigMap', 'grafana-dashboards').data).toEqual(built.dashboards);
    const withDashboards = synthesize({
      hazelcastConfig: 'hazelcast: {}\n',
      observabilityFiles: withFiles,
    }).byChart;
    expect(find(withDashboards.observability, 'ConfigMap', 'grafana-dashboards').data).toEqual(
      withFiles.dashboards,
    );
    const providers = parse(
      find(observability, 'ConfigMap', 'grafana-dashboard-providers').data?.['dashboards.yaml'] ?? '',
    ) as { providers: { options: { path: string } }[] };
    const grafana = find(observability, 'Deployment', 'grafana');
    const mount = container(grafana).volumeMounts?.find((m) => m.name === 'dashboards');
    expect(providers.providers[0]?.options.path).toBe(mount?.mountPath);
  });

  test('the loader finds dashboards and rule files, and nothing else', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hms-dashboards-'));
    try {
      fs.mkdirSync(path.join(dir, 'build'));
      fs.writeFileSync(path.join(dir, 'build', 'saga.json'), '{"title":"Saga","panels":[{"id":1}]}');
      fs.writeFileSync(path.join(dir, 'build', 'hms.rules.yaml'), 'groups: []\n');
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), '{"compilerOptions":{}}');
      fs.writeFileSync(path.join(dir, 'dashboards.ts'), 'export {};\n');
      expect(loadObservabilityFiles(dir)).toEqual({
        dashboards: { 'saga.json': '{"title":"Saga","panels":[{"id":1}]}' },
        ruleFiles: { 'hms.rules.yaml': 'groups: []\n' },
      });
      fs.writeFileSync(path.join(dir, 'saga.json'), '{"panels":[]}');
      expect(() => loadObservabilityFiles(dir)).toThrow(/two files named saga.json/);
      expect(loadObservabilityFiles(path.join(dir, 'missing'))).toEqual({ dashboards: {}, ruleFiles: {} });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Jaeger', () => {
  test('OTLP gRPC 4317 and HTTP 4318 on jaeger-collector, UI 16686 on jaeger', () => {
    const jaeger = find(observability, 'Deployment', 'jaeger');
    const main = container(jaeger);
    const collector: Manifest = find(observability, 'Service', 'jaeger-collector');
    expect(collector.spec?.ports?.map((p) => [p.port, portNumber(main, p.targetPort)])).toEqual([
      [4317, 4317],
      [4318, 4318],
    ]);
    const query = find(observability, 'Service', 'jaeger');
    expect(query.spec?.ports?.map((p) => [p.port, portNumber(main, p.targetPort)])).toEqual([[16686, 16686]]);
  });

  test("the services send traces to the collector's OTLP/HTTP port", () => {
    const account = find(byChart.services, 'Deployment', 'account-service');
    const endpoint = new URL(envOf(container(account)).OTEL_EXPORTER_OTLP_ENDPOINT?.value ?? '');
    const collector = find(observability, 'Service', 'jaeger-collector');
    expect(endpoint.hostname).toBe(collector.metadata.name);
    expect(collector.spec?.ports?.find((p) => p.port === Number(endpoint.port))?.name).toBe('otlp-http');
  });
});
