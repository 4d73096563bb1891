import pino from 'pino';
import { ManualClock } from '../../src/core/clock';
import type { EventEnvelope } from '../../src/events/envelope';
import type { KeyValueStore } from '../../src/storage/key-value';
import type { StreamLogStore } from '../../src/storage/stream-log';
import type { Checkpoint } from '../../src/subscriptions/checkpoint';
import type { ConsumerGroup } from '../../src/subscriptions/consumer-group';
import { until } from './catch-up-contract';
import { CatchUpScene } from './catch-up-scene';
import { Outage } from './outage';
import { stockDecider } from './stock-fixture';

export interface ExactlyOnceBackend {
  readonly kv: KeyValueStore;
  readonly logs: StreamLogStore;
  /** A fresh name prefix per test, so tests sharing a real cluster never see each other's data. */
  readonly prefix: () => string;
}

const STREAM = 'Stock';
const LEASE_MS = 3_000;
const meta = { correlationId: 'c-1' };

/** Warnings and errors a replica logged, one JSON line each. */
const capturedLogger = (lines: string[]) =>
  pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });

const recordInto = (handled: string[]) => async (event: EventEnvelope) =>
  void handled.push(`${event.key}@${event.version}`);

/**
 * A consumer group's "once" under faults, stated once and run on every backend: an owner that lost its
 * partition lease handles nothing more and cannot move the checkpoint, and nothing the group acted on is
 * handled again by a replay of its history, whatever became of its (expiring) ledger.
 */
