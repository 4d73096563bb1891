import type { KeyValueMap, KeyValueStore } from '../../src/storage/key-value';

/**
 * Makes some maps of a store unreachable on demand, as a lost connection to their members would: while
 * `down`, every call on them fails at once (only the `methods` named, when given).
 */
export class Outage {
  down = false;

  constructor(private readonly methods?: ReadonlySet<string>) {}

  kv(store: KeyValueStore, affected: (mapName: string) => boolean): KeyValueStore {
    return {
      map: <V>(name: string) => (affected(name) ? this.wrap(store.map<V>(name)) : store.map<V>(name)),
    };
  }

  private wrap<V>(target: KeyValueMap<V>): KeyValueMap<V> {
    return new Proxy(target, {
      get: (object, property, receiver) => {
        const value: unknown = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) =>
          this.down && (!this.methods || this.methods.has(String(property)))
            ? Promise.reject(new Error(`${object.name} unreachable`))
            : Promise.resolve(value.apply(object, args));
      },
    });
  }
}
