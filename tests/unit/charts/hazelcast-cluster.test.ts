import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  HazelcastCluster,
  gracefulShutdownWaitSeconds,
  splitBrainQuorum,
} from '../../../charts/constructs/hazelcast-cluster';
import type { HazelcastClusterProps } from '../../../charts/constructs/hazelcast-cluster';
import { defaultSettings } from '../../../charts/settings';
import { HAZELCAST_VERSION } from '../../../src/hazelcast/jar';
import { defaultConfigPath, projectRoot } from '../../../src/hazelcast/member';
import { container, envOf, find, podSpec, portNumber, synthesize } from './manifests';
import type { Manifest } from './manifests';

const configText = fs.readFileSync(defaultConfigPath(), 'utf8');
const { byChart } = synthesize();
const hazelcast = byChart.hazelcast;
const statefulSet = find(hazelcast, 'StatefulSet', 'hazelcast');
const member = container(statefulSet, 'hazelcast');
const env = envOf(member);
const javaOpts = env.JAVA_OPTS?.value ?? '';

function synthCluster(props: Partial<HazelcastClusterProps>): Manifest[] {
  const chart = new Chart(Testing.app(), 'c');
  new HazelcastCluster(chart, 'h', {
    ...defaultSettings.hazelcast,
    imagePullPolicy: 'IfNotPresent',
    clusterName: 'x',
    configYaml: configText,
    ...props,
  });
  return Testing.synth(chart) as Manifest[];
}

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

  test("TCP-IP join over the StatefulSet's per-pod DNS names of the headless Service", () => {
    const headlessDns = 'hazelcast-headless.$(POD_NAMESPACE).svc.cluster.local';
    expect(systemProperties['hzms.members']).toBe(
      [0, 1, 2].map((ordinal) => `hazelcast-${ordinal}.${headlessDns}:5701`).join(','),
    );
    // Hazelcast's Kubernetes discovery would overwrite the node attribute NODE_AWARE reads with "unknown".
    expect(Object.keys(systemProperties).filter((key) => key.startsWith('hz.network.join'))).toEqual([]);
    const headless = find(hazelcast, 'Service', 'hazelcast-headless');
    expect(headless.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(headless.spec?.selector).toEqual({ 'app.kubernetes.io/name': 'hazelcast' });
  });

  test('$(POD_IP), $(POD_NAMESPACE) and $(NODE_NAME) come from the downward API, defined before JAVA_OPTS', () => {
    const names = (member.env ?? []).map((variable) => variable.name);
    expect(env.POD_IP?.valueFrom?.fieldRef?.fieldPath).toBe('status.podIP');
    expect(env.POD_NAMESPACE?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.namespace');
    expect(env.NODE_NAME?.valueFrom?.fieldRef?.fieldPath).toBe('spec.nodeName');
    for (const name of ['POD_IP', 'POD_NAMESPACE', 'NODE_NAME']) {
      expect(names.indexOf(name)).toBeLessThan(names.indexOf('JAVA_OPTS'));
    }
    expect(javaOpts).not.toMatch(/\s{2}/);
  });

  test("NODE_AWARE partition groups by the pod's node, and a majority quorum for split-brain protection", () => {
    expect(systemProperties).toMatchObject({
      'hzms.node.name': '$(NODE_NAME)',
      'hzms.partition.group.enabled': 'true',
      'hzms.split.brain.protection.enabled': 'true',
      'hzms.split.brain.protection.min': '2',
    });
    expect([1, 2, 3, 4, 5].map(splitBrainQuorum)).toEqual([undefined, 2, 2, 3, 3]);
    // The file reads them where the protection and the groups are defined.
    const config = parse(configText) as { hazelcast: Record<string, unknown> };
    expect(config.hazelcast['partition-group']).toEqual({
      enabled: '${hzms.partition.group.enabled}',
      'group-type': 'NODE_AWARE',
    });
    expect(config.hazelcast['member-attributes']).toEqual({
      'hazelcast.partition.group.node': { type: 'string', value: '${hzms.node.name}' },
    });
  });

  test('one member: no quorum to protect (Hazelcast refuses a minimum below 2)', () => {
    const objects = synthCluster({ replicas: 1 });
    const opts = envOf(container(find(objects, 'StatefulSet', 'hazelcast'), 'hazelcast')).JAVA_OPTS?.value;
    expect(opts).toContain('-Dhzms.split.brain.protection.enabled=false');
    expect(opts).toContain(
      '-Dhzms.members=hazelcast-0.hazelcast-headless.$(POD_NAMESPACE).svc.cluster.local:5701',
    );
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

  test('anti-affinity by hostname: required with a node per member, preferred with fewer nodes', () => {
    const term = {
      topologyKey: 'kubernetes.io/hostname',
      labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'hazelcast' } },
    };
    // The default settings have as many nodes as members (kind-config.yaml's three workers).
    expect(podSpec(statefulSet).affinity?.podAntiAffinity).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: [term],
    });
    const fewerNodes = synthesize(undefined, { ...defaultSettings, schedulableNodes: 2 }).byChart.hazelcast;
    expect(podSpec(find(fewerNodes, 'StatefulSet', 'hazelcast')).affinity?.podAntiAffinity).toEqual({
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }],
    });
  });

  test("the default node count is kind-config.yaml's worker count", () => {
    const kind = parse(fs.readFileSync(path.join(projectRoot(), 'kind-config.yaml'), 'utf8')) as {
      nodes: { role: string }[];
    };
    const workers = kind.nodes.filter((node) => node.role === 'worker').length;
    expect(defaultSettings.schedulableNodes).toBe(workers);
    expect(workers).toBeGreaterThanOrEqual(defaultSettings.hazelcast.replicas);
  });

  test('a PDB allowing one member down', () => {
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
    const synth = (configYaml: string) =>
      find(synthCluster({ configYaml }), 'StatefulSet', 'hazelcast').spec?.template?.metadata.annotations?.[
        'checksum/config'
      ];
    expect(synth(configText)).toBe(synth(configText));
    expect(synth(configText)).not.toBe(synth(`${configText}\n# changed\n`));
  });

  describe('members wait for the DNS of the headless Service before joining', () => {
    const init = podSpec(statefulSet).initContainers?.[0];
    const initEnv = envOf(init!);
    /** The init container's own command, run here by sh with getent, as the member image runs it. */
    const run = (dnsName: string, waitSeconds: number) => {
      const [shell, flag, script] = init!.command!;
      return spawnSync(shell!, [flag!, script!], {
        env: { PATH: process.env.PATH, DNS_NAME: dnsName, DNS_WAIT_SECONDS: String(waitSeconds) },
        encoding: 'utf8',
        timeout: 30_000,
      });
    };

    test('an init container of the member image, restricted like the member', () => {
      expect(init).toMatchObject({ name: 'wait-for-dns', image: member.image });
      expect(init?.command?.slice(0, 2)).toEqual(['sh', '-c']);
      expect(init?.securityContext).toEqual(member.securityContext);
      expect(initEnv.DNS_NAME?.value).toBe('hazelcast-headless.$(POD_NAMESPACE).svc.cluster.local');
      expect(initEnv.POD_NAMESPACE?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.namespace');
      expect(Number(initEnv.DNS_WAIT_SECONDS?.value)).toBeGreaterThan(0);
      expect(Object.keys(init?.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
    });

    test('a name that resolves: exits 0 and says where it points', () => {
      const result = run('localhost', 5);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^wait-for-dns: localhost resolves to \S+.* starting the member\n$/);
    });

    test('a name that never resolves: gives up after the bound with one clear line, exit 1', () => {
      const result = run('hazelcast-headless.nowhere.invalid', 1);
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(
        'wait-for-dns: hazelcast-headless.nowhere.invalid did not resolve within 1s; not starting a member ' +
          'that would form a cluster of its own (is the cluster DNS running?)\n',
      );
    });
  });
});
