import { hostname } from 'node:os';
import { z } from 'zod';
import { DEFAULT_INVOCATION_TIMEOUT_MS } from '../hazelcast/invocation-timeout';
import { memberHeapGuardEnvironmentSchema } from '../memory-guard/guard-settings';
import { durationSchema } from '../sagas/duration';
import { defaultRetrySettings } from '../subscriptions/retry-backoff';
import { tracingEnvironmentSchema } from '../telemetry/tracing-settings';
import { persistenceEnvironmentSchema, requireDatabaseUrl } from './persistence-settings';

const integer = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const schema = z.object({
  HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  HAZELCAST_ADDRESSES: z
    .string()
    .default('127.0.0.1:5701')
    .transform((value) =>
      value
        .split(',')
        .map((address) => address.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^\s:]+(:\d{1,5})?$/, 'must be host:port')).min(1)),
  HAZELCAST_CLUSTER_NAME: z.string().min(1).default('dev'),
  HAZELCAST_CONNECT_TIMEOUT_MS: integer(30_000, 1_000, 600_000),
  /** The deadline of every Hazelcast call, retries included (the client's own default is 120 s). */
  HAZELCAST_INVOCATION_TIMEOUT_MS: integer(DEFAULT_INVOCATION_TIMEOUT_MS, 1_000, 600_000),
  /** Prepended to every map and ringbuffer name: isolates tests and tenants on one cluster. */
  HAZELCAST_NAME_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]*$/, 'letters, digits, _ . - only')
    .default(''),
  STREAM_PARTITIONS: integer(8, 1, 271),
  ...persistenceEnvironmentSchema,
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  INSTANCE_ID: z.string().min(1).default(`${hostname()}-${process.pid}`),
  BODY_LIMIT_BYTES: integer(1024 * 1024, 1024, 64 * 1024 * 1024),
  /** API writes worked on at once; the rest wait their turn (src/http/concurrency-limit.ts). */
  HTTP_MAX_CONCURRENT: integer(64, 1, 100_000),
  /** API writes waiting their turn at most; past it the service answers 503 with Retry-After. */
  HTTP_MAX_QUEUED: integer(2_048, 0, 1_000_000),
  /** The longest an API write waits for its turn; then 503 with Retry-After, unworked. */
  HTTP_MAX_QUEUE_WAIT_MS: integer(5_000, 0, 600_000),
  /** How long a duplicate may wait behind an Idempotency-Key's first attempt before that claim is given up. */
  IDEMPOTENCY_CLAIM_MS: integer(30_000, 1_000, 600_000),
  SHUTDOWN_GRACE_MS: integer(10_000, 0, 120_000),
  OUTBOX_GRACE_MS: integer(5_000, 0, 600_000),
  OUTBOX_INTERVAL_MS: integer(2_000, 50, 600_000),
  SUBSCRIPTION_LEASE_MS: integer(10_000, 500, 600_000),
  /** A consumer group's handler attempts before an event is parked, and their back-off (retry-backoff.ts). */
  EVENT_RETRY_MAX_ATTEMPTS: integer(defaultRetrySettings.maxAttempts, 1, 100),
  EVENT_RETRY_BASE_MS: integer(defaultRetrySettings.baseMs, 1, 600_000),
  EVENT_RETRY_MAX_DELAY_MS: integer(defaultRetrySettings.maxDelayMs, 1, 3_600_000),
  /** Inventory: how long a direct reservation (POST …/stock/reserve) holds its stock before it lapses. */
  DIRECT_RESERVATION_HOLD: durationSchema('1s', '24h').default(600_000),
  /** OTEL_EXPORTER_OTLP_ENDPOINT, TRACING_ENABLED, TRACING_SAMPLE_RATIO (src/telemetry/tracing-settings.ts). */
  ...tracingEnvironmentSchema,
  /** HAZELCAST_METRICS_URLS, HAZELCAST_HEAP_HIGH_WATER, HAZELCAST_HEAP_POLL_MS (src/memory-guard/guard-settings.ts). */
  ...memberHeapGuardEnvironmentSchema,
  /** Test-only crash points (see src/runtime/fault-injection.ts); never set in production. */
  FAULT_CRASH_AT: z
    .string()
    .regex(
      /^(after-append|in-handler|timeout-after-append|timeout-before-append):[A-Za-z]+$/,
      'must be after-append, in-handler, timeout-after-append or timeout-before-append, then :<EventType>',
    )
    .optional(),
});

const checked = requireDatabaseUrl(schema);

export type ServiceConfig = Omit<z.infer<typeof schema>, 'HTTP_PORT'> & { readonly HTTP_PORT: number };

/** Every variable the services read, for the manifests' consistency check and the docs. */
export const serviceEnvironmentVariables = Object.keys(schema.shape);

export class ConfigError extends Error {
  constructor(problems: string[]) {
    // One problem fits the one line a process prints when it stops; several are listed.
    super(
      problems.length === 1
        ? `Invalid configuration: ${problems[0]}`
        : `Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/** Reads and checks the environment once at start; a bad value stops the process with every problem named. */
export function loadServiceConfig(env: NodeJS.ProcessEnv, defaultPort: number): ServiceConfig {
  // An empty variable means "not set", as shells and manifests usually intend.
  const given = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = checked.safeParse(given);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`),
    );
  }
  return { ...parsed.data, HTTP_PORT: parsed.data.HTTP_PORT ?? defaultPort };
}
