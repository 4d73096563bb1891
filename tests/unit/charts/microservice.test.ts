import { Chart, Testing } from 'cdk8s';
import { Microservice } from '../../../charts/constructs/microservice';
import type { MicroserviceProps } from '../../../charts/constructs/microservice';
import { defaultSettings } from '../../../charts/settings';
import type { HmsSettings } from '../../../charts/settings';
import { accountService } from '../../../services/account/account-service';
import { inventoryService } from '../../../services/inventory/inventory-service';
import { orderService } from '../../../services/order/order-service';
import { paymentService } from '../../../services/payment/payment-service';
import { loadServiceConfig, serviceEnvironmentVariables } from '../../../src/config/service-config';
import { container, envOf, find, podSpec, portNumber, synthesize } from './manifests';
import type { Manifest } from './manifests';

const { byChart } = synthesize();
const definitions = [accountService, inventoryService, orderService, paymentService];

describe.each(definitions.map((definition) => [definition.name, definition] as const))(
  '%s service',
  (name, definition) => {
    const deployment = find(byChart.services, 'Deployment', `${name}-service`);
    const service = find(byChart.services, 'Service', `${name}-service`);
    const main = container(deployment);
    const env = envOf(main);

    test('sets only variables the services read, with their real names', () => {
      const expanded = Object.values(env).flatMap((variable) =>
        [...(variable.value ?? '').matchAll(/\$\((\w+)\)/g)].map((match) => match[1]),
      );
      for (const variable of Object.keys(env)) {
        // A Secret's value that only goes into another variable (the password into DATABASE_URL).
        if (expanded.includes(variable)) expect(env[variable]?.valueFrom?.secretKeyRef).toBeDefined();
        else expect(serviceEnvironmentVariables).toContain(variable);
      }
      expect(Object.keys(env)).toEqual(
        expect.arrayContaining([
          'HTTP_PORT',
          'HAZELCAST_ADDRESSES',
          'HAZELCAST_CLUSTER_NAME',
          'INSTANCE_ID',
          'LOG_LEVEL',
          'OTEL_EXPORTER_OTLP_ENDPOINT',
        ]),
      );
      expect(env.INSTANCE_ID?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
    });

    test("the service's own config loader accepts the manifest's environment", () => {
      // What the kubelet hands the process: downward-API and Secret values, `$(NAME)` expanded.
      const given: Record<string, string> = {
        INSTANCE_ID: `${name}-service-5d9c-x2`,
        DATABASE_PASSWORD: '0f3a9c',
      };
      const values: Record<string, string> = {};
      for (const [key, variable] of Object.entries(env)) {
        values[key] = (variable.value ?? given[key] ?? '').replace(
          /\$\((\w+)\)/g,
          (_, ref: string) => values[ref]!,
        );
      }
      const config = loadServiceConfig(values, definition.defaultPort);
      expect(config.HTTP_PORT).toBe(definition.defaultPort);
      expect(config.HAZELCAST_ADDRESSES).toEqual(['hazelcast:5701']);
      expect(config.HAZELCAST_CLUSTER_NAME).toBe(defaultSettings.clusterName);
      expect(config.HMS_PERSISTENCE).toBe('postgres');
      expect(config.DATABASE_URL).toBe('postgres://hms:0f3a9c@postgres:5432/hms');
      expect(config.DATABASE_POOL_SIZE).toBe(10);
    });

    test('persistent by default: DATABASE_URL holds a reference to the Secret, never the password', () => {
      expect(env.HMS_PERSISTENCE?.value).toBe('postgres');
      expect(env.DATABASE_POOL_SIZE?.value).toBe('10');
      expect(env.DATABASE_URL?.value).toBe('postgres://hms:$(DATABASE_PASSWORD)@postgres:5432/hms');
      expect(env.DATABASE_PASSWORD).toEqual({
        name: 'DATABASE_PASSWORD',
        valueFrom: { secretKeyRef: { name: 'postgres-credentials', key: 'password' } },
      });
      // The kubelet expands only variables defined earlier in the list.
      const names = (main.env ?? []).map((variable) => variable.name);
      expect(names.indexOf('DATABASE_PASSWORD')).toBeLessThan(names.indexOf('DATABASE_URL'));
    });

    test("container port, Service port and scrape port are the service's default port", () => {
      expect(main.ports).toEqual([{ name: 'http', containerPort: definition.defaultPort }]);
      expect(env.HTTP_PORT?.value).toBe(String(definition.defaultPort));
      expect(service.spec?.ports).toEqual([
        { name: 'http', port: definition.defaultPort, targetPort: 'http' },
      ]);
      expect(deployment.spec?.template?.metadata.annotations).toEqual({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(definition.defaultPort),
        'prometheus.io/path': '/metrics',
      });
    });

    test('probes on the health endpoints', () => {
      expect(main.livenessProbe?.httpGet?.path).toBe('/health/live');
      expect(main.readinessProbe?.httpGet?.path).toBe('/health/ready');
      expect(main.startupProbe?.httpGet?.path).toBe('/health/live');
      for (const probe of [main.livenessProbe, main.readinessProbe, main.startupProbe]) {
        expect(portNumber(main, probe?.httpGet?.port)).toBe(definition.defaultPort);
      }
    });

    test('non-root, read-only root filesystem with /tmp on an emptyDir, resources set', () => {
      const pod = podSpec(deployment);
      expect(pod.securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(main.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(main.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
      expect(pod.volumes?.find((volume) => volume.name === 'tmp')?.emptyDir).toBeDefined();
      expect(pod.automountServiceAccountToken).toBe(false);
      // Inventory also holds the embedding model and the vector index.
      const memory = name === 'inventory' ? ['384Mi', '768Mi'] : ['192Mi', '384Mi'];
      expect(main.resources?.requests).toEqual({ cpu: '100m', memory: memory[0] });
      expect(main.resources?.limits).toEqual({ cpu: '1', memory: memory[1] });
      expect(main.image).toBe(`hms/${name}:dev`);
      expect(main.imagePullPolicy).toBe('IfNotPresent');
    });

    test('graceful shutdown: drain delay, then longer than SHUTDOWN_GRACE_MS before SIGKILL', () => {
      const preStop = main.lifecycle?.preStop?.exec?.command;
      expect(preStop?.[0]).toBe('sleep');
      const drainSeconds = Number(preStop?.[1]);
      const graceMs = Number(env.SHUTDOWN_GRACE_MS?.value);
      expect(podSpec(deployment).terminationGracePeriodSeconds).toBeGreaterThan(
        drainSeconds + graceMs / 1000,
      );
    });

    test('a PDB keeps one replica at most down', () => {
      expect(deployment.spec?.replicas).toBe(2);
      expect(find(byChart.services, 'PodDisruptionBudget', `${name}-service`).spec).toEqual({
        maxUnavailable: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': `${name}-service` } },
      });
    });
  },
);

describe('Microservice options', () => {
  const base: MicroserviceProps = {
    name: 'account',
    image: 'hms/account:dev',
    imagePullPolicy: 'IfNotPresent',
    port: 8081,
    replicas: 1,
    resources: defaultSettings.services.account.resources,
    hazelcast: { addresses: 'hazelcast:5701', clusterName: 'hms' },
    logLevel: 'info',
    shutdownGraceMs: 10_000,
  };
  const synth = (props: Partial<MicroserviceProps>): Manifest[] => {
    const chart = new Chart(Testing.app(), 'c');
    new Microservice(chart, 'm', { ...base, ...props });
    return Testing.synth(chart) as Manifest[];
  };

  test('with autoscaling: an HPA owns the replica count', () => {
    const objects = synth({ autoscaling: { minReplicas: 2, maxReplicas: 6, cpuUtilizationPercent: 70 } });
    expect(find(objects, 'Deployment', 'account-service').spec?.replicas).toBeUndefined();
    expect(find(objects, 'HorizontalPodAutoscaler', 'account-service').spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'account-service' },
      minReplicas: 2,
      maxReplicas: 6,
    });
    expect(objects.some((object) => object.kind === 'PodDisruptionBudget')).toBe(true);
  });

  test('one replica: no PDB (it would block node drains)', () => {
    expect(synth({}).map((object) => object.kind)).toEqual(['Deployment', 'Service']);
  });

  test('no OTLP endpoint: the variable is left unset', () => {
    expect(
      envOf(container(find(synth({}), 'Deployment', 'account-service'))).OTEL_EXPORTER_OTLP_ENDPOINT,
    ).toBeUndefined();
  });

  test('a reference to a variable that no Secret defines is refused (the kubelet would leave it as text)', () => {
    expect(() => synth({ env: { DATABASE_URL: 'postgres://hms:$(DB_PASSWORD)@postgres:5432/hms' } })).toThrow(
      /account: \$\(DB_PASSWORD\) is not a variable from a Secret/,
    );
  });

  test('a Secret variable neither read nor expanded is refused', () => {
    expect(() => synth({ secretEnv: { DATABASE_PASSWORD: { secret: 's', key: 'password' } } })).toThrow(
      /DATABASE_PASSWORD not read by the services/,
    );
  });

  test('a variable the services do not read is refused at synth time', () => {
    expect(() => synth({ env: { HAZELCAST_ADRESSES: 'x:1' } })).toThrow(
      /HAZELCAST_ADRESSES not read by the services/,
    );
    expect(() => synth({ env: { INSTANCE_ID: 'fixed' } })).toThrow(/INSTANCE_ID is the pod name/);
  });
});

describe('persistence settings', () => {
  const servicesEnv = (settings: HmsSettings) =>
    envOf(container(find(synthesize(undefined, settings).byChart.services, 'Deployment', 'order-service')));

  test('memory: HMS_PERSISTENCE=memory, no database variables, no PostgreSQL objects', () => {
    const settings: HmsSettings = { ...defaultSettings, persistence: { mode: 'memory' } };
    const env = servicesEnv(settings);
    expect(env.HMS_PERSISTENCE?.value).toBe('memory');
    expect(Object.keys(env).filter((key) => key.startsWith('DATABASE_'))).toEqual([]);
    const { byChart, charts } = synthesize(undefined, settings);
    expect(byChart.postgres).toEqual([]);
    expect(charts.postgres).toBeUndefined();
  });

  test('external (a managed PostgreSQL, CloudNativePG): the whole DATABASE_URL from its Secret', () => {
    const settings: HmsSettings = {
      ...defaultSettings,
      persistence: {
        mode: 'postgres',
        poolSize: 5,
        database: { kind: 'external', urlSecret: { secret: 'hms-db-app', key: 'uri' } },
      },
    };
    const env = servicesEnv(settings);
    expect(env.HMS_PERSISTENCE?.value).toBe('postgres');
    expect(env.DATABASE_POOL_SIZE?.value).toBe('5');
    expect(env.DATABASE_URL).toEqual({
      name: 'DATABASE_URL',
      valueFrom: { secretKeyRef: { name: 'hms-db-app', key: 'uri' } },
    });
    expect(env.DATABASE_PASSWORD).toBeUndefined();
    expect(synthesize(undefined, settings).byChart.postgres).toEqual([]);
  });
});
