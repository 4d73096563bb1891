import { hostname } from 'node:os';
import { z } from 'zod';
import { persistenceEnvironmentSchema, requireDatabaseUrl } from '../src/config/persistence-settings';
import { ConfigError } from '../src/config/service-config';

const schema = z.object({
  /** Empty: every namespace. */
  WATCH_NAMESPACE: z.string().default(''),
  /** The API server ends each watch after this long; the operator resumes it at once (a normal close). */
  WATCH_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3_600).default(300),
  /** Where the leader-election Lease lives (the operator's own namespace in a cluster). */
  LEASE_NAMESPACE: z.string().min(1).default('default'),
  LEASE_NAME: z.string().min(1).default('sagapolicy-operator'),
  POD_NAME: z.string().min(1).default(`${hostname()}-${process.pid}`),
  HAZELCAST_ADDRESSES: z
    .string()
    .default('127.0.0.1:5701')
    .transform((value) =>
      value
        .split(',')
        .map((address) => address.trim())
        .filter(Boolean),
    ),
  HAZELCAST_CLUSTER_NAME: z.string().min(1).default('dev'),
  HAZELCAST_NAME_PREFIX: z.string().default(''),
  ...persistenceEnvironmentSchema,
  METRICS_HOST: z.string().default('0.0.0.0'),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  RESYNC_MS: z.coerce.number().int().min(1_000).default(30_000),
  LEASE_DURATION_MS: z.coerce.number().int().min(1_000).default(15_000),
  /** A leader that has not renewed for this long stops leading; default two thirds of the lease. */
  RENEW_DEADLINE_MS: z.coerce.number().int().min(200).optional(),
  RETRY_PERIOD_MS: z.coerce.number().int().min(100).default(2_000),
  WORKERS: z.coerce.number().int().min(1).max(32).default(2),
});

export type OperatorConfig = z.infer<typeof schema>;

/** Every variable the operator reads, for the manifests' consistency check. */
export const operatorEnvironmentVariables = Object.keys(schema.shape);

export function loadOperatorConfig(env: NodeJS.ProcessEnv): OperatorConfig {
  const given = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = requireDatabaseUrl(schema).safeParse(given);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  return parsed.data;
}
