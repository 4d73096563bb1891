import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_PORTS, SERVICE_NAMES, type ServiceName } from './service-process';
import { LOCAL_MEMBER_HEAP } from './member-heap';

/** What `npm start` runs and where, from its environment. A port of 0 means "pick a free one". */
export interface LocalRunSettings {
  /** memory: the member holds everything; postgres: PostgreSQL is the system of record. */
  readonly persistence: 'memory' | 'postgres';
  /** An existing PostgreSQL (postgres mode only): no embedded server is started. */
  readonly databaseUrl?: string;
  /** Logs, the embedded PostgreSQL's data, Prometheus's TSDB. */
  readonly runDir: string;
  readonly clusterName: string;
  readonly memberHeap: string;
  readonly ports: {
    readonly hazelcast: number;
    readonly hazelcastMetrics: number;
    readonly postgres: number;
    readonly services: Readonly<Record<ServiceName, number>>;
    /** undefined: no local Prometheus. */
    readonly prometheus: number | undefined;
  };
}

const PORT_ERROR = 'must be a port number, 0–65535 (0 picks a free one)';
const port = (fallback: number) =>
  z.coerce
    .number({ error: PORT_ERROR })
    .int({ error: PORT_ERROR })
    .min(0, { error: PORT_ERROR })
    .max(65535, { error: PORT_ERROR })
    .default(fallback);
const servicePortVariable = (name: ServiceName) => `${name.toUpperCase()}_PORT`;

const schema = z.object({
  HMS_PERSISTENCE: z.enum(['memory', 'postgres'], { error: 'must be memory or postgres' }).default('memory'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres://user:password@host:port/database URL')
    .optional(),
  HMS_RUN_DIR: z.string().min(1).optional(),
  HAZELCAST_CLUSTER_NAME: z.string().min(1).default('dev'),
  HAZELCAST_HEAP: z
    .string()
    .regex(/^\d+[kmgKMG]$/, 'must be a JVM size such as 512m or 4g')
    .default(LOCAL_MEMBER_HEAP),
  HAZELCAST_PORT: port(5701),
  HAZELCAST_METRICS_PORT: port(5780),
  POSTGRES_PORT: port(5432),
  ...Object.fromEntries(SERVICE_NAMES.map((name) => [servicePortVariable(name), port(DEFAULT_PORTS[name])])),
  PROMETHEUS_PORT: z.union([z.literal('off'), port(9090)], { error: `${PORT_ERROR}, or off` }).default(9090),
});

/**
 * Reads the local run's variables; a bad one throws with one line naming each problem and what was given,
 * e.g. `HMS_PERSISTENCE must be memory or postgres (got "mongo")`.
 */
export function loadLocalRunSettings(env: NodeJS.ProcessEnv, projectRoot: string): LocalRunSettings {
  const given = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `${name} ${issue.message} (got ${JSON.stringify(given[name])})`;
    });
    throw new Error(problems.join('; '));
  }
  const values = parsed.data as z.infer<typeof schema> & Record<string, number>;
  const prometheus = values.PROMETHEUS_PORT;
  return {
    persistence: values.HMS_PERSISTENCE,
    databaseUrl: values.HMS_PERSISTENCE === 'postgres' ? values.DATABASE_URL : undefined,
    runDir: path.resolve(projectRoot, values.HMS_RUN_DIR ?? '.run'),
    clusterName: values.HAZELCAST_CLUSTER_NAME,
    memberHeap: values.HAZELCAST_HEAP,
    ports: {
      hazelcast: values.HAZELCAST_PORT,
      hazelcastMetrics: values.HAZELCAST_METRICS_PORT,
      postgres: values.POSTGRES_PORT,
      services: Object.fromEntries(
        SERVICE_NAMES.map((name) => [name, values[servicePortVariable(name)] ?? DEFAULT_PORTS[name]]),
      ) as Record<ServiceName, number>,
      prometheus: prometheus === 'off' ? undefined : prometheus,
    },
  };
}
