import type { StreamLog, StreamLogStore, StreamRead } from './stream-log';

/** A bounded in-process ring, with the same overwrite and waiting behaviour as a Hazelcast Ringbuffer. */
export class InMemoryStreamLog implements StreamLog {
  private readonly items: string[] = [];
  private head = 0;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly name: string,
    private readonly limit = 10_000,
  ) {}

  async append(value: string): Promise<number> {
    this.items.push(value);
    if (this.items.length > this.limit) {
      this.items.shift();
      this.head += 1;
    }
    const sequence = this.head + this.items.length - 1;
    for (const wake of [...this.waiters]) wake();
    return sequence;
  }

  async read(from: number, maxCount: number, wait: boolean): Promise<StreamRead> {
    const tail = this.head + this.items.length - 1;
    if (from > tail + 1) throw new RangeError(`sequence ${from} is past the tail ${tail} of ${this.name}`);
    if (wait && from > tail) await this.nextAppend();
    const start = Math.max(from, this.head);
    const slice = this.items.slice(start - this.head, start - this.head + maxCount);
    return {
      items: slice.map((value, index) => ({ sequence: start + index, value })),
      nextSequence: start + slice.length,
    };
  }

  async headSequence(): Promise<number> {
    return this.head;
  }

  async tailSequence(): Promise<number> {
    return this.head + this.items.length - 1;
  }

  async capacity(): Promise<number> {
    return this.limit;
  }

  private nextAppend(): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.waiters.delete(wake);
        resolve();
      };
      this.waiters.add(wake);
    });
  }
}

export class InMemoryStreamLogStore implements StreamLogStore {
  private readonly logs = new Map<string, InMemoryStreamLog>();

  constructor(private readonly capacity = 10_000) {}

  log(name: string): StreamLog {
    let log = this.logs.get(name);
    if (!log) {
      log = new InMemoryStreamLog(name, this.capacity);
      this.logs.set(name, log);
    }
    return log;
  }
}
