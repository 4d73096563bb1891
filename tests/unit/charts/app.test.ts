import fs from 'node:fs';
import { defaultConfigPath } from '../../../src/hazelcast/member';
import { WORKLOAD_KINDS, container, find, podSpec, portNumber, synthesize } from './manifests';
import type { Manifest } from './manifests';

const hazelcastConfig = fs.readFileSync(defaultConfigPath(), 'utf8');
/** Fixed inputs: the snapshot must not change when dashboards/ gains files (tested elsewhere). */
const fixedInputs = { hazelcastConfig, observabilityFiles: { dashboards: {}, ruleFiles: {} } };
const { byChart, all } = synthesize(fixedInputs);
const workloads = all.filter((object) => WORKLOAD_KINDS.includes(object.kind));

const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

describe('the cdk8s app', () => {
  test('six charts, CRDs first, every object labelled part-of the system', () => {
    expect(Object.keys(byChart)).toEqual([
      'crds',
      'hazelcast',
      'postgres',
      'services',
      'operator',
      'observability',
    ]);
    expect(byChart.postgres.length).toBeGreaterThan(0);
    for (const object of all) {
      expect(object.metadata.labels?.['app.kubernetes.io/part-of']).toBe('hazelcast-microservices');
    }
    const keys = all.map((object) => `${object.kind}/${object.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('every Service selects exactly one workload, on a port its pods declare', () => {
    const services = all.filter((object) => object.kind === 'Service');
    expect(services.map((service) => service.metadata.name).sort()).toEqual([
      'account-service',
      'grafana',
      'hazelcast',
      'hazelcast-headless',
      'inventory-service',
      'jaeger',
      'jaeger-collector',
      'order-service',
      'payment-service',
      'postgres',
      'prometheus',
    ]);
    for (const service of services) {
      const selector = service.spec?.selector as Record<string, string>;
      const selected = workloads.filter((w) => matches(selector, w.spec?.template?.metadata.labels ?? {}));
      expect(selected.map((w) => w.metadata.name)).toHaveLength(1);
      const pod = container(selected[0]!);
      for (const servicePort of service.spec?.ports ?? []) {
        expect(portNumber(pod, servicePort.targetPort ?? servicePort.port)).toBeDefined();
      }
    }
  });

  test("every workload's selector matches its own pod labels, and nothing else's", () => {
    for (const workload of workloads) {
      const selector = (workload.spec?.selector as { matchLabels: Record<string, string> }).matchLabels;
      const selected = workloads.filter((w) => matches(selector, w.spec?.template?.metadata.labels ?? {}));
      expect(selected).toEqual([workload]);
    }
  });

  test('every container: non-root, read-only root filesystem, no privilege escalation, limits, probes', () => {
    for (const workload of workloads) {
      const pod = podSpec(workload);
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(typeof pod.securityContext?.runAsUser).toBe('number');
      expect(pod.securityContext?.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      expect(pod.enableServiceLinks).toBe(false);
      for (const c of pod.containers) {
        expect(c.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(Object.keys(c.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
        expect(Object.keys(c.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
        // HTTP health endpoints, or PostgreSQL's own pg_isready.
        for (const probe of [c.livenessProbe, c.readinessProbe]) {
          expect(probe?.httpGet ?? probe?.exec?.command[0] === 'pg_isready').toBeTruthy();
        }
        expect(c.image).toMatch(/:[\w.-]+$/); // a pinned tag, never an implicit :latest
      }
      for (const c of pod.initContainers ?? []) {
        expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
        expect(Object.keys(c.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
      }
    }
  });

  test('Hazelcast is reachable on 5701 only from the services, the operator, Prometheus and itself', () => {
    const policy = find(byChart.hazelcast, 'NetworkPolicy', 'hazelcast-clients');
    const spec = policy.spec as {
      podSelector: { matchLabels: Record<string, string> };
      policyTypes: string[];
      ingress: {
        from: { podSelector: { matchExpressions: { values: string[] }[] } }[];
        ports: { port: number }[];
      }[];
    };
    expect(spec.policyTypes).toEqual(['Ingress']);
    expect(spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'hazelcast' });
    const [members, metrics] = spec.ingress;
    const allowed = members!.from[0]!.podSelector.matchExpressions[0]!.values;
    expect(allowed).toEqual([
      'account-service',
      'hazelcast',
      'inventory-service',
      'order-service',
      'payment-service',
      'prometheus',
      'saga-operator',
    ]);
    expect(members!.ports).toEqual([{ protocol: 'TCP', port: 5701 }]);
    expect(metrics!.from[0]!.podSelector.matchExpressions[0]!.values).toEqual(['prometheus']);
    expect(metrics!.ports).toEqual([{ protocol: 'TCP', port: 8080 }]);
    // Each allowed name is a real workload's pod label, so the policy cannot silently miss one.
    const podNames = workloads.map((w) => w.spec?.template?.metadata.labels['app.kubernetes.io/name']);
    for (const name of allowed) expect(podNames).toContain(name);
  });

  test('deterministic: the same output on every synth', () => {
    expect(JSON.stringify(synthesize(fixedInputs).all)).toBe(JSON.stringify(all));
  });

  test('snapshot of the whole output (hazelcast.yaml elided: it has its own test)', () => {
    const elided: Manifest[] = JSON.parse(
      JSON.stringify(all).split(JSON.stringify(hazelcastConfig).slice(1, -1)).join('<config/hazelcast.yaml>'),
    );
    for (const object of elided) {
      const annotations = object.spec?.template?.metadata.annotations;
      if (annotations?.['checksum/config'] && object.metadata.name === 'hazelcast') {
        annotations['checksum/config'] = '<sha256 of config/hazelcast.yaml>';
      }
    }
    expect(elided).toMatchSnapshot();
  });
});
