import type { ManualClock } from '../../../src/core/clock';
import type { FrameworkMetrics } from '../../../src/metrics/framework-metrics';
import type { EventSourcingRuntime } from '../../../src/runtime/event-sourcing-runtime';
import type { Naming } from '../../../src/core/naming';
import { partitionOf } from '../../../src/core/naming';
import { InMemoryKeyValueStore } from '../../../src/storage/in-memory-key-value';
import type { Checkpoint } from '../../../src/subscriptions/checkpoint';
import type { StreamEpoch } from '../../../src/subscriptions/stream-epochs';
import { StreamEpochs } from '../../../src/subscriptions/stream-epochs';
import { until } from '../../core/catch-up-contract';
import { CatchUpScene } from '../../core/catch-up-scene';
import { RecreatableLogs } from '../../core/recreatable-logs';
import { stockDecider } from '../../core/stock-fixture';

const PARTITIONS = 2;
const STREAM = 'Stock';
const GROUP = 'readers';
const meta = { correlationId: 'c-1' };

let scene: CatchUpScene;
let clock: ManualClock;
let kv: InMemoryKeyValueStore;
let logs: RecreatableLogs;
let naming: Naming;
let writer: EventSourcingRuntime;
let handled: string[];
let metrics: FrameworkMetrics;

beforeEach(() => {
  kv = new InMemoryKeyValueStore();
  logs = new RecreatableLogs(1_000);
  scene = new CatchUpScene({ kv, logs, prefix: 't.', group: GROUP, stream: STREAM, partitions: PARTITIONS });
  ({ clock, naming, writer, handled, metrics } = scene);
});

afterEach(() => scene.close());

const stock = () => writer.repository(STREAM, stockDecider);
const ringName = (partition: number) => scene.ringName(partition);
const checkpoints = () => kv.map<Checkpoint>(naming.checkpoints());
const checkpoint = async (partition: number) =>
  (await checkpoints().get(`${GROUP}|${STREAM}|${partition}`))?.value;
const epochs = () => kv.map<StreamEpoch>(naming.streamEpochs());

/** Opens each aggregate, `gapMs` apart in commit time, and waits until all are published. */
const open = async (ids: readonly string[], gapMs = 1) => {
  const repository = stock();
  for (const id of ids) {
    clock.advance(gapMs);
    await repository.handle(id, { type: 'Open', level: 10 }, meta);
  }
  await writer.close(); // drains the outbox
  return repository;
};

const idsIn = (partition: number, count: number, from = 0): string[] => {
  const ids: string[] = [];
  for (let index = from; ids.length < count; index++)
    if (partitionOf(`s${index}`, PARTITIONS) === partition) ids.push(`s${index}`);
  return ids;
};

const lag = async () =>
  (await metrics.subscriptionLag.get()).values.reduce((total, value) => total + value.value, 0);

describe('partition worker', () => {
  test('a new group starts at the oldest item held and checkpoints its epoch and commit time at once', async () => {
    await open(idsIn(0, 2));
    const oldest = JSON.parse((await logs.log(ringName(0)).read(0, 1, false)).items[0]!.value) as {
      committedAt: number;
    };
    await scene.startReaders({ catchUpPageSize: 3 });
    await until(async () => (await checkpoint(0)) !== undefined && (await checkpoint(1)) !== undefined);
    const epoch0 = (await epochs().get(ringName(0)))?.value.epoch;
    expect(epoch0).toEqual(expect.any(String));
    const first = await checkpoint(0);
    expect(first?.epoch).toBe(epoch0);
    expect(first?.committedAt).toBeGreaterThanOrEqual(oldest.committedAt);
    // Partition 1 holds nothing yet: its commit time is the moment it began.
    expect((await checkpoint(1))?.committedAt).toBe(clock.now());
    await until(() => handled.length === 2);
  });

  test('a ringbuffer recreated under a surviving epoch entry (its tail behind the checkpoint) gets a new epoch', async () => {
    const repository = await open(idsIn(0, 4));
    const group = await scene.startReaders({ catchUpPageSize: 3 });
    await until(() => handled.length === 4);
    await scene.stop(group);
    const before = (await epochs().get(ringName(0)))!.value.epoch;

    logs.lose(ringName(0)); // the ringbuffer only: its epoch entry survives
    clock.advance(5);
    await repository.handle(idsIn(0, 1)[0]!, { type: 'Take', by: 'x' }, meta);
    await writer.close();
    expect(await logs.log(ringName(0)).tailSequence()).toBe(0);

    await scene.startReaders({ catchUpPageSize: 3 });
    await until(async () => handled.length === 5 && (await checkpoint(0))?.sequence === 1);
    expect([...handled].sort()).toEqual(
      [...idsIn(0, 4).map((id) => `${id}@1`), `${idsIn(0, 1)[0]}@2`].sort(),
    );
    const after = (await epochs().get(ringName(0)))!.value.epoch;
    expect(after).not.toBe(before);
    expect((await checkpoint(0))?.epoch).toBe(after);
    const recreated = (await metrics.caughtUpCommits.get()).values.filter(
      (v) => v.labels.reason === 'recreated',
    );
    expect(recreated.reduce((total, value) => total + value.value, 0)).toBeGreaterThan(0);
  });

  test('an interrupted catch-up resumes from its cursor, not from the start', async () => {
    const ids = idsIn(0, 10);
    await open(ids, 10_000); // 10 s apart in commit time
    const epoch = await new StreamEpochs(epochs(), clock).current(ringName(0));
    const tail = await logs.log(ringName(0)).tailSequence();
    const view = await writer.eventStore(STREAM).commitsBetween(0, clock.now() + 1);
    const cursor = view[6]!.committedAt;
    // A catch-up that had delivered everything before the 7th commit when its process died.
    await checkpoints().set(`${GROUP}|${STREAM}|0`, {
      sequence: tail + 1,
      epoch,
      committedAt: clock.now(),
      catchUpFrom: cursor,
    });

    await scene.startReaders({ catchUpPageSize: 3, catchUpMarginMs: 1_000 });
    await until(async () => handled.length === 4 && (await checkpoint(0))?.catchUpFrom === undefined);
    expect([...handled].sort()).toEqual(
      view
        .slice(6)
        .map((commit) => `${commit.aggregateId}@1`)
        .sort(),
    );
  });

  test('while it catches up, the lag counts what is left in the event store; afterwards it is 0', async () => {
    const ids = idsIn(0, 12);
    const repository = await open(ids.slice(0, 1));
    const group = await scene.startReaders({ catchUpPageSize: 3 });
    await until(() => handled.length === 1);
    await scene.stop(group);
    logs.lose(ringName(0));
    await epochs().delete(ringName(0));
    for (const id of ids.slice(1)) {
      clock.advance(1);
      await repository.handle(id, { type: 'Open', level: 10 }, meta);
    }
    await writer.close();

    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const blocked = `${ids[6]}@1`;
    await scene.startReaders({
      catchUpPageSize: 3,
      handle: async (event) => {
        if (`${event.key}@${event.version}` === blocked) await gate;
        handled.push(`${event.key}@${event.version}`);
      },
    });
    await until(() => handled.length >= 6);
    expect(await lag()).toBeGreaterThan(0);
    release();
    await until(async () => handled.length === ids.length && (await lag()) === 0);
    expect([...handled].sort()).toEqual(ids.map((id) => `${id}@1`).sort());
  });
});
