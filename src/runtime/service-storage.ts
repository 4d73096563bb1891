import type { Client as HazelcastClient } from 'hazelcast-client';
import type { PersistenceSettings } from '../config/persistence-settings';
import type { Logger } from '../logging/logger';
import { openPostgres } from '../postgres/postgres-storage';
import { HazelcastKeyValueStore } from '../storage/hazelcast-key-value';
import type { KeyValueStore } from '../storage/key-value';
import { TieredKeyValueStore } from '../storage/tiered-key-value';

/** The system of record of the persistence mode: none in memory mode (the grid is all there is). */
export interface DurableStore {
  readonly kv: KeyValueStore | undefined;
  close(): Promise<void>;
}

export async function openDurableStore(settings: PersistenceSettings, logger: Logger): Promise<DurableStore> {
  if (settings.HMS_PERSISTENCE === 'memory') return { kv: undefined, close: async () => undefined };
  const postgres = await openPostgres(
    { url: settings.DATABASE_URL!, poolSize: settings.DATABASE_POOL_SIZE },
    logger,
  );
  return { kv: postgres.kv, close: () => postgres.close() };
}

/**
 * Where every map lives: the grid alone, or PostgreSQL for the system of record and the grid for the
 * rest. The services, the operator and the CLI all build it here, so they agree.
 */
export function storeFor(durable: DurableStore, client: HazelcastClient): KeyValueStore {
  const grid = new HazelcastKeyValueStore(client);
  return durable.kv ? new TieredKeyValueStore(durable.kv, grid) : grid;
}
