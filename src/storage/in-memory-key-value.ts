import type { Clock } from '../core/clock';
import { systemClock } from '../core/clock';
import type {
  Condition,
  KeyValueMap,
  KeyValueStore,
  MapChange,
  QueryOptions,
  Stored,
  WriteOptions,
} from './key-value';
import { matches, serialize } from './key-value';
import { applyQueryOptions } from './query-order';

interface Slot {
  token: string;
  expiresAt: number | undefined;
}

/** Same contract as the Hazelcast maps, kept in process: values round-trip through JSON like the real thing. */
export class InMemoryKeyValueMap<V> implements KeyValueMap<V> {
  private readonly slots = new Map<string, Slot>();
  private readonly watchers = new Set<(change: MapChange) => void>();

  constructor(
    readonly name: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async get(key: string): Promise<Stored<V> | undefined> {
    return this.read(key);
  }

  async getAll(keys: readonly string[]): Promise<Map<string, Stored<V>>> {
    const found = new Map<string, Stored<V>>();
    for (const key of keys) {
      const entry = this.read(key);
      if (entry) found.set(key, entry);
    }
    return found;
  }

  async putIfAbsent(key: string, value: V, options?: WriteOptions): Promise<Stored<V> | undefined> {
    const existing = this.read(key);
    if (existing) return existing;
    this.write(key, value, options);
    return undefined;
  }

  async replace(key: string, expected: Stored<V>, next: V): Promise<boolean> {
    const slot = this.live(key);
    if (!slot || slot.token !== expected.token) return false;
    this.slots.set(key, { token: serialize(next), expiresAt: slot.expiresAt });
    this.notify({ kind: 'entry', key });
    return true;
  }

  async set(key: string, value: V, options?: WriteOptions): Promise<void> {
    this.write(key, value, options);
  }

  async setAll(entries: ReadonlyArray<readonly [string, V]>, options?: WriteOptions): Promise<void> {
    for (const [key, value] of entries) this.write(key, value, options);
  }

  async delete(key: string): Promise<void> {
    if (this.slots.delete(key)) this.notify({ kind: 'entry', key });
  }

  async deleteIfSame(key: string, expected: Stored<V>): Promise<boolean> {
    const slot = this.live(key);
    if (!slot || slot.token !== expected.token) return false;
    this.slots.delete(key);
    this.notify({ kind: 'entry', key });
    return true;
  }

  async query(
    conditions: readonly Condition[],
    options: QueryOptions = {},
  ): Promise<Array<[string, Stored<V>]>> {
    return applyQueryOptions(this.matching(conditions), options);
  }

  async count(conditions: readonly Condition[]): Promise<number> {
    return this.matching(conditions).length;
  }

  async keys(): Promise<string[]> {
    return [...this.slots.keys()].filter((key) => this.live(key));
  }

  async size(): Promise<number> {
    return (await this.keys()).length;
  }

  async clear(): Promise<void> {
    this.slots.clear();
    this.notify({ kind: 'all' });
  }

  async watch(onChange: (change: MapChange) => void): Promise<() => Promise<void>> {
    // A fresh function per call, so one callback watching twice needs two stops, as with Hazelcast.
    const watcher = (change: MapChange): void => onChange(change);
    this.watchers.add(watcher);
    return async () => {
      this.watchers.delete(watcher);
    };
  }

  /** What the member would evaluate; only what a query returns is "shipped" to the caller. */
  private matching(conditions: readonly Condition[]): Array<[string, Stored<V>]> {
    const found: Array<[string, Stored<V>]> = [];
    for (const key of [...this.slots.keys()]) {
      const entry = this.read(key);
      if (entry && matches(entry.value, conditions)) found.push([key, entry]);
    }
    return found;
  }

  private write(key: string, value: V, options?: WriteOptions): void {
    const expiresAt = options?.ttlMs ? this.clock.now() + options.ttlMs : undefined;
    this.slots.set(key, { token: serialize(value), expiresAt });
    this.notify({ kind: 'entry', key });
  }

  /** Delivered after the write returns, as a member's event would be. */
  private notify(change: MapChange): void {
    for (const watcher of this.watchers) queueMicrotask(() => watcher(change));
  }

  private live(key: string): Slot | undefined {
    const slot = this.slots.get(key);
    if (slot?.expiresAt !== undefined && slot.expiresAt <= this.clock.now()) {
      this.slots.delete(key);
      this.notify({ kind: 'entry', key });
      return undefined;
    }
    return slot;
  }

  private read(key: string): Stored<V> | undefined {
    const slot = this.live(key);
    return slot ? { value: JSON.parse(slot.token) as V, token: slot.token } : undefined;
  }
}

export class InMemoryKeyValueStore implements KeyValueStore {
  private readonly maps = new Map<string, InMemoryKeyValueMap<unknown>>();

  constructor(private readonly clock: Clock = systemClock) {}

  map<V>(name: string): KeyValueMap<V> {
    let map = this.maps.get(name);
    if (!map) {
      map = new InMemoryKeyValueMap<unknown>(name, this.clock);
      this.maps.set(name, map);
    }
    return map as KeyValueMap<V>;
  }
}
