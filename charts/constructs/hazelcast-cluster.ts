import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { parse } from 'yaml';
import { memberSystemProperties } from '../../src/hazelcast/member';
import { MEMBER_GC_FLAGS } from '../../src/hazelcast/member-jvm';
import type { Resources } from '../settings';
import {
  checksum,
  emptyDir,
  fieldRef,
  httpProbe,
  podLabels,
  port,
  resources,
  restrictedContainerSecurity,
  restrictedPodSecurity,
  selectorLabels,
} from '../support/kube';

export interface HazelcastClusterProps {
  readonly image: string;
  readonly imagePullPolicy: string;
  readonly replicas: number;
  readonly clusterName: string;
  readonly resources: Resources;
  /** -XX:MaxRAMPercentage: the heap follows the container memory limit. */
  readonly maxRamPercentage: number;
  /** The member configuration, config/hazelcast.yaml exactly as the local run uses it. */
  readonly configYaml: string;
  /** Default 'hazelcast': the StatefulSet, the client Service and the pods' app.kubernetes.io/name. */
  readonly name?: string;
  /** Member and client port. Default 5701. */
  readonly port?: number;
  /** The official image's JMX-to-Prometheus agent (PROMETHEUS_PORT). Default 8080. */
  readonly metricsPort?: number;
  /** Kubernetes cluster domain for the members' DNS names. Default cluster.local. */
  readonly clusterDomain?: string;
  /**
   * 'required': never two members on one node (needs at least `replicas` schedulable nodes, or members
   * stay Pending); 'preferred': spread when possible. Default 'preferred'.
   */
  readonly antiAffinity?: 'required' | 'preferred';
  /** How long a starting member waits for the headless Service's DNS before giving up. Default 120. */
  readonly dnsWaitSeconds?: number;
}

/** Hazelcast's own default when the config does not set hazelcast.graceful.shutdown.max.wait. */
const HAZELCAST_DEFAULT_SHUTDOWN_WAIT_SECONDS = 600;
/** Time on top of Hazelcast's own graceful-shutdown wait before the kubelet sends SIGKILL. */
const SHUTDOWN_MARGIN_SECONDS = 30;
/** The official image runs as a non-root user; a numeric uid lets the kubelet verify runAsNonRoot. */
const HAZELCAST_UID = 1001;
const CONFIG_DIR = '/etc/hazelcast';

/**
 * The init container's script (POSIX sh; getent and sleep of the member image). A member that starts
 * before the cluster DNS answers finds no peer and forms a cluster of its own (seen on a real node:
 * three one-member clusters, services spread over them). It fails after the bound rather than going on,
 * so the kubelet retries it and the pod shows Init:Error with this line.
 */
export const WAIT_FOR_DNS_SCRIPT = [
  'deadline=$(( $(date +%s) + DNS_WAIT_SECONDS ))',
  'until addresses=$(getent hosts "$DNS_NAME"); do',
  '  if [ "$(date +%s)" -ge "$deadline" ]; then',
  '    echo "wait-for-dns: $DNS_NAME did not resolve within ${DNS_WAIT_SECONDS}s; not starting a member that would form a cluster of its own (is the cluster DNS running?)" >&2',
  '    exit 1',
  '  fi',
  '  sleep 2',
  'done',
  'echo "wait-for-dns: $DNS_NAME resolves to $(echo "$addresses" | cut -d" " -f1 | tr "\\n" " ")- starting the member"',
].join('\n');

/** A majority of the members: a network partition leaves at most one side able to serve. */
export const splitBrainQuorum = (replicas: number): number | undefined =>
  replicas >= 2 ? Math.floor(replicas / 2) + 1 : undefined;

/** hazelcast.graceful.shutdown.max.wait of a member config, in seconds. */
export function gracefulShutdownWaitSeconds(configYaml: string): number {
  const config: unknown = parse(configYaml);
  const properties =
    typeof config === 'object' && config !== null && 'hazelcast' in config
      ? (config.hazelcast as { properties?: Record<string, unknown> } | null)?.properties
      : undefined;
  const wait = properties?.['hazelcast.graceful.shutdown.max.wait'];
  return wait === undefined ? HAZELCAST_DEFAULT_SHUTDOWN_WAIT_SECONDS : Number(wait);
}

