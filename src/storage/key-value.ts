/**
 * The storage port everything durable is built on: a named map of JSON documents with compare-and-set.
 * Hazelcast IMaps implement it for real; an in-memory version serves unit tests. Keeping the port this
 * small (Castore-style) is what lets the event store, views, ledgers, leases and saga state share one
 * Hazelcast implementation.
 */

/** A stored document and the exact serialized form it was read as; the form is the CAS token. */
export interface Stored<V> {
  readonly value: V;
  readonly token: string;
}

export type FieldValue = string | number | boolean;

/** A conjunction of simple field conditions, evaluated where the data lives (a Hazelcast predicate). */
export type Condition =
  | { readonly field: string; readonly op: 'eq'; readonly value: FieldValue }
  | { readonly field: string; readonly op: 'lt' | 'lte' | 'gt' | 'gte'; readonly value: number | string }
  | { readonly field: string; readonly op: 'in'; readonly value: readonly FieldValue[] };

/**
 * Bounds on a query: at most `limit` entries, and with `orderBy` the first ones in that field's order
 * (a number or string in every matching document). No request path or background loop reads unbounded.
 * Ties, and a `limit` without `orderBy`, go by key; the exact rule every backend follows is query-order.ts.
 */
export interface QueryOptions {
  readonly orderBy?: string;
  readonly descending?: boolean;
  readonly limit?: number;
}

export interface WriteOptions {
  /** Entry time-to-live; absent means the map's configured default. */
  readonly ttlMs?: number;
  /**
   * The write may be lost if the store itself crashes right after acknowledging it (no fsync wait), because
   * it is re-derived from what is durable: the outbox flag, say. Backends without that trade-off ignore it.
   */
  readonly deferrable?: boolean;
}

/** What a watcher is told: one entry changed (written, removed, expired), or all of them (cleared). */
export type MapChange = { readonly kind: 'entry'; readonly key: string } | { readonly kind: 'all' };

export interface KeyValueMap<V> {
  readonly name: string;
  get(key: string): Promise<Stored<V> | undefined>;
  getAll(keys: readonly string[]): Promise<Map<string, Stored<V>>>;
  /** Writes only if the key is free; returns undefined on success, or the entry that was there. */
  putIfAbsent(key: string, value: V, options?: WriteOptions): Promise<Stored<V> | undefined>;
  /** Compare-and-set: replaces only if the entry is still exactly what was read. */
  replace(key: string, expected: Stored<V>, next: V): Promise<boolean>;
  set(key: string, value: V, options?: WriteOptions): Promise<void>;
  /** Many sets in one round trip, e.g. a batch of outbox flags; not atomic as a whole. */
  setAll(entries: ReadonlyArray<readonly [string, V]>, options?: WriteOptions): Promise<void>;
  delete(key: string): Promise<void>;
  /** Compare-and-delete. */
  deleteIfSame(key: string, expected: Stored<V>): Promise<boolean>;
  query(conditions: readonly Condition[], options?: QueryOptions): Promise<Array<[string, Stored<V>]>>;
  count(conditions: readonly Condition[]): Promise<number>;
  keys(): Promise<string[]>;
  size(): Promise<number>;
  clear(): Promise<void>;
  /**
   * Reports every change from now on, by key only (read the value if needed). Delivery is at most once —
   * a Hazelcast listener misses what happens while the client is disconnected — so a watcher that must
   * not miss anything also reconciles now and then. Resolves to a function that stops watching.
   */
  watch(onChange: (change: MapChange) => void): Promise<() => Promise<void>>;
}

export interface KeyValueStore {
  map<V>(name: string): KeyValueMap<V>;
}

export const serialize = (value: unknown): string => JSON.stringify(value);

/**
 * The Stored form of a value this process has just written: every backend's token for it is its
 * serialization. Serialized only if a compare-and-set asks for the token, which most never do.
 */
export function writtenStored<V>(value: V): Stored<V> {
  let token: string | undefined;
  return {
    value,
    get token() {
      token ??= serialize(value);
      return token;
    },
  };
}

/** Reads a dotted path ("payload.orderId") from a document, the way a Hazelcast JSON predicate does. */
export function fieldOf(document: unknown, path: string): unknown {
  let current: unknown = document;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

export function matches(document: unknown, conditions: readonly Condition[]): boolean {
  return conditions.every((condition) => {
    const actual = fieldOf(document, condition.field);
    switch (condition.op) {
      case 'eq':
        return actual === condition.value;
      case 'in':
        return condition.value.some((candidate) => candidate === actual);
      default:
        return compares(actual, condition.op, condition.value);
    }
  });
}

function compares(actual: unknown, op: 'lt' | 'lte' | 'gt' | 'gte', bound: number | string): boolean {
  if (typeof actual !== typeof bound) return false;
  const a = actual as number | string;
  if (op === 'lt') return a < bound;
  if (op === 'lte') return a <= bound;
  if (op === 'gt') return a > bound;
  return a >= bound;
}
