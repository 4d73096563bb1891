import type { ManualClock } from '../../src/core/clock';
import type { Naming } from '../../src/core/naming';
import { partitionOf } from '../../src/core/naming';
import type { EventSourcingRuntime } from '../../src/runtime/event-sourcing-runtime';
import type { KeyValueStore } from '../../src/storage/key-value';
import type { StreamLogStore } from '../../src/storage/stream-log';
import type { Checkpoint } from '../../src/subscriptions/checkpoint';
import { CatchUpScene } from './catch-up-scene';
import { stockDecider } from './stock-fixture';

export interface CatchUpBackend {
  readonly kv: KeyValueStore;
  readonly logs: StreamLogStore;
  /** A fresh name prefix per test whose stream partitions hold only `capacity` items. */
  readonly prefix: () => string;
  readonly capacity: number;
  /** Loses a ringbuffer as the loss of its members would: its next user finds it empty, at sequence 0. */
  readonly loseRing: (name: string) => Promise<void>;
}

const PARTITIONS = 2;
const STREAM = 'Stock';
const meta = { correlationId: 'c-1' };

/** Waits for a condition by polling the state it depends on (no fixed sleeps). */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * The consumer group's promise, stated once and run on every backend: however long a group was down,
 * and even when its ringbuffers were lost, it handles every event of the stream exactly once.
 */
