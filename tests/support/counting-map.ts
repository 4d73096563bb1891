import type {
  Condition,
  KeyValueMap,
  KeyValueStore,
  QueryOptions,
  Stored,
} from '../../src/storage/key-value';

/** What a CountingMap has handed out: documents in all, and the most in any one read. */
export interface Reads {
  documents: number;
  largest: number;
}

/**
 * A map that counts the documents each read hands back (get, getAll, query; counts ship none), over any
 * other map: what a test checks to prove a path reads a page, not the whole map.
 */
export class CountingMap<V> implements KeyValueMap<V> {
  readonly reads: Reads = { documents: 0, largest: 0 };
  /** putIfAbsent calls: on an event store, the appends tried (a conflict is one more). */
  inserts = 0;

  constructor(private readonly inner: KeyValueMap<V>) {}

  get name(): string {
    return this.inner.name;
  }

  reset(): void {
    this.reads.documents = 0;
    this.reads.largest = 0;
    this.inserts = 0;
  }

  private counted<T>(documents: number, result: T): T {
    this.reads.documents += documents;
    this.reads.largest = Math.max(this.reads.largest, documents);
    return result;
  }

  async get(key: string) {
    const found = await this.inner.get(key);
    return this.counted(found ? 1 : 0, found);
  }
  async getAll(keys: readonly string[]) {
    const found = await this.inner.getAll(keys);
    return this.counted(found.size, found);
  }
  async query(conditions: readonly Condition[], options?: QueryOptions) {
    const found = await this.inner.query(conditions, options);
    return this.counted(found.length, found);
  }
  count = (conditions: readonly Condition[]) => this.inner.count(conditions);
  putIfAbsent = (...args: Parameters<KeyValueMap<V>['putIfAbsent']>) => {
    this.inserts++;
    return this.inner.putIfAbsent(...args);
  };
  replace = (key: string, expected: Stored<V>, next: V) => this.inner.replace(key, expected, next);
  set = (...args: Parameters<KeyValueMap<V>['set']>) => this.inner.set(...args);
  setAll = (...args: Parameters<KeyValueMap<V>['setAll']>) => this.inner.setAll(...args);
  delete = (key: string) => this.inner.delete(key);
  deleteIfSame = (key: string, expected: Stored<V>) => this.inner.deleteIfSame(key, expected);
  keys = () => this.inner.keys();
  size = () => this.inner.size();
  clear = () => this.inner.clear();
  watch = (...args: Parameters<KeyValueMap<V>['watch']>) => this.inner.watch(...args);
}

/** A store whose maps named by `counts` are CountingMaps (one per name, so a test can read its counts). */
export class CountingStore implements KeyValueStore {
  private readonly counting = new Map<string, CountingMap<unknown>>();

  constructor(
    private readonly inner: KeyValueStore,
    private readonly counts: (name: string) => boolean,
  ) {}

  map<V>(name: string): KeyValueMap<V> {
    if (!this.counts(name)) return this.inner.map<V>(name);
    let map = this.counting.get(name);
    if (!map) {
      map = new CountingMap(this.inner.map<unknown>(name));
      this.counting.set(name, map);
    }
    return map as KeyValueMap<V>;
  }

  counted(name: string): CountingMap<unknown> {
    const map = this.counting.get(name);
    if (!map) throw new Error(`no counting map named ${name} was opened`);
    return map;
  }
}
