import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { InClusterPostgres } from '../settings';
import type { SecretKey } from '../support/kube';
import {
  emptyDir,
  podLabels,
  port,
  quantity,
  resources,
  restrictedContainerSecurity,
  restrictedPodSecurity,
  selectorLabels,
} from '../support/kube';

/** The database settings (charts/settings.ts), and what the app derives for it. */
export interface PostgresProps extends Omit<InClusterPostgres, 'kind'> {
  readonly imagePullPolicy: string;
  /** max_connections: every client replica's pool, plus room for an operator's psql. */
  readonly maxConnections: number;
  /** Default 'postgres': the StatefulSet, the headless Service and the pods' app.kubernetes.io/name. */
  readonly name?: string;
  /** Default 5432. */
  readonly port?: number;
}

/** The postgres user (and group) of the official Debian-based image. */
const POSTGRES_UID = 999;
/** The image's PGDATA lives below this directory (/var/lib/postgresql/<major>/docker from 18 on). */
const DATA_DIR = '/var/lib/postgresql';
const CREDENTIALS_DIR = '/etc/postgres-credentials';
/** Fast shutdown aborts open transactions and checkpoints; this bounds it below the grace period. */
const STOP_TIMEOUT_SECONDS = 90;
const TERMINATION_GRACE_SECONDS = STOP_TIMEOUT_SECONDS + 30;

/**
 * PostgreSQL for the services' durable maps: a one-replica StatefulSet of the official image with its data
 * on a PersistentVolumeClaim (kept when the StatefulSet is deleted or scaled down), a headless Service
 * (`postgres:5432` resolves to the pod only while it is ready), readiness and liveness by pg_isready, and
 * the restricted security settings of every other pod: non-root, read-only root filesystem, the socket
 * directory, /tmp and /dev/shm on emptyDirs.
 *
 * Credentials: the chart refers to a Secret and never holds one. A password in dist/ would be in every
 * copy of the manifests and in git; a random one made at synth time would break reproducible output and
 * change on every synth, while PostgreSQL keeps the password initdb set on the first start. So the
 * Secret is generated once per namespace, in the cluster, before the first apply:
 *   kubectl create secret generic postgres-credentials --from-literal=password="$(openssl rand -hex 24)"
 * (npm run kind:up does this when it is missing). Hex keeps the password safe inside DATABASE_URL. The
 * database reads it from a mounted file (POSTGRES_PASSWORD_FILE), the services through a secretKeyRef.
 *
 * Kubernetes stops containers with SIGTERM, which PostgreSQL takes as a "smart" shutdown that waits for
 * every client to disconnect (the services' pools never do); the preStop hook asks for a fast one instead,
 * so the server stops cleanly within the grace period rather than being killed and recovering on start.
 */
export class Postgres extends Construct {
  readonly name: string;
  readonly port: number;
  readonly podSelector: Readonly<Record<string, string>>;
  /** The password, for a secretKeyRef. */
  readonly password: SecretKey;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: PostgresProps,
  ) {
    super(scope, id);
    this.name = props.name ?? 'postgres';
    this.port = props.port ?? 5432;
    this.podSelector = selectorLabels(this.name);
    this.password = { secret: props.credentialsSecret, key: 'password' };
    const labels = podLabels(this.name, 'database');
    // Over TCP, as the services connect: during initdb the image's temporary server listens on the socket only.
    const isReady: k8s.ExecAction = {
      command: [
        'pg_isready',
        '--quiet',
        '--host=127.0.0.1',
        `--port=${this.port}`,
        `--username=${props.user}`,
        `--dbname=${props.database}`,
      ],
    };

    new k8s.KubeService(this, 'service', {
      metadata: { name: this.name, labels },
      spec: {
        clusterIp: 'None',
        selector: this.podSelector,
        ports: [{ name: 'postgres', port: this.port, targetPort: port('postgres') }],
      },
    });

    new k8s.KubeStatefulSet(this, 'database', {
      metadata: { name: this.name, labels },
      spec: {
        serviceName: this.name,
        replicas: 1,
        selector: { matchLabels: this.podSelector },
        updateStrategy: { type: 'RollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          metadata: { labels },
          spec: {
            terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurity(POSTGRES_UID, POSTGRES_UID, POSTGRES_UID),
            containers: [
              {
                name: 'postgres',
                image: props.image,
                imagePullPolicy: props.imagePullPolicy,
                args: ['-c', `max_connections=${props.maxConnections}`],
                ports: [{ name: 'postgres', containerPort: this.port }],
                env: [
                  { name: 'POSTGRES_USER', value: props.user },
                  { name: 'POSTGRES_DB', value: props.database },
                  { name: 'POSTGRES_PASSWORD_FILE', value: `${CREDENTIALS_DIR}/password` },
                  { name: 'PGPORT', value: String(this.port) },
                ],
                resources: resources(props.resources),
                securityContext: restrictedContainerSecurity(),
                // initdb on a fresh volume, or crash recovery after a kill, may take a while.
                startupProbe: { exec: isReady, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 120 },
                readinessProbe: { exec: isReady, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
                livenessProbe: { exec: isReady, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
                lifecycle: {
                  preStop: {
                    exec: {
                      command: ['sh', '-c', `pg_ctl stop -D "$PGDATA" -m fast -w -t ${STOP_TIMEOUT_SECONDS}`],
                    },
                  },
                },
                volumeMounts: [
                  { name: 'data', mountPath: DATA_DIR },
                  { name: 'credentials', mountPath: CREDENTIALS_DIR, readOnly: true },
                  { name: 'run', mountPath: '/var/run/postgresql' },
                  { name: 'tmp', mountPath: '/tmp' },
                  { name: 'shm', mountPath: '/dev/shm' },
                ],
              },
            ],
            volumes: [
              {
                name: 'credentials',
                secret: {
                  secretName: props.credentialsSecret,
                  items: [{ key: this.password.key, path: 'password' }],
                  defaultMode: 0o440,
                },
              },
              emptyDir('run', '1Mi'),
              emptyDir('tmp'),
              // Parallel queries share memory through /dev/shm; the runtime's default is 64 MB.
              { name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: quantity('128Mi') } },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', labels },
            spec: {
              accessModes: ['ReadWriteOnce'],
              ...(props.storageClassName ? { storageClassName: props.storageClassName } : {}),
              resources: { requests: { storage: quantity(props.storage) } },
            },
          },
        ],
      },
    });
  }

  /**
   * DATABASE_URL for a client whose environment defines `passwordVariable` before it (from `password`):
   * the kubelet expands `$(…)`, so the manifest never holds the password.
   */
  databaseUrl(passwordVariable: string): string {
    return `postgres://${this.props.user}:$(${passwordVariable})@${this.name}:${this.port}/${this.props.database}`;
  }
}
