import { defaultSettings } from '../../../charts/settings';
import type { HmsSettings, InClusterPostgres } from '../../../charts/settings';
import { container, envOf, find, podSpec, portNumber, synthesize } from './manifests';
import type { Manifest } from './manifests';

const { byChart, all } = synthesize();
const postgres = byChart.postgres;
const statefulSet = find(postgres, 'StatefulSet', 'postgres');
const database = container(statefulSet, 'postgres');
const env = envOf(database);
const settings = defaultSettings.persistence as Extract<HmsSettings['persistence'], { mode: 'postgres' }>;
const inCluster = settings.database as InClusterPostgres;

interface ClaimTemplate {
  metadata: { name: string };
  spec: { accessModes: string[]; resources: { requests: { storage: string } }; storageClassName?: string };
}
const claims = (workload: Manifest) => workload.spec?.volumeClaimTemplates as ClaimTemplate[];

describe('Postgres', () => {
  test('one replica of the pinned official image, its data on a PersistentVolumeClaim that is kept', () => {
    expect(database.image).toBe('postgres:18.3');
    expect(statefulSet.spec).toMatchObject({
      replicas: 1,
      serviceName: 'postgres',
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    });
    expect(claims(statefulSet)).toEqual([
      {
        metadata: expect.objectContaining({ name: 'data' }) as unknown,
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
      },
    ]);
    // PGDATA (/var/lib/postgresql/18/docker) is below the mount, away from the volume's lost+found.
    expect(database.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/postgresql' });
  });

  test('a storage class when one is set', () => {
    const withClass: HmsSettings = {
      ...defaultSettings,
      persistence: { ...settings, database: { ...inCluster, storageClassName: 'fast-ssd' } },
    };
    const objects = synthesize(undefined, withClass).byChart.postgres;
    expect(claims(find(objects, 'StatefulSet', 'postgres'))[0]?.spec.storageClassName).toBe('fast-ssd');
  });

  test('a headless Service on 5432, the address in DATABASE_URL', () => {
    const service = find(postgres, 'Service', 'postgres');
    expect(service.spec).toMatchObject({
      clusterIP: 'None',
      selector: { 'app.kubernetes.io/name': 'postgres' },
    });
    expect(service.spec?.ports).toEqual([{ name: 'postgres', port: 5432, targetPort: 'postgres' }]);
    expect(portNumber(database, 'postgres')).toBe(5432);
    const order = envOf(container(find(byChart.services, 'Deployment', 'order-service')));
    expect(order.DATABASE_URL?.value).toMatch(/@postgres:5432\/hms$/);
  });

  test('credentials from the Secret the chart refers to but never holds, read from a file', () => {
    expect(env.POSTGRES_USER?.value).toBe('hms');
    expect(env.POSTGRES_DB?.value).toBe('hms');
    expect(env.POSTGRES_PASSWORD).toBeUndefined();
    expect(env.POSTGRES_PASSWORD_FILE?.value).toBe('/etc/postgres-credentials/password');
    const volume = podSpec(statefulSet).volumes?.find((v) => v.name === 'credentials');
    expect(volume?.secret).toEqual({
      secretName: 'postgres-credentials',
      items: [{ key: 'password', path: 'password' }],
      defaultMode: 0o440,
    });
    expect(database.volumeMounts).toContainEqual({
      name: 'credentials',
      mountPath: '/etc/postgres-credentials',
      readOnly: true,
    });
    expect(all.filter((object) => object.kind === 'Secret')).toEqual([]);
  });

  test('ready and alive by pg_isready over TCP (not during initdb, whose server listens on the socket only)', () => {
    const command = [
      'pg_isready',
      '--quiet',
      '--host=127.0.0.1',
      '--port=5432',
      '--username=hms',
      '--dbname=hms',
    ];
    for (const probe of [database.startupProbe, database.readinessProbe, database.livenessProbe]) {
      expect(probe?.exec?.command).toEqual(command);
    }
    // initdb on a fresh volume, or crash recovery, has ten minutes.
    expect((database.startupProbe?.periodSeconds ?? 0) * (database.startupProbe?.failureThreshold ?? 0)).toBe(
      600,
    );
  });

  test('stops with a fast shutdown inside the grace period (SIGTERM alone waits for every client)', () => {
    const preStop = database.lifecycle?.preStop?.exec?.command;
    expect(preStop?.slice(0, 2)).toEqual(['sh', '-c']);
    const timeout = Number(/pg_ctl stop -D "\$PGDATA" -m fast -w -t (\d+)$/.exec(preStop?.[2] ?? '')?.[1]);
    expect(timeout).toBeGreaterThan(0);
    expect(podSpec(statefulSet).terminationGracePeriodSeconds).toBeGreaterThan(timeout);
  });

  test('restricted: uid 999, read-only root filesystem, writable socket dir, /tmp and /dev/shm', () => {
    expect(podSpec(statefulSet).securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 999,
      runAsGroup: 999,
      fsGroup: 999,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(database.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    const volumes = Object.fromEntries((podSpec(statefulSet).volumes ?? []).map((v) => [v.name, v]));
    for (const [path, name] of [
      ['/var/run/postgresql', 'run'],
      ['/tmp', 'tmp'],
      ['/dev/shm', 'shm'],
    ] as const) {
      expect(database.volumeMounts).toContainEqual({ name, mountPath: path });
      expect(volumes[name]?.emptyDir).toBeDefined();
    }
    expect(volumes.shm?.emptyDir?.medium).toBe('Memory');
    expect(podSpec(statefulSet).automountServiceAccountToken).toBe(false);
    expect(database.resources).toEqual({
      requests: { cpu: '250m', memory: '512Mi' },
      limits: { cpu: '2', memory: '1Gi' },
    });
  });

  test("max_connections covers every service replica's pool, plus room", () => {
    // 4 services x 2 replicas x 10 connections, plus 10.
    expect(database.args).toEqual(['-c', 'max_connections=90']);
    const scaled: HmsSettings = {
      ...defaultSettings,
      services: {
        ...defaultSettings.services,
        order: {
          ...defaultSettings.services.order,
          autoscaling: { minReplicas: 2, maxReplicas: 6, cpuUtilizationPercent: 70 },
        },
      },
    };
    const objects = synthesize(undefined, scaled).byChart.postgres;
    expect(container(find(objects, 'StatefulSet', 'postgres')).args).toEqual(['-c', 'max_connections=130']);
  });

  test('only the four services and the operator reach 5432', () => {
    const policy = find(postgres, 'NetworkPolicy', 'postgres-clients');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgres' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              podSelector: {
                matchExpressions: [
                  {
                    key: 'app.kubernetes.io/name',
                    operator: 'In',
                    values: [
                      'account-service',
                      'inventory-service',
                      'order-service',
                      'payment-service',
                      'saga-operator',
                    ],
                  },
                ],
              },
            },
          ],
          ports: [{ protocol: 'TCP', port: 5432 }],
        },
      ],
    });
    // The workloads that hold DATABASE_URL are exactly the ones let in.
    const withUrl = all
      .filter((object) => object.kind === 'Deployment' || object.kind === 'StatefulSet')
      .filter((workload) => podSpec(workload).containers.some((c) => envOf(c).DATABASE_URL))
      .map((workload) => workload.spec?.template?.metadata.labels['app.kubernetes.io/name']);
    expect(withUrl.sort()).toEqual([
      'account-service',
      'inventory-service',
      'order-service',
      'payment-service',
      'saga-operator',
    ]);
  });
});