export function describeExactlyOnceContract(backendName: string, backend: () => ExactlyOnceBackend): void {
  describe(`consumer-group exactly-once on ${backendName}`, () => {
    let scene: CatchUpScene;
    let prefix: string;
    let outage: Outage;

    const open = (partitions: number, group: string) => {
      prefix = backend().prefix();
      const { kv, logs } = backend();
      scene = new CatchUpScene({ kv, logs, prefix, group: `${prefix}${group}`, stream: STREAM, partitions });
      outage = new Outage();
      return scene;
    };
    afterEach(async () => {
      outage.down = false;
      await scene.close();
    });

    const stock = () => scene.writer.repository(STREAM, stockDecider);
    const checkpoints = () => backend().kv.map<Checkpoint>(scene.naming.checkpoints());
    const checkpointOf = async (group: string, partition = 0) =>
      (await checkpoints().get(`${prefix}${group}|${STREAM}|${partition}`))?.value;
    /** A replica whose lease map goes unreachable with the outage (its other maps stay reachable). */
    const cutOffReplica = (options: Parameters<CatchUpScene['startReaders']>[0]) =>
      scene.startReaders({
        kv: outage.kv(backend().kv, (name) => name === scene.naming.leases()),
        leaseMs: LEASE_MS,
        ...options,
      });
    /** Cuts the old owner off its lease store and moves every other clock past its lease: a new one takes over. */
    const takeOver = async (handled: string[]) => {
      outage.down = true;
      scene.clock.advance(LEASE_MS + 1);
      const taker = await scene.startReaders({
        instanceId: 'new',
        leaseMs: LEASE_MS,
        checkpointEveryMs: 0,
        handle: recordInto(handled),
      });
      expect(taker.ownedPartitions()).toHaveLength(1);
      return taker;
    };
    /** s1 opened and taken from twice: three events. */
    const threeEvents = async () => {
      await stock().handle('s1', { type: 'Open', level: 10 }, meta);
      await take('t0', 't1');
    };
    const take = async (...takers: string[]) => {
      for (const by of takers) await stock().handle('s1', { type: 'Take', by }, meta);
      await scene.writer.close(); // drains the outbox
    };

    test('an owner that cannot renew its lease stops handling before another replica takes the partition', async () => {
      open(1, 'fenced');
      const byOld: string[] = [];
      const byNew: string[] = [];
      const oldLines: string[] = [];
      const old = await cutOffReplica({
        instanceId: 'old',
        checkpointEveryMs: 0,
        handle: recordInto(byOld),
        logger: capturedLogger(oldLines),
      });
      await threeEvents();
      await until(() => byOld.length === 3);

      // The old owner's renewals fail from now on, and its lease runs out on every clock.
      const taker = await takeOver(byNew);
      await take('t2', 't3', 't4');
      const later = ['s1@4', 's1@5', 's1@6'];
      await until(
        () =>
          later.every((item) => byOld.includes(item) || byNew.includes(item)) &&
          (byOld.length > 3 || oldLines.some((line) => line.includes('handling paused'))),
      );
      expect(byOld).toEqual(['s1@1', 's1@2', 's1@3']);
      expect(byNew).toEqual(later);

      // Reachable again, the old owner finds the lease gone and gives the partition up; the checkpoint
      // stays where the new owner moved it, under the new grant's token.
      outage.down = false;
      await until(() => old.ownedPartitions().length === 0);
      await until(async () => (await checkpointOf('fenced'))?.sequence === 6);
      expect(await checkpointOf('fenced')).toMatchObject({ sequence: 6, fence: 2 });
      expect(taker.ownedPartitions()).toHaveLength(1);
    });

    test('a checkpoint write under a lost lease is refused, even while its owner still trusts the lease', async () => {
      open(1, 'skewed');
      const oldLines: string[] = [];
      const byOld: string[] = [];
      // The old owner's clock lags the others' by a whole lease: by its own clock it still holds it.
      const old = await cutOffReplica({
        instanceId: 'old',
        clock: new ManualClock(scene.clock.now()),
        checkpointEveryMs: 60_000, // its position after the batch is still pending
        handle: recordInto(byOld),
        logger: capturedLogger(oldLines),
      });
      await threeEvents();
      await until(() => byOld.length === 3);

      const byNew: string[] = [];
      await takeOver(byNew);
      await until(async () => (await checkpointOf('skewed'))?.sequence === 3);

      // Stopping, the old owner writes its pending position: refused. (Handing its lease back fails too,
      // with the lease store out of reach.)
      await expect(old.close()).rejects.toThrow('unreachable');
      expect(await checkpointOf('skewed')).toMatchObject({ sequence: 3, fence: 2 });
      expect(
        oldLines.some((line) => line.includes('checkpoint not written') && line.includes('LeaseLost')),
      ).toBe(true);
      expect(byNew).toEqual([]); // the ledger told it the old owner had handled those
    });

    test('a group replayed from the start after its ledger is gone handles none of its history again', async () => {
      const partitions = 2;
      open(partitions, 'history');
      const group = `${prefix}history`;
      // 1,000 events: 100 aggregates, each opened and then noted nine times in one commit.
      const repository = stock();
      for (let index = 0; index < 100; index++) {
        scene.clock.advance(1);
        await repository.handle(`s${index}`, { type: 'Open', level: 1 }, meta);
        const texts = Array.from({ length: 9 }, (_, n) => `n${n}`);
        await repository.handle(`s${index}`, { type: 'Note', texts }, meta);
      }
      await scene.writer.close();
      const drained = async () => {
        for (let partition = 0; partition < partitions; partition++) {
          const tail = await backend().logs.log(scene.ringName(partition)).tailSequence();
          const at = await checkpointOf('history', partition);
          if (at?.sequence !== tail + 1 || at.catchUpFrom !== undefined) return false;
        }
        return true;
      };
      const replay = async (reset: (partition: number) => Promise<void>): Promise<ConsumerGroup> => {
        // As if every ledger entry had outlived its week: the ledger is empty.
        await backend().kv.map(scene.naming.ledger(group)).clear();
        for (let partition = 0; partition < partitions; partition++) await reset(partition);
        const readers = await scene.startReaders({ catchUpPageSize: 50 });
        await until(drained, 60_000);
        return readers;
      };

      const first = await scene.startReaders();
      await until(() => scene.handled.length === 1_000, 60_000);
      await until(drained);
      await scene.stop(first);

      // From the start of the ringbuffers: no checkpoint at all.
      const key = (partition: number) => `${group}|${STREAM}|${partition}`;
      await scene.stop(await replay((partition) => checkpoints().delete(key(partition))));
      expect(scene.handled).toHaveLength(1_000);

      // From the start of the event store: a catch-up from commit time 0.
      await scene.stop(
        await replay(async (partition) => {
          const at = (await checkpoints().get(key(partition)))!.value;
          await checkpoints().set(key(partition), { ...at, catchUpFrom: 0 });
        }),
      );
      expect(scene.handled).toHaveLength(1_000);
      expect(await scene.caughtUp('resumed')).toBeGreaterThanOrEqual(200);

      // The next commit of an aggregate whose ledger entry is gone: its history is not filled in again.
      await backend().kv.map(scene.naming.ledger(group)).clear();
      await scene.startReaders();
      await repository.handle('s7', { type: 'Note', texts: ['late'] }, meta);
      await scene.writer.close();
      await until(() => scene.handled.includes('s7@11'));
      await until(drained);
      expect(scene.handled).toHaveLength(1_001);
    }, 120_000);
  });
}
