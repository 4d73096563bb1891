import type { Client as HazelcastClient } from 'hazelcast-client';
import type { ServiceConfig } from '../config/service-config';
import type { Logger } from '../logging/logger';
import { openPostgres } from '../postgres/postgres-storage';
import { HazelcastKeyValueStore } from '../storage/hazelcast-key-value';
import type { KeyValueStore } from '../storage/key-value';
import { TieredKeyValueStore } from '../storage/tiered-key-value';

export interface ServiceStorage {
  readonly kv: KeyValueStore;
  close(): Promise<void>;
}

/**
 * The key-value store a process uses in its persistence mode: the grid alone (memory), or PostgreSQL for
 * the system of record with the grid for the rest (postgres). The services, the operator and the CLI all
 * open it here, so they agree on where every map lives.
 */
export async function openServiceStorage(
  config: Pick<ServiceConfig, 'HMS_PERSISTENCE' | 'DATABASE_URL' | 'DATABASE_POOL_SIZE'>,
  client: HazelcastClient,
  logger: Logger,
): Promise<ServiceStorage> {
  const grid = new HazelcastKeyValueStore(client);
  if (config.HMS_PERSISTENCE === 'memory') return { kv: grid, close: async () => undefined };
  const postgres = await openPostgres(
    { url: config.DATABASE_URL!, poolSize: config.DATABASE_POOL_SIZE },
    logger,
  );
  return { kv: new TieredKeyValueStore(postgres.kv, grid), close: () => postgres.close() };
}