export function describeCatchUpContract(backendName: string, backend: () => CatchUpBackend): void {
  describe(`consumer-group catch-up on ${backendName}`, () => {
    let scene: CatchUpScene;
    let clock: ManualClock;
    let prefix: string;
    let naming: Naming;
    let writer: EventSourcingRuntime;
    let handled: string[];

    beforeEach(() => {
      prefix = backend().prefix();
      const { kv, logs } = backend();
      scene = new CatchUpScene({
        kv,
        logs,
        prefix,
        group: `${prefix}readers`,
        stream: STREAM,
        partitions: PARTITIONS,
      });
      ({ clock, naming, writer, handled } = scene);
    });

    afterEach(() => scene.close());

    const stock = () => writer.repository(STREAM, stockDecider);
    const ringName = (partition: number) => scene.ringName(partition);
    const checkpoint = async (partition: number) =>
      (
        await backend()
          .kv.map<Checkpoint>(naming.checkpoints())
          .get(`${prefix}readers|${STREAM}|${partition}`)
      )?.value;

    /** Three aggregates in each partition, each with plenty of stock to take from. */
    const aggregates = (() => {
      const ids: string[] = [];
      const per = new Map<number, number>();
      for (let index = 0; ids.length < 3 * PARTITIONS; index++) {
        const id = `s${index}`;
        const partition = partitionOf(id, PARTITIONS);
        if ((per.get(partition) ?? 0) >= 3) continue;
        per.set(partition, (per.get(partition) ?? 0) + 1);
        ids.push(id);
      }
      return ids;
    })();

    let taken = 0;
    /** `count` commits round-robin over the aggregates, a few ms apart, all published before it resolves. */
    const write = async (count: number, repository: ReturnType<typeof stock>) => {
      for (let index = 0; index < count; index++) {
        clock.advance(3);
        await repository.handle(
          aggregates[index % aggregates.length]!,
          { type: 'Take', by: `t${taken++}` },
          meta,
        );
      }
      await writer.close(); // drains the outbox
    };

    const open = async () => {
      const repository = stock();
      for (const id of aggregates) await repository.handle(id, { type: 'Open', level: 10_000 }, meta);
      await writer.close();
      return repository;
    };

    /** Every event in the store, as the handler records them. */
    const everyEvent = async () => {
      const all: string[] = [];
      for (const id of aggregates)
        for (const event of await writer.eventStore(STREAM).events(id)) all.push(`${id}@${event.version}`);
      return all.sort();
    };

    /** Every partition's checkpoint is at its ringbuffer's tail: nothing more can arrive. */
    const drained = async () => {
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const tail = await backend().logs.log(ringName(partition)).tailSequence();
        const at = await checkpoint(partition);
        if (at?.sequence !== tail + 1 || at.catchUpFrom !== undefined) return false;
      }
      return true;
    };

    const expectEveryEventOnce = async () => {
      const expected = await everyEvent();
      await until(async () => handled.length >= expected.length && (await drained()));
      expect([...handled].sort()).toEqual(expected);
    };

    const caughtUp = (reason: string) => scene.caughtUp(reason);

    const loseRings = async () => {
      const epochs = backend().kv.map(naming.streamEpochs());
      for (let partition = 0; partition < PARTITIONS; partition++) {
        // The epoch entry lives in the ringbuffer's partition: a loss takes both.
        await backend().loseRing(ringName(partition));
        await epochs.delete(ringName(partition));
      }
    };

    test('a group down past the ringbuffer capacity catches up from the event store, every event once', async () => {
      const repository = await open();
      const group = await scene.startReaders();
      await until(() => handled.length === aggregates.length);
      await scene.stop(group);

      await write(4 * backend().capacity * PARTITIONS, repository);
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const log = backend().logs.log(ringName(partition));
        expect(await log.headSequence()).toBeGreaterThan((await checkpoint(partition))!.sequence);
      }

      await scene.startReaders();
      await expectEveryEventOnce();
      expect(await caughtUp('overrun')).toBeGreaterThan(0);
      // Later commits come from the ringbuffer again, once each.
      await write(PARTITIONS * 3, repository);
      await expectEveryEventOnce();
    });

    test('a group whose ringbuffers were lost while it was down catches up from its checkpoint, nothing lost or repeated', async () => {
      const repository = await open();
      const group = await scene.startReaders();
      await until(() => handled.length === aggregates.length);
      await scene.stop(group);
      const before = await Promise.all([0, 1].map(checkpoint));

      // Published to the old ringbuffers (flagged published), never read by the group.
      await write(backend().capacity / 2, repository);
      // Committed in the old epoch by a process that died before publishing.
      const orphan = aggregates[0]!;
      const version = (await writer.eventStore(STREAM).events(orphan)).length;
      const appended = await writer.eventStore(STREAM).append(
        orphan,
        version,
        [
          {
            eventId: 'orphan',
            eventType: 'Taken',
            eventVersion: 1,
            source: STREAM,
            key: orphan,
            version: version + 1,
            timestamp: new Date(clock.now()).toISOString(),
            correlationId: 'c-2',
            isCompensating: false,
            payload: { by: 'ghost' },
          },
        ],
        clock.now(),
      );
      expect(appended.ok).toBe(true);

      await loseRings();
      // The new incarnations run past the old checkpoints' sequences before the group is back.
      await write(backend().capacity, repository);
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const tail = await backend().logs.log(ringName(partition)).tailSequence();
        expect(tail + 1).toBeGreaterThan(before[partition]!.sequence);
      }
      clock.advance(2_000);
      await writer.start(); // its sweeper publishes the orphan into the new ringbuffer

      await scene.startReaders();
      await expectEveryEventOnce();
      expect(handled).toContain(`${orphan}@${version + 1}`);
      expect(await caughtUp('epoch')).toBeGreaterThan(0);
      const after = await Promise.all([0, 1].map(checkpoint));
      for (let partition = 0; partition < PARTITIONS; partition++)
        expect(after[partition]!.epoch).not.toBe(before[partition]!.epoch);
    });

    test('a running group notices its ringbuffers were lost and catches up, nothing lost or repeated', async () => {
      const repository = await open();
      await scene.startReaders();
      await until(() => handled.length === aggregates.length);
      await write(PARTITIONS * 2, repository);
      await expectEveryEventOnce();

      const before = await Promise.all([0, 1].map(checkpoint));

      await loseRings();
      await write(backend().capacity * PARTITIONS, repository);
      await expectEveryEventOnce();
      expect((await caughtUp('epoch')) + (await caughtUp('recreated'))).toBeGreaterThan(0);
      const epochs = backend().kv.map<{ epoch: string }>(naming.streamEpochs());
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const current = (await epochs.get(ringName(partition)))?.value.epoch;
        expect(current).not.toBe(before[partition]!.epoch);
        expect((await checkpoint(partition))?.epoch).toBe(current);
      }
    });
  });
}
