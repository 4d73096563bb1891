import { InMemoryStreamLog } from '../../src/storage/in-memory-stream-log';
import type { StreamLog, StreamLogStore, StreamRead } from '../../src/storage/stream-log';

/**
 * In-memory stream partitions that a test can lose, as a member loss loses a ringbuffer: whoever holds the
 * log goes on using it, and finds it empty at sequence 0. A read parked on the lost one never wakes.
 */
export class RecreatableLogs implements StreamLogStore {
  private readonly rings = new Map<string, InMemoryStreamLog>();

  constructor(readonly capacity: number) {}

  log(name: string): StreamLog {
    const ring = (): InMemoryStreamLog => {
      let found = this.rings.get(name);
      if (!found) {
        found = new InMemoryStreamLog(name, this.capacity);
        this.rings.set(name, found);
      }
      return found;
    };
    return {
      name,
      append: (value: string): Promise<number> => ring().append(value),
      read: (from: number, maxCount: number, wait: boolean): Promise<StreamRead> =>
        ring().read(from, maxCount, wait),
      headSequence: () => ring().headSequence(),
      tailSequence: () => ring().tailSequence(),
      capacity: () => ring().capacity(),
    };
  }

  lose(name: string): void {
    this.rings.delete(name);
  }
}
