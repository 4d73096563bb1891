import fs from 'node:fs';
import { Chart, Testing } from 'cdk8s';
import { HazelcastCluster, gracefulShutdownWaitSeconds } from '../../../charts/constructs/hazelcast-cluster';
import { defaultSettings } from '../../../charts/settings';
import { HAZELCAST_VERSION } from '../../../src/hazelcast/jar';
import { defaultConfigPath } from '../../../src/hazelcast/member';
import { container, envOf, find, podSpec, portNumber, synthesize } from './manifests';
import type { Manifest } from './manifests';

const configText = fs.readFileSync(defaultConfigPath(), 'utf8');
const { byChart } = synthesize();
const hazelcast = byChart.hazelcast;
const statefulSet = find(hazelcast, 'StatefulSet', 'hazelcast');
const member = container(statefulSet, 'hazelcast');
const env = envOf(member);
const javaOpts = env.JAVA_OPTS?.value ?? '';

/** -Dkey=value pairs of JAVA_OPTS. */
const systemProperties = Object.fromEntries(
  javaOpts
    .split(' ')
    .filter((option) => option.startsWith('-D'))
    .map((option) => {
      const [key, ...value] = option.slice(2).split('=');
      return [key, value.join('=')];
    }),
);

describe('HazelcastCluster', () => {
  test('a StatefulSet of three members started in parallel, behind the headless Service', () => {
    expect(statefulSet.spec).toMatchObject({
      replicas: 3,
      podManagementPolicy: 'Parallel',
      serviceName: 'hazelcast-headless',
    });
    expect(member.image).toBe(`hazelcast/hazelcast:${HAZELCAST_VERSION}`);
  });

  test('the ConfigMap holds config/hazelcast.yaml byte for byte, mounted where HAZELCAST_CONFIG points', () => {
    const configMap = find(hazelcast, 'ConfigMap', 'hazelcast-config');
    expect(configMap.data?.['hazelcast.yaml']).toBe(configText);
    const volume = podSpec(statefulSet).volumes?.find((v) => v.configMap?.name === 'hazelcast-config');
    const mount = member.volumeMounts?.find((m) => m.name === volume?.name);
    expect(`${mount?.mountPath}/hazelcast.yaml`).toBe(env.HAZELCAST_CONFIG?.value);
  });

  test('JAVA_OPTS sets every ${hzms.*} property the config file uses', () => {
    const used = [...new Set([...configText.matchAll(/\$\{(hzms\.[^}]+)\}/g)].map((match) => match[1]!))];
    expect(used.length).toBeGreaterThan(5);
    for (const name of used) expect(systemProperties[name]).toBeTruthy();
    expect(systemProperties['hzms.cluster.name']).toBe(defaultSettings.clusterName);
    expect(systemProperties['hzms.port']).toBe('5701');
    expect(systemProperties['hzms.public.address']).toBe('$(POD_IP):5701');
  });

  test('the join switches from TCP-IP to Kubernetes DNS discovery of the headless Service', () => {
    expect(systemProperties).toMatchObject({
      'hz.network.join.tcp-ip.enabled': 'false',
      'hz.network.join.kubernetes.enabled': 'true',
      'hz.network.join.kubernetes.service-dns': 'hazelcast-headless.$(POD_NAMESPACE).svc.cluster.local',
    });
    const headless = find(hazelcast, 'Service', 'hazelcast-headless');
    expect(headless.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(headless.spec?.selector).toEqual({ 'app.kubernetes.io/name': 'hazelcast' });
  });

  test('$(POD_IP) and $(POD_NAMESPACE) come from the downward API, defined before JAVA_OPTS', () => {
    const names = (member.env ?? []).map((variable) => variable.name);
    expect(env.POD_IP?.valueFrom?.fieldRef?.fieldPath).toBe('status.podIP');
    expect(env.POD_NAMESPACE?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.namespace');
    expect(names.indexOf('POD_IP')).toBeLessThan(names.indexOf('JAVA_OPTS'));
    expect(names.indexOf('POD_NAMESPACE')).toBeLessThan(names.indexOf('JAVA_OPTS'));
    expect(javaOpts).not.toMatch(/\s{2}/);
  });

  test('heap from the container memory limit', () => {
    expect(javaOpts).toContain('-XX:MaxRAMPercentage=75.0');
    // The same short GC pause target as the local member (docs/benchmarks.md, bench:saga item 1).
    expect(javaOpts).toContain('-XX:MaxGCPauseMillis=20');
    expect(javaOpts).not.toMatch(/-Xmx|-Xms/);
    expect(member.resources?.limits?.memory).toBe(defaultSettings.hazelcast.resources.memoryLimit);
  });

  test('health probes on the member port', () => {
    expect(member.livenessProbe?.httpGet?.path).toBe('/hazelcast/health/node-state');
    expect(member.readinessProbe?.httpGet?.path).toBe('/hazelcast/health/ready');
    expect(member.startupProbe?.httpGet?.path).toBe('/hazelcast/health/node-state');
    for (const probe of [member.livenessProbe, member.readinessProbe, member.startupProbe]) {
      expect(portNumber(member, probe?.httpGet?.port)).toBe(5701);
    }
  });

  test('the grace period outlasts hazelcast.graceful.shutdown.max.wait', () => {
    expect(gracefulShutdownWaitSeconds(configText)).toBe(60);
    expect(podSpec(statefulSet).terminationGracePeriodSeconds).toBeGreaterThan(60);
    expect(gracefulShutdownWaitSeconds('hazelcast:\n  cluster-name: x\n')).toBe(600);
  });

  test('anti-affinity by hostname (preferred) and a PDB allowing one member down', () => {
    const preferred =
      podSpec(statefulSet).affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    expect(preferred?.[0]?.podAffinityTerm).toEqual({
      topologyKey: 'kubernetes.io/hostname',
      labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'hazelcast' } },
    });
    const pdb = find(hazelcast, 'PodDisruptionBudget', 'hazelcast');
    expect(pdb.spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'hazelcast' } },
    });
  });

  test('non-root, read-only root filesystem, /tmp on an emptyDir', () => {
    expect(podSpec(statefulSet).securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(member.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    const tmp = member.volumeMounts?.find((m) => m.mountPath === '/tmp');
    expect(podSpec(statefulSet).volumes?.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
  });

  test('the JMX exporter of the image serves metrics on the metrics port', () => {
    expect(env.PROMETHEUS_PORT?.value).toBe('8080');
    expect(portNumber(member, 'metrics')).toBe(8080);
  });

  test('the client Service is what the services are given as HAZELCAST_ADDRESSES', () => {
    const client: Manifest = find(hazelcast, 'Service', 'hazelcast');
    expect(client.spec?.ports).toEqual([{ name: 'hazelcast', port: 5701, targetPort: 'hazelcast' }]);
    const account = find(byChart.services, 'Deployment', 'account-service');
    expect(envOf(container(account)).HAZELCAST_ADDRESSES?.value).toBe('hazelcast:5701');
  });

  test('a config change rolls the members (checksum annotation)', () => {
    const synth = (configYaml: string) => {
      const chart = new Chart(Testing.app(), 'c');
      new HazelcastCluster(chart, 'h', {
        ...defaultSettings.hazelcast,
        imagePullPolicy: 'IfNotPresent',
        clusterName: 'x',
        configYaml,
      });
      return (Testing.synth(chart) as Manifest[]).find((m) => m.kind === 'StatefulSet')?.spec?.template
        ?.metadata.annotations?.['checksum/config'];
    };
    expect(synth(configText)).toBe(synth(configText));
    expect(synth(configText)).not.toBe(synth(`${configText}\n# changed\n`));
  });
});
