import type { KeyValueMap, KeyValueStore } from './key-value';

/**
 * The system of record and the grid side by side: maps that must survive every process dying go to the
 * durable store, the rest (leases, counters, acknowledgements, vector indexes' maps) stay in the grid.
 */
export class TieredKeyValueStore implements KeyValueStore {
  constructor(
    private readonly durable: KeyValueStore,
    private readonly grid: KeyValueStore,
    private readonly isDurable: (mapName: string) => boolean = isDurableMap,
  ) {}

  map<V>(name: string): KeyValueMap<V> {
    return (this.isDurable(name) ? this.durable : this.grid).map<V>(name);
  }
}

/**
 * What cannot be derived from anything else, plus the views (so lists and filters see every aggregate,
 * not a hot set): event stores, views and dead letters, consumer ledgers, handled versions and checkpoints, idempotency
 * records, saga records and the saga policy. Embedding maps (`product-embeddings.*`) are derived from the
 * products and rebuilt by the backfill, so they stay in the grid.
 */
const DURABLE_SUFFIXES = [
  '.es',
  '.view',
  '.ledger',
  '.handled',
  '.idempotency',
  'subscription.checkpoints',
  'saga.state',
  'saga.policy',
];

export function isDurableMap(name: string): boolean {
  if (name.includes('product-embeddings.')) return false;
  return DURABLE_SUFFIXES.some((suffix) => name.endsWith(suffix));
}
