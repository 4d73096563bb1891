import { Chart, Testing } from 'cdk8s';
import { OPERATOR_LEASE_NAME, SagaOperator } from '../../../charts/constructs/saga-operator';
import type { SagaOperatorProps } from '../../../charts/constructs/saga-operator';
import { defaultSettings } from '../../../charts/settings';
import { loadOperatorConfig, operatorEnvironmentVariables } from '../../../operator/operator-config';
import { container, envOf, find, podSpec, portNumber, synthesize } from './manifests';
import type { Manifest } from './manifests';

const { byChart } = synthesize();
const operator = byChart.operator;
const deployment = find(operator, 'Deployment', 'saga-operator');

describe('SagaOperator', () => {
  test('least privilege: exactly the SagaPolicy, Event and Lease permissions, nothing with a wildcard', () => {
    const role = find(operator, 'Role', 'saga-operator');
    expect(role.rules).toEqual([
      { apiGroups: ['saga.hms.dev'], resources: ['sagapolicies'], verbs: ['get', 'list', 'watch', 'patch'] },
      { apiGroups: ['saga.hms.dev'], resources: ['sagapolicies/status'], verbs: ['get', 'patch'] },
      { apiGroups: ['saga.hms.dev'], resources: ['sagapolicies/finalizers'], verbs: ['update'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        verbs: ['get', 'update'],
        resourceNames: [OPERATOR_LEASE_NAME],
      },
    ]);
    const everything = operator.flatMap((object) => object.rules ?? []);
    expect(everything.flatMap((rule) => [...rule.verbs, ...rule.resources, ...rule.apiGroups])).not.toContain(
      '*',
    );
    expect(operator.some((object) => object.kind.startsWith('Cluster'))).toBe(false);
  });

  test('the role is bound to the ServiceAccount the pods run as', () => {
    const binding = find(operator, 'RoleBinding', 'saga-operator');
    expect(binding.roleRef).toMatchObject({ kind: 'Role', name: 'saga-operator' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'saga-operator' }]);
    find(operator, 'ServiceAccount', 'saga-operator');
    expect(podSpec(deployment).serviceAccountName).toBe('saga-operator');
    expect(podSpec(deployment).automountServiceAccountToken).toBe(true);
  });

  test('env: exactly what operator/operator-config.ts reads; namespace and identity from the downward API', () => {
    const main = container(deployment);
    const env = envOf(main);
    const read = operatorEnvironmentVariables;
    // DATABASE_PASSWORD is only there to be expanded into DATABASE_URL by the kubelet.
    for (const name of Object.keys(env)) if (name !== 'DATABASE_PASSWORD') expect(read).toContain(name);
    // The operator writes the saga policy where the services read it: PostgreSQL by default.
    expect(env.HMS_PERSISTENCE?.value).toBe('postgres');
    expect(env.DATABASE_URL?.value).toContain('$(DATABASE_PASSWORD)');
    expect(env.DATABASE_PASSWORD?.valueFrom?.secretKeyRef).toBeDefined();
    expect(Object.keys(env).indexOf('DATABASE_PASSWORD')).toBeLessThan(
      Object.keys(env).indexOf('DATABASE_URL'),
    );
    expect(env.WATCH_NAMESPACE?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.namespace');
    expect(env.LEASE_NAMESPACE?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.namespace');
    expect(env.POD_NAME?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
    expect(env.LEASE_NAME?.value).toBe(OPERATOR_LEASE_NAME);
    expect(env.HAZELCAST_ADDRESSES?.value).toBe('hazelcast:5701');
    expect(env.HAZELCAST_CLUSTER_NAME?.value).toBe(defaultSettings.clusterName);
    const values = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.value ?? 'from-the-pod']));
    const config = loadOperatorConfig(values);
    expect(config.METRICS_PORT).toBe(portNumber(main, 'http'));
    expect(main.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(main.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(deployment.spec?.template?.metadata.annotations?.['prometheus.io/port']).toBe(
      String(config.METRICS_PORT),
    );
  });

  test('replicas for a standby, the operator image, non-root with a read-only root filesystem', () => {
    expect(deployment.spec?.replicas).toBe(2);
    const main = container(deployment);
    expect(main.image).toBe('hms/operator:dev');
    expect(main.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(podSpec(deployment).securityContext?.runAsNonRoot).toBe(true);
  });

  test('watchAllNamespaces: SagaPolicies and Events through a ClusterRole, the Lease stays namespaced', () => {
    const props: SagaOperatorProps = {
      image: 'hms/operator:dev',
      imagePullPolicy: 'IfNotPresent',
      replicas: 1,
      resources: defaultSettings.operator.resources,
      hazelcast: { addresses: 'hazelcast:5701', clusterName: 'hms' },
      logLevel: 'info',
      watchAllNamespaces: true,
      namespace: 'hms',
    };
    const chart = new Chart(Testing.app(), 'c');
    new SagaOperator(chart, 'o', props);
    const objects = Testing.synth(chart) as Manifest[];
    expect(
      find(objects, 'ClusterRole', 'saga-operator-policies').rules?.map((rule) => rule.resources[0]),
    ).toEqual(['sagapolicies', 'sagapolicies/status', 'sagapolicies/finalizers', 'events']);
    expect(find(objects, 'ClusterRoleBinding', 'saga-operator-policies').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'saga-operator', namespace: 'hms' },
    ]);
    expect(
      find(objects, 'Role', 'saga-operator').rules?.every((rule) => rule.resources[0] === 'leases'),
    ).toBe(true);
    expect(
      () => new SagaOperator(new Chart(Testing.app(), 'd'), 'o', { ...props, namespace: undefined }),
    ).toThrow(/namespace/);
  });
});
