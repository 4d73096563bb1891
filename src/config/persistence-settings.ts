import { z } from 'zod';

/** The persistence variables every process that touches the stores reads: services, operator, CLI. */
export const persistenceEnvironmentSchema = {
  /** memory: the grid is the only store; postgres: PostgreSQL is the system of record (docs/guides/persistence.md). */
  HMS_PERSISTENCE: z.enum(['memory', 'postgres']).default('memory'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres://user:password@host:port/database URL')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
};

export interface PersistenceSettings {
  readonly HMS_PERSISTENCE: 'memory' | 'postgres';
  readonly DATABASE_URL?: string | undefined;
  readonly DATABASE_POOL_SIZE: number;
}

/** Postgres mode needs somewhere to connect. */
export function requireDatabaseUrl<T extends z.ZodType<PersistenceSettings>>(schema: T) {
  return schema.refine((config) => config.HMS_PERSISTENCE !== 'postgres' || Boolean(config.DATABASE_URL), {
    path: ['DATABASE_URL'],
    message: 'is required when HMS_PERSISTENCE=postgres',
  });
}

/** For tools that read only these variables (the CLI); a bad value throws ConfigError naming it. */
export function loadPersistenceSettings(env: NodeJS.ProcessEnv): PersistenceSettings {
  const given = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = requireDatabaseUrl(z.object(persistenceEnvironmentSchema)).safeParse(given);
  if (!parsed.success) {
    throw new Error(
      `Invalid configuration: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
