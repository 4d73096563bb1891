import type { Client as HazelcastClient, IMap, Predicate } from 'hazelcast-client';
import { Aggregators, HazelcastJsonValue, Predicates } from 'hazelcast-client';
import { boundedEntries } from './hazelcast-bounded-query';
import type {
  Condition,
  KeyValueMap,
  KeyValueStore,
  MapChange,
  QueryOptions,
  Stored,
  WriteOptions,
} from './key-value';
import { serialize } from './key-value';
import { applyQueryOptions, checkQueryOptions } from './query-order';

/**
 * Documents are stored as HazelcastJsonValue so the member can index and query them without any Java
 * class of ours on its classpath; the JSON string doubles as the compare-and-set token.
 */
export class HazelcastKeyValueMap<V> implements KeyValueMap<V> {
  constructor(
    readonly name: string,
    private readonly map: IMap<string, HazelcastJsonValue>,
  ) {}

  async get(key: string): Promise<Stored<V> | undefined> {
    return toStored<V>(await this.map.get(key));
  }

  async getAll(keys: readonly string[]): Promise<Map<string, Stored<V>>> {
    const found = new Map<string, Stored<V>>();
    if (keys.length === 0) return found;
    for (const [key, value] of await this.map.getAll([...keys])) {
      const stored = toStored<V>(value);
      if (stored) found.set(key, stored);
    }
    return found;
  }

  async putIfAbsent(key: string, value: V, options?: WriteOptions): Promise<Stored<V> | undefined> {
    const json = new HazelcastJsonValue(serialize(value));
    const existing = options?.ttlMs
      ? await this.map.putIfAbsent(key, json, options.ttlMs)
      : await this.map.putIfAbsent(key, json);
    return toStored<V>(existing);
  }

  async replace(key: string, expected: Stored<V>, next: V): Promise<boolean> {
    return this.map.replaceIfSame(
      key,
      new HazelcastJsonValue(expected.token),
      new HazelcastJsonValue(serialize(next)),
    );
  }

  async set(key: string, value: V, options?: WriteOptions): Promise<void> {
    const json = new HazelcastJsonValue(serialize(value));
    await (options?.ttlMs ? this.map.set(key, json, options.ttlMs) : this.map.set(key, json));
  }

  async setAll(entries: ReadonlyArray<readonly [string, V]>, options?: WriteOptions): Promise<void> {
    if (entries.length === 0) return;
    // IMap.setAll has no per-call TTL: with one, the entries go one by one.
    if (options?.ttlMs) {
      await Promise.all(entries.map(([key, value]) => this.set(key, value, options)));
      return;
    }
    await this.map.setAll(entries.map(([key, value]) => [key, new HazelcastJsonValue(serialize(value))]));
  }

  async delete(key: string): Promise<void> {
    await this.map.delete(key);
  }

  async deleteIfSame(key: string, expected: Stored<V>): Promise<boolean> {
    return this.map.remove(key, new HazelcastJsonValue(expected.token)) as Promise<boolean>;
  }

  async query(
    conditions: readonly Condition[],
    options: QueryOptions = {},
  ): Promise<Array<[string, Stored<V>]>> {
    checkQueryOptions(options);
    const base = conditions.length === 0 ? undefined : toPredicate(conditions);
    const { limit } = options;
    const entries =
      limit !== undefined
        ? await boundedEntries(this.map, base, { ...options, limit })
        : base
          ? await this.map.entrySetWithPredicate(base)
          : await this.map.entrySet();
    const found: Array<[string, Stored<V>]> = [];
    for (const [key, value] of entries) {
      const stored = toStored<V>(value);
      if (stored) found.push([key, stored]);
    }
    return applyQueryOptions(found, options);
  }

  async count(conditions: readonly Condition[]): Promise<number> {
    const counted =
      conditions.length === 0
        ? await this.map.aggregate(Aggregators.count())
        : await this.map.aggregateWithPredicate(Aggregators.count(), toPredicate(conditions));
    return Number(counted);
  }

  async keys(): Promise<string[]> {
    return this.map.keySet();
  }

  async size(): Promise<number> {
    return this.map.size();
  }

