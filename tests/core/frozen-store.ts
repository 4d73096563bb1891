import type { KeyValueMap, KeyValueStore } from '../../src/storage/key-value';
import type { StreamLog, StreamLogStore } from '../../src/storage/stream-log';

/**
 * Fault injection for "the process died here": once frozen, every call through these wrappers never
 * settles, exactly what the rest of the cluster sees of a killed process.
 */
export class Freezer {
  private frozen = false;
  private readonly never = new Promise<never>(() => undefined);

  freeze(): void {
    this.frozen = true;
  }

  guard<T>(call: () => Promise<T>): Promise<T> {
    return this.frozen ? this.never : call().then((value) => (this.frozen ? this.never : value));
  }

  kv(store: KeyValueStore): KeyValueStore {
    return { map: <V>(name: string) => this.wrap(store.map<V>(name)) };
  }

  logs(store: StreamLogStore): StreamLogStore {
    return { log: (name: string) => this.wrap<StreamLog>(store.log(name)) };
  }

  private wrap<T extends object>(target: T): T {
    return new Proxy(target, {
      get: (object, property, receiver) => {
        const value: unknown = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => this.guard(() => Promise.resolve(value.apply(object, args)));
      },
    });
  }
}

export type { KeyValueMap };
