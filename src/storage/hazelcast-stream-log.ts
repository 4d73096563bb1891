import type { Client as HazelcastClient, Ringbuffer } from 'hazelcast-client';
import { OperationTimeoutError } from 'hazelcast-client';
import type { StreamLog, StreamLogStore, StreamRead } from './stream-log';

/** A Hazelcast Ringbuffer of JSON strings. */
export class HazelcastStreamLog implements StreamLog {
  private ring: Promise<Ringbuffer<string>> | undefined;

  constructor(
    readonly name: string,
    private readonly client: HazelcastClient,
  ) {}

  private ringbuffer(): Promise<Ringbuffer<string>> {
    this.ring ??= this.client.getRingbuffer<string>(this.name);
    return this.ring;
  }

  async append(value: string): Promise<number> {
    return (await (await this.ringbuffer()).add(value)).toNumber();
  }

  async read(from: number, maxCount: number, wait: boolean): Promise<StreamRead> {
    const ring = await this.ringbuffer();
    try {
      const result = await ring.readMany(from, wait ? 1 : 0, maxCount);
      const items: Array<{ sequence: number; value: string }> = [];
      for (let index = 0; index < result.size(); index++) {
        items.push({ sequence: result.getSequence(index).toNumber(), value: result.get(index) });
      }
      return { items, nextSequence: result.getNextSequenceToReadFrom().toNumber() };
    } catch (error) {
      // A blocking read that saw nothing before the invocation timeout is an empty read, not a failure.
      if (error instanceof OperationTimeoutError) return { items: [], nextSequence: from };
      throw error;
    }
  }

  async headSequence(): Promise<number> {
    return (await (await this.ringbuffer()).headSequence()).toNumber();
  }

  async tailSequence(): Promise<number> {
    return (await (await this.ringbuffer()).tailSequence()).toNumber();
  }

  async capacity(): Promise<number> {
    return (await (await this.ringbuffer()).capacity()).toNumber();
  }
}

export class HazelcastStreamLogStore implements StreamLogStore {
  private readonly logs = new Map<string, HazelcastStreamLog>();

  constructor(private readonly client: HazelcastClient) {}

  log(name: string): StreamLog {
    let log = this.logs.get(name);
    if (!log) {
      log = new HazelcastStreamLog(name, this.client);
      this.logs.set(name, log);
    }
    return log;
  }
}