/**
 * A Hazelcast cluster: StatefulSet of members started in parallel, a headless Service whose per-pod DNS
 * names (`hazelcast-0.hazelcast-headless…`) are the TCP-IP member list (no RBAC needed), a client Service,
 * a PodDisruptionBudget, and the project's config/hazelcast.yaml in a ConfigMap. The `${hzms.*}`
 * placeholders of that file are filled from JAVA_OPTS (the properties src/hazelcast/member.ts passes
 * locally), with the pod IP and node name from the downward API, so the file itself stays the one the
 * local run uses.
 *
 * Cluster safety: NODE_AWARE partition groups keep a partition's two copies on different nodes (the
 * member attribute is the pod's spec.nodeName; Hazelcast's own Kubernetes discovery would set it to
 * "unknown" outside its API mode, hence TCP-IP), split-brain protection with a majority quorum, required
 * anti-affinity where the nodes allow, and an init container that holds the member until DNS answers.
 */
export class HazelcastCluster extends Construct {
  readonly name: string;
  readonly port: number;
  readonly metricsPort: number;
  readonly headlessServiceName: string;
  /** host:port of the client Service, for HAZELCAST_ADDRESSES. */
  readonly clientAddress: string;
  readonly podSelector: Readonly<Record<string, string>>;
  readonly terminationGracePeriodSeconds: number;

