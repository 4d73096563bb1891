import { Registry } from 'prom-client';
import { ManualClock } from '../../src/core/clock';
import { SequentialIds } from '../../src/core/ids';
import { Naming } from '../../src/core/naming';
import type { EventEnvelope } from '../../src/events/envelope';
import { silentLogger } from '../../src/logging/logger';
import { FrameworkMetrics } from '../../src/metrics/framework-metrics';
import { EventSourcingRuntime } from '../../src/runtime/event-sourcing-runtime';
import type { KeyValueStore } from '../../src/storage/key-value';
import type { StreamLogStore } from '../../src/storage/stream-log';
import type { ConsumerGroupOptions } from '../../src/subscriptions/consumer-group';
import { ConsumerGroup } from '../../src/subscriptions/consumer-group';

export interface SceneOptions {
  readonly kv: KeyValueStore;
  readonly logs: StreamLogStore;
  readonly prefix: string;
  readonly group: string;
  readonly stream: string;
  readonly partitions: number;
}

/**
 * What the catch-up tests share: a writer (aggregates, outbox, sweeper) and consumer groups of readers that
 * record what they handle, on one manual clock. Readers check epochs quickly and read small catch-up pages,
 * so a few dozen commits walk several pages; their leases last long, since the clock only moves when told.
 */
export class CatchUpScene {
  readonly clock = new ManualClock();
  readonly naming: Naming;
  readonly metrics = new FrameworkMetrics('test', new Registry());
  readonly writer: EventSourcingRuntime;
  /** Every event handled, as `<aggregate>@<version>`. */
  readonly handled: string[] = [];
  private readonly running: ConsumerGroup[] = [];

  constructor(private readonly options: SceneOptions) {
    this.naming = new Naming(options.prefix);
    this.writer = new EventSourcingRuntime({
      service: 'writer',
      naming: this.naming,
      kv: options.kv,
      logs: options.logs,
      clock: this.clock,
      ids: new SequentialIds(),
      logger: silentLogger(),
      instanceId: 'writer',
      streamPartitions: options.partitions,
      outboxGraceMs: 1_000,
      outboxIntervalMs: 20,
      leaseMs: 60_000,
    });
  }

  ringName(partition: number): string {
    return this.naming.streamPartition(this.options.stream, partition);
  }

  async startReaders(options: Partial<ConsumerGroupOptions> = {}): Promise<ConsumerGroup> {
    const { kv, logs, group, stream, partitions } = this.options;
    const readers = new ConsumerGroup({
      group,
      streams: [stream],
      partitions,
      handle: async (event: EventEnvelope) => void this.handled.push(`${event.key}@${event.version}`),
      naming: this.naming,
      kv,
      logs,
      eventStore: (name) => this.writer.eventStore(name),
      clock: this.clock,
      logger: silentLogger(),
      instanceId: `reader-${this.running.length}`,
      metrics: this.metrics,
      leaseMs: 60_000,
      epochCheckMs: 20,
      catchUpPageSize: 4,
      ...options,
    });
    this.running.push(readers);
    await readers.start();
    return readers;
  }

  /** The group is down: it gives its partitions back and reads nothing until started again. */
  async stop(readers: ConsumerGroup): Promise<void> {
    await readers.close();
    this.running.splice(this.running.indexOf(readers), 1);
  }

  async close(): Promise<void> {
    await Promise.all([...this.running].map((readers) => this.stop(readers)));
    await this.writer.close();
  }

  /** Commits read back from the event store by catch-ups, for one reason. */
  async caughtUp(reason: string): Promise<number> {
    return (await this.metrics.caughtUpCommits.get()).values
      .filter((value) => value.labels.reason === reason)
      .reduce((total, value) => total + value.value, 0);
  }
}
