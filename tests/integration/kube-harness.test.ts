/**
 * The test control plane is a real Kubernetes API server: kubectl talks to it, objects persist in etcd,
 * CRD schemas with CEL rules are enforced, server-side dry-run defaults and validates, RBAC is on, and an
 * API server restart keeps the data.
 */
import { pinnedVersions } from '../../src/k8s-harness/tools';
import { kubectlJson, kubectlOk, useControlPlane } from '../support/kube';

interface VersionInfo {
  clientVersion: { gitVersion: string };
  serverVersion: { gitVersion: string };
}

interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
}

interface ConfigMap {
  metadata: ObjectMeta;
  data?: Record<string, string>;
}

interface Deployment {
  metadata: ObjectMeta;
  spec: {
    revisionHistoryLimit?: number;
    strategy?: { type?: string };
    template: { spec: { containers: { name: string; terminationMessagePath?: string }[] } };
  };
}

const NAMESPACE = 'harness-test';

const NAMESPACE_AND_CONFIGMAP = `
apiVersion: v1
kind: Namespace
metadata:
  name: ${NAMESPACE}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ${NAMESPACE}
data:
  mode: real
  answer: "42"
`;

const WIDGET_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.harness.example.com
spec:
  group: harness.example.com
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget, listKind: WidgetList }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [minReplicas, maxReplicas]
              properties:
                minReplicas: { type: integer, minimum: 0 }
                maxReplicas: { type: integer }
              x-kubernetes-validations:
                - rule: self.minReplicas <= self.maxReplicas
                  message: minReplicas must not exceed maxReplicas
                  fieldPath: .minReplicas
`;

function widget(name: string, minReplicas: number, maxReplicas: number): string {
  return `
apiVersion: harness.example.com/v1
kind: Widget
metadata:
  name: ${name}
  namespace: ${NAMESPACE}
spec:
  minReplicas: ${minReplicas}
  maxReplicas: ${maxReplicas}
`;
}

function deployment(name: string, selectorApp: string): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${NAMESPACE}
spec:
  replicas: 2
  selector:
    matchLabels: { app: ${selectorApp} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
        - name: app
          image: registry.example.com/app:1.0.0
          ports: [{ containerPort: 8080 }]
`;
}

describe('kube harness: a real control plane', () => {
  const kube = useControlPlane();

  it('kubectl talks to kube-apiserver of the pinned version', async () => {
    const { kubernetesVersion } = pinnedVersions();
    const version = await kubectlJson<VersionInfo>(kube(), ['version']);
    expect(version.serverVersion.gitVersion).toBe(kubernetesVersion);
    expect(version.clientVersion.gitVersion).toBe(kubernetesVersion);
    const namespaces = await kubectlOk(kube(), ['get', 'namespaces', '-o', 'name']);
    expect(namespaces).toContain('namespace/default');
    expect(namespaces).toContain('namespace/kube-system');
  });

  it('enforces RBAC: the admin may do anything, an unprivileged user nothing', async () => {
    const admin = await kube().kubectl(['auth', 'can-i', 'delete', 'namespaces']);
    expect(admin.stdout.trim()).toBe('yes');
    const stranger = await kube().kubectl(['auth', 'can-i', 'get', 'configmaps', '--as=stranger']);
    expect(stranger.stdout.trim()).toBe('no');
    expect(stranger.code).toBe(1);
  });

  it('stores a namespace and a ConfigMap applied with kubectl and reads them back', async () => {
    const applied = await kubectlOk(kube(), ['apply', '-f', '-'], { input: NAMESPACE_AND_CONFIGMAP });
    expect(applied).toContain(`namespace/${NAMESPACE} created`);
    expect(applied).toContain('configmap/settings created');
    const configMap = await kubectlJson<ConfigMap>(kube(), ['get', 'configmap', 'settings', '-n', NAMESPACE]);
    expect(configMap.data).toEqual({ mode: 'real', answer: '42' });
    expect(configMap.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('enforces a CRD schema with a CEL rule: invalid custom resources are rejected, naming the field', async () => {
    await kubectlOk(kube(), ['apply', '-f', '-'], { input: WIDGET_CRD });
    await kubectlOk(kube(), [
      'wait',
      '--for=condition=Established',
      'crd/widgets.harness.example.com',
      '--timeout=60s',
    ]);

    const invalid = await kube().kubectl(['apply', '-f', '-'], { input: widget('inverted', 5, 2) });
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain('The Widget "inverted" is invalid');
    expect(invalid.stderr).toContain('spec.minReplicas');
    expect(invalid.stderr).toContain('minReplicas must not exceed maxReplicas');

    // The OpenAPI part of the schema is enforced too.
    const negative = await kube().kubectl(['apply', '-f', '-'], { input: widget('negative', -1, 2) });
    expect(negative.code).not.toBe(0);
    expect(negative.stderr).toContain('spec.minReplicas');

    const valid = await kubectlOk(kube(), ['apply', '-f', '-'], { input: widget('fine', 1, 3) });
    expect(valid).toContain('widget.harness.example.com/fine created');
    const names = await kubectlOk(kube(), ['get', 'widgets', '-n', NAMESPACE, '-o', 'name']);
    expect(names.trim().split('\n')).toEqual(['widget.harness.example.com/fine']);
  });

  it('runs a server-side dry-run of a Deployment: defaulted and validated by the server, not stored', async () => {
    const dryRun = await kubectlJson<Deployment>(kube(), ['apply', '--dry-run=server', '-f', '-'], {
      input: deployment('web', 'web'),
    });
    // Only the server fills these in.
    expect(dryRun.spec.strategy?.type).toBe('RollingUpdate');
    expect(dryRun.spec.revisionHistoryLimit).toBe(10);
    expect(dryRun.spec.template.spec.containers[0]?.terminationMessagePath).toBe('/dev/termination-log');

    const mismatched = await kube().kubectl(['apply', '--dry-run=server', '-f', '-'], {
      input: deployment('broken', 'something-else'),
    });
    expect(mismatched.code).not.toBe(0);
    expect(mismatched.stderr).toContain('`selector` does not match template `labels`');

    const stored = await kube().kubectl(['get', 'deployment', 'web', '-n', NAMESPACE]);
    expect(stored.code).not.toBe(0);
    expect(stored.stderr).toContain('NotFound');
  });

  it('keeps its data when the API server restarts (same port, same etcd)', async () => {
    const before = await kubectlJson<ConfigMap>(kube(), ['get', 'configmap', 'settings', '-n', NAMESPACE]);
    const pidBefore = kube().apiServerPid;

    await kube().restartApiServer();

    expect(kube().apiServerPid).toBeDefined();
    expect(kube().apiServerPid).not.toBe(pidBefore);
    const after = await kubectlJson<ConfigMap>(kube(), ['get', 'configmap', 'settings', '-n', NAMESPACE]);
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(after.data).toEqual({ mode: 'real', answer: '42' });
    const names = await kubectlOk(kube(), ['get', 'widgets', '-n', NAMESPACE, '-o', 'name']);
    expect(names.trim()).toBe('widget.harness.example.com/fine');
    // And it still accepts writes.
    await kubectlOk(kube(), [
      'create',
      'configmap',
      'after-restart',
      '-n',
      NAMESPACE,
      '--from-literal=ok=yes',
    ]);
  }, 200_000);
});
