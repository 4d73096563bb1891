import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { SAGA_POLICY_API_GROUP } from '../../src/sagas/policy-admin';
import { SAGA_POLICY_PLURAL } from '../crd/sagapolicy-crd';
import type { Resources } from '../settings';
import type { SecretKey } from '../support/kube';
import {
  emptyDir,
  envVars,
  secretEnv,
  fieldRef,
  httpProbe,
  podLabels,
  resources,
  restrictedContainerSecurity,
  restrictedPodSecurity,
  scrapeAnnotations,
  selectorLabels,
} from '../support/kube';

/** The operator's Lease (coordination.k8s.io/v1) in its own namespace (LEASE_NAME); RBAC allows only it. */
export const OPERATOR_LEASE_NAME = 'saga-operator';
/** METRICS_PORT of operator/operator-config.ts: /metrics, /healthz and /readyz. */
export const OPERATOR_METRICS_PORT = 8080;

export interface SagaOperatorProps {
  readonly image: string;
  readonly imagePullPolicy: string;
  /** Two or more for a standby; leader election makes sure only one acts. */
  readonly replicas: number;
  readonly resources: Resources;
  readonly hazelcast: { readonly addresses: string; readonly clusterName: string };
  readonly logLevel: string;
  /**
   * The persistence variables the services get (HMS_PERSISTENCE, DATABASE_URL, …): in persistent mode the
   * saga policy the operator writes lives in PostgreSQL, where the services read it.
   */
  readonly env?: Readonly<Record<string, string>>;
  readonly secretEnv?: Readonly<Record<string, SecretKey>>;
  /**
   * false (default): the operator handles SagaPolicies of its own namespace (WATCH_NAMESPACE, the namespace
   * of the Hazelcast cluster it writes to), and every permission is a namespaced Role. true: it watches
   * every namespace, with a ClusterRole for SagaPolicies and Events (the Lease stays namespaced).
   */
  readonly watchAllNamespaces?: boolean;
  /** The namespace the operator runs in; needed (for the ClusterRoleBinding) with watchAllNamespaces. */
  readonly namespace?: string;
  /** Default 'saga-operator'. */
  readonly name?: string;
}

interface Rule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
  readonly resourceNames?: string[];
}

/**
 * The SagaPolicy operator: Deployment, ServiceAccount and the least privileges its reconcile loop uses:
 * read and watch SagaPolicies, update them (finalizer), write their status, emit Events, and hold one
 * Lease for leader election. The operator code lives in operator/ (the image runs
 * `node build/operator/main.js`) and is configured by the variables of operator/operator-config.ts.
 */
export class SagaOperator extends Construct {
  readonly name: string;
  readonly serviceAccountName: string;
  readonly podSelector: Readonly<Record<string, string>>;
  readonly policyRules: readonly Rule[];
  readonly leaseRules: readonly Rule[];

  constructor(scope: Construct, id: string, props: SagaOperatorProps) {
    super(scope, id);
    this.name = props.name ?? 'saga-operator';
    this.serviceAccountName = this.name;
    this.podSelector = selectorLabels(this.name);
    const labels = podLabels(this.name, 'operator');
    const subject = { kind: 'ServiceAccount', name: this.serviceAccountName };

    new k8s.KubeServiceAccount(this, 'account', {
      metadata: { name: this.serviceAccountName, labels },
      automountServiceAccountToken: true,
    });

    // What operator/kube uses: an informer (list, watch), merge patches for finalizers and status, core
    // v1 Events, and a Lease it creates, reads and replaces.
    this.policyRules = [
      {
        apiGroups: [SAGA_POLICY_API_GROUP],
        resources: [SAGA_POLICY_PLURAL],
        verbs: ['get', 'list', 'watch', 'patch'],
      },
      {
        apiGroups: [SAGA_POLICY_API_GROUP],
        resources: [`${SAGA_POLICY_PLURAL}/status`],
        verbs: ['get', 'patch'],
      },
      {
        apiGroups: [SAGA_POLICY_API_GROUP],
        resources: [`${SAGA_POLICY_PLURAL}/finalizers`],
        verbs: ['update'],
      },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    ];
    // create cannot be limited by name (the object does not exist yet); get and update can.
    this.leaseRules = [
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        verbs: ['get', 'update'],
        resourceNames: [OPERATOR_LEASE_NAME],
      },
    ];

    if (props.watchAllNamespaces) {
      if (!props.namespace)
        throw new Error('watchAllNamespaces needs the operator namespace for its binding');
      new k8s.KubeClusterRole(this, 'policies-role', {
        metadata: { name: `${this.name}-policies`, labels },
        rules: [...this.policyRules],
      });
      new k8s.KubeClusterRoleBinding(this, 'policies-binding', {
        metadata: { name: `${this.name}-policies`, labels },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: `${this.name}-policies`,
        },
        subjects: [{ ...subject, namespace: props.namespace }],
      });
    }
    new k8s.KubeRole(this, 'role', {
      metadata: { name: this.name, labels },
      rules: [...(props.watchAllNamespaces ? [] : this.policyRules), ...this.leaseRules],
    });
    new k8s.KubeRoleBinding(this, 'binding', {
      metadata: { name: this.name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.name },
      subjects: [subject],
    });

    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: this.name, labels },
      spec: {
        replicas: props.replicas,
        selector: { matchLabels: this.podSelector },
        template: {
          metadata: { labels, annotations: scrapeAnnotations(OPERATOR_METRICS_PORT) },
          spec: {
            serviceAccountName: this.serviceAccountName,
            automountServiceAccountToken: true,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: 30,
            securityContext: restrictedPodSecurity(1000, 1000),
            containers: [
              {
                name: 'operator',
                image: props.image,
                imagePullPolicy: props.imagePullPolicy,
                ports: [{ name: 'http', containerPort: OPERATOR_METRICS_PORT }],
                // The variables operator/operator-config.ts reads.
                env: [
                  // Secrets first: DATABASE_URL expands $(DATABASE_PASSWORD).
                  ...Object.entries(props.secretEnv ?? {}).map(([name, from]) => secretEnv(name, from)),
                  ...(props.watchAllNamespaces ? [] : [fieldRef('WATCH_NAMESPACE', 'metadata.namespace')]),
                  fieldRef('LEASE_NAMESPACE', 'metadata.namespace'),
                  fieldRef('POD_NAME', 'metadata.name'),
                  ...envVars({
                    LEASE_NAME: OPERATOR_LEASE_NAME,
                    HAZELCAST_ADDRESSES: props.hazelcast.addresses,
                    HAZELCAST_CLUSTER_NAME: props.hazelcast.clusterName,
                    METRICS_PORT: String(OPERATOR_METRICS_PORT),
                    LOG_LEVEL: props.logLevel,
                    ...props.env,
                  }),
                ],
                resources: resources(props.resources),
                securityContext: restrictedContainerSecurity(),
                livenessProbe: httpProbe('/healthz', 'http', { initialDelaySeconds: 10 }),
                // Ready once its informer has synced (a standby replica is ready too: it only waits).
                readinessProbe: httpProbe('/readyz', 'http', { periodSeconds: 5 }),
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [emptyDir('tmp')],
          },
        },
      },
    });
  }
}
