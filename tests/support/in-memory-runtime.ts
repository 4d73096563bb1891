import { ManualClock, type Clock } from '../../src/core/clock';
import { SequentialIds } from '../../src/core/ids';
import { Naming } from '../../src/core/naming';
import { silentLogger } from '../../src/logging/logger';
import { EventSourcingRuntime } from '../../src/runtime/event-sourcing-runtime';
import { InMemoryKeyValueStore } from '../../src/storage/in-memory-key-value';
import type { KeyValueStore } from '../../src/storage/key-value';
import { InMemoryStreamLogStore } from '../../src/storage/in-memory-stream-log';

/** An event-sourcing runtime on the in-memory storage, for unit tests of what is built on it. */
export function inMemoryRuntime(
  options: { service?: string; kv?: KeyValueStore; prefix?: string; clock?: Clock } = {},
) {
  return new EventSourcingRuntime({
    service: options.service ?? 'test',
    naming: new Naming(options.prefix ?? 't.'),
    kv: options.kv ?? new InMemoryKeyValueStore(),
    logs: new InMemoryStreamLogStore(),
    clock: options.clock ?? new ManualClock(),
    ids: new SequentialIds(),
    logger: silentLogger(),
    instanceId: 'one',
    streamPartitions: 2,
    outboxGraceMs: 1_000,
    outboxIntervalMs: 20,
    leaseMs: 3_000,
  });
}