  constructor(scope: Construct, id: string, props: HazelcastClusterProps) {
    super(scope, id);
    this.name = props.name ?? 'hazelcast';
    this.port = props.port ?? 5701;
    this.metricsPort = props.metricsPort ?? 8080;
    this.headlessServiceName = `${this.name}-headless`;
    this.clientAddress = `${this.name}:${this.port}`;
    this.podSelector = selectorLabels(this.name);
    this.terminationGracePeriodSeconds =
      gracefulShutdownWaitSeconds(props.configYaml) + SHUTDOWN_MARGIN_SECONDS;
    const labels = podLabels(this.name, 'data-grid');
    const configMapName = `${this.name}-config`;
    const clusterDomain = props.clusterDomain ?? 'cluster.local';
    const headlessDns = `${this.headlessServiceName}.$(POD_NAMESPACE).svc.${clusterDomain}`;

    new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: configMapName, labels },
      data: { 'hazelcast.yaml': props.configYaml },
    });

    // Members find each other through this Service's DNS records; not-ready members must be listed too,
    // or no member would ever see another before being ready, and none would become ready.
    new k8s.KubeService(this, 'headless', {
      metadata: { name: this.headlessServiceName, labels },
      spec: {
        clusterIp: 'None',
        publishNotReadyAddresses: true,
        selector: this.podSelector,
        ports: [{ name: 'hazelcast', port: this.port, targetPort: port('hazelcast') }],
      },
    });

    new k8s.KubeService(this, 'client', {
      metadata: { name: this.name, labels },
      spec: {
        type: 'ClusterIP',
        selector: this.podSelector,
        ports: [{ name: 'hazelcast', port: this.port, targetPort: port('hazelcast') }],
      },
    });

    // `$(POD_IP)`, `$(NODE_NAME)` and `$(POD_NAMESPACE)` are expanded by the kubelet from the variables
    // defined before. Members beyond `replicas` (kubectl scale) still join through the listed ones.
    const members = Array.from(
      { length: props.replicas },
      (_, ordinal) => `${this.name}-${ordinal}.${headlessDns}:${this.port}`,
    );
    const properties: Record<string, string> = {
      ...memberSystemProperties({
        clusterName: props.clusterName,
        host: '$(POD_IP)',
        port: this.port,
        members,
        nodeName: '$(NODE_NAME)',
        partitionGroups: true,
        splitBrainQuorum: splitBrainQuorum(props.replicas),
      }),
      // Listen on every interface (probes, port-forward), advertise the pod IP.
      'hzms.bind.any': 'true',
    };
    const javaOpts = [
      `-XX:MaxRAMPercentage=${props.maxRamPercentage.toFixed(1)}`,
      '-XX:+ExitOnOutOfMemoryError',
      ...MEMBER_GC_FLAGS,
      ...Object.entries(properties).map(([key, value]) => `-D${key}=${value}`),
    ];
    for (const option of javaOpts) {
      // The image's start script splits JAVA_OPTS on whitespace.
      if (/\s/.test(option)) throw new Error(`JAVA_OPTS entries must not contain spaces: ${option}`);
    }

    new k8s.KubeStatefulSet(this, 'members', {
      metadata: { name: this.name, labels },
      spec: {
        serviceName: this.headlessServiceName,
        replicas: props.replicas,
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate' },
        selector: { matchLabels: this.podSelector },
        template: {
          metadata: { labels, annotations: { 'checksum/config': checksum(props.configYaml) } },
          spec: {
            terminationGracePeriodSeconds: this.terminationGracePeriodSeconds,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurity(HAZELCAST_UID, HAZELCAST_UID),
            affinity: { podAntiAffinity: antiAffinity(props.antiAffinity ?? 'preferred', this.podSelector) },
            initContainers: [
              {
                name: 'wait-for-dns',
                image: props.image,
                imagePullPolicy: props.imagePullPolicy,
                command: ['sh', '-c', WAIT_FOR_DNS_SCRIPT],
                env: [
                  fieldRef('POD_NAMESPACE', 'metadata.namespace'),
                  { name: 'DNS_NAME', value: headlessDns },
                  { name: 'DNS_WAIT_SECONDS', value: String(props.dnsWaitSeconds ?? 120) },
                ],
                resources: resources(WAIT_RESOURCES),
                securityContext: restrictedContainerSecurity(),
              },
            ],
            containers: [
              {
                name: 'hazelcast',
                image: props.image,
                imagePullPolicy: props.imagePullPolicy,
                ports: [
                  { name: 'hazelcast', containerPort: this.port },
                  { name: 'metrics', containerPort: this.metricsPort },
                ],
                env: [
                  fieldRef('POD_IP', 'status.podIP'),
                  fieldRef('POD_NAMESPACE', 'metadata.namespace'),
                  fieldRef('NODE_NAME', 'spec.nodeName'),
                  { name: 'HAZELCAST_CONFIG', value: `${CONFIG_DIR}/hazelcast.yaml` },
                  { name: 'PROMETHEUS_PORT', value: String(this.metricsPort) },
                  { name: 'JAVA_OPTS', value: javaOpts.join(' ') },
                ],
                resources: resources(props.resources),
                securityContext: restrictedContainerSecurity(),
                startupProbe: httpProbe('/hazelcast/health/node-state', 'hazelcast', {
                  periodSeconds: 5,
                  failureThreshold: 60,
                }),
                livenessProbe: httpProbe('/hazelcast/health/node-state', 'hazelcast', {
                  periodSeconds: 10,
                  timeoutSeconds: 5,
                  failureThreshold: 6,
                }),
                readinessProbe: httpProbe('/hazelcast/health/ready', 'hazelcast', {
                  periodSeconds: 5,
                  failureThreshold: 3,
                }),
                volumeMounts: [
                  { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: configMapName } }, emptyDir('tmp', '256Mi')],
          },
        },
      },
    });

    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: this.name, labels },
      spec: { maxUnavailable: port(1), selector: { matchLabels: this.podSelector } },
    });
  }
}

const WAIT_RESOURCES: Resources = {
  cpuRequest: '10m',
  cpuLimit: '100m',
  memoryRequest: '16Mi',
  memoryLimit: '32Mi',
};

function antiAffinity(
  mode: 'required' | 'preferred',
  podSelector: Readonly<Record<string, string>>,
): k8s.PodAntiAffinity {
  const term: k8s.PodAffinityTerm = {
    topologyKey: 'kubernetes.io/hostname',
    labelSelector: { matchLabels: podSelector },
  };
  return mode === 'required'
    ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
    : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] };
}