  async watch(onChange: (change: MapChange) => void): Promise<() => Promise<void>> {
    const entry = (event: { key: string }): void => onChange({ kind: 'entry', key: event.key });
    const all = (): void => onChange({ kind: 'all' });
    const id = await this.map.addEntryListener(
      {
        added: entry,
        updated: entry,
        removed: entry,
        evicted: entry,
        expired: entry,
        merged: entry,
        mapCleared: all,
        mapEvicted: all,
      },
      undefined,
      false,
    );
    return async () => {
      await this.map.removeEntryListener(id);
    };
  }

  async clear(): Promise<void> {
    await this.map.clear();
  }
}

function toStored<V>(value: HazelcastJsonValue | null | undefined): Stored<V> | undefined {
  if (value === null || value === undefined) return undefined;
  const token = value.toString();
  return { value: JSON.parse(token) as V, token };
}

function toPredicate(conditions: readonly Condition[]): Predicate {
  const predicates = conditions.map((condition): Predicate => {
    switch (condition.op) {
      case 'eq':
        return Predicates.equal(condition.field, condition.value);
      case 'in':
        return Predicates.inPredicate(condition.field, ...condition.value);
      case 'lt':
        return Predicates.lessThan(condition.field, condition.value);
      case 'lte':
        return Predicates.lessEqual(condition.field, condition.value);
      case 'gt':
        return Predicates.greaterThan(condition.field, condition.value);
      case 'gte':
        return Predicates.greaterEqual(condition.field, condition.value);
    }
  });
  return predicates.length === 1 ? predicates[0]! : Predicates.and(...predicates);
}

/** Proxies are cached by the client; this only adds the typed wrapper. */
export class HazelcastKeyValueStore implements KeyValueStore {
  private readonly maps = new Map<string, Promise<IMap<string, HazelcastJsonValue>>>();

  constructor(private readonly client: HazelcastClient) {}

  map<V>(name: string): KeyValueMap<V> {
    return new LazyMap<V>(name, () => this.proxy(name));
  }

  private proxy(name: string): Promise<IMap<string, HazelcastJsonValue>> {
    let proxy = this.maps.get(name);
    if (!proxy) {
      proxy = this.client.getMap<string, HazelcastJsonValue>(name);
      this.maps.set(name, proxy);
    }
    return proxy;
  }
}

/** Getting a proxy is async in the Node client; this hides it so maps can be named synchronously. */
class LazyMap<V> implements KeyValueMap<V> {
  private resolved: HazelcastKeyValueMap<V> | undefined;

  constructor(
    readonly name: string,
    private readonly open: () => Promise<IMap<string, HazelcastJsonValue>>,
  ) {}

  private async target(): Promise<HazelcastKeyValueMap<V>> {
    this.resolved ??= new HazelcastKeyValueMap<V>(this.name, await this.open());
    return this.resolved;
  }

  get = async (key: string) => (await this.target()).get(key);
  getAll = async (keys: readonly string[]) => (await this.target()).getAll(keys);
  putIfAbsent = async (key: string, value: V, options?: WriteOptions) =>
    (await this.target()).putIfAbsent(key, value, options);
  replace = async (key: string, expected: Stored<V>, next: V) =>
    (await this.target()).replace(key, expected, next);
  set = async (key: string, value: V, options?: WriteOptions) =>
    (await this.target()).set(key, value, options);
  setAll = async (entries: ReadonlyArray<readonly [string, V]>, options?: WriteOptions) =>
    (await this.target()).setAll(entries, options);
  delete = async (key: string) => (await this.target()).delete(key);
  deleteIfSame = async (key: string, expected: Stored<V>) =>
    (await this.target()).deleteIfSame(key, expected);
  query = async (conditions: readonly Condition[], options?: QueryOptions) =>
    (await this.target()).query(conditions, options);
  count = async (conditions: readonly Condition[]) => (await this.target()).count(conditions);
  keys = async () => (await this.target()).keys();
  size = async () => (await this.target()).size();
  clear = async () => (await this.target()).clear();
  watch = async (onChange: (change: MapChange) => void) => (await this.target()).watch(onChange);
}
