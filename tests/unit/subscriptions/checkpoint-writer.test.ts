import type { Stored } from '../../../src/storage/key-value';
import { InMemoryKeyValueMap } from '../../../src/storage/in-memory-key-value';
import type { Checkpoint } from '../../../src/subscriptions/checkpoint';
import { CheckpointWriter } from '../../../src/subscriptions/checkpoint-writer';
import { LeaseLapsed, LeaseLost } from '../../../src/subscriptions/lease-grant';
import { HeldGrant } from '../../core/held-grant';

/** A checkpoint map that records every write that went through. */
class RecordingMap extends InMemoryKeyValueMap<Checkpoint> {
  readonly written: number[] = [];
  override async putIfAbsent(key: string, value: Checkpoint) {
    const existing = await super.putIfAbsent(key, value);
    if (!existing) this.written.push(value.sequence);
    return existing;
  }
  override async replace(key: string, expected: Stored<Checkpoint>, next: Checkpoint) {
    const replaced = await super.replace(key, expected, next);
    if (replaced) this.written.push(next.sequence);
    return replaced;
  }
}

const under = (grant = new HeldGrant(1)) => ({ grant });

const at = (sequence: number): Checkpoint => ({ sequence, epoch: 'e', committedAt: sequence });

describe('CheckpointWriter', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('after a batch: the first write goes at once, later ones at most once per interval, newest wins', async () => {
    const map = new RecordingMap('checkpoints');
    const writer = new CheckpointWriter(map, 'g|S|0', 1_000, under());
    await writer.later(at(1));
    await writer.later(at(2));
    await writer.later(at(3));
    expect(map.written).toEqual([1]);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(map.written).toEqual([1, 3]);
    expect((await map.get('g|S|0'))?.value.sequence).toBe(3);
  });

  test('a position that must be durable goes at once and supersedes what was pending', async () => {
    const map = new RecordingMap('checkpoints');
    const writer = new CheckpointWriter(map, 'k', 1_000, under());
    await writer.later(at(1));
    await writer.later(at(2));
    await writer.now(at(5));
    await jest.advanceTimersByTimeAsync(5_000);
    expect(map.written).toEqual([1, 5]);
  });

  test('a stopping worker flushes what is pending; with no interval every batch is written', async () => {
    const map = new RecordingMap('checkpoints');
    const writer = new CheckpointWriter(map, 'k', 1_000, under());
    await writer.later(at(1));
    await writer.later(at(2));
    await writer.flush();
    expect(map.written).toEqual([1, 2]);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(map.written).toEqual([1, 2]);

    const everyBatch = new RecordingMap('checkpoints');
    const eager = new CheckpointWriter(everyBatch, 'k', 0, under());
    for (const sequence of [1, 2, 3]) await eager.later(at(sequence));
    expect(everyBatch.written).toEqual([1, 2, 3]);
  });

  describe("fenced by the lease: every write is a compare-and-set carrying the grant's token", () => {
    test("a new grant takes the checkpoint over; the old owner's next write is refused and changes nothing", async () => {
      const map = new RecordingMap('checkpoints');
      const old = new CheckpointWriter(map, 'k', 0, under(new HeldGrant(1)));
      expect(await old.claim()).toBeUndefined();
      await old.now(at(1));

      const next = new CheckpointWriter(map, 'k', 0, under(new HeldGrant(2)));
      expect(await next.claim()).toMatchObject({ sequence: 1, fence: 2, grant: 'grant-2' });
      await next.now(at(7));

      await expect(old.now(at(3))).rejects.toBeInstanceOf(LeaseLost);
      expect((await map.get('k'))?.value).toMatchObject({ sequence: 7, fence: 2, grant: 'grant-2' });
      // A stale owner's claim is refused as well: it cannot take the checkpoint back.
      await expect(
        new CheckpointWriter(map, 'k', 0, under(new HeldGrant(1, 'again'))).claim(),
      ).rejects.toThrow(LeaseLost);
    });

    test('a claim under a lower token than the stored one raises the grant (the lease records were lost)', async () => {
      const map = new RecordingMap('checkpoints');
      await new CheckpointWriter(map, 'k', 0, under(new HeldGrant(6))).now(at(4));
      const reborn = new HeldGrant(1, 'reborn', true);
      expect(await new CheckpointWriter(map, 'k', 0, under(reborn)).claim()).toMatchObject({
        sequence: 4,
        fence: 7,
      });
    });

    test('nothing is written while the grant is lapsed, and what must be durable first is written first', async () => {
      const map = new RecordingMap('checkpoints');
      const grant = new HeldGrant(1);
      const order: string[] = [];
      const writer = new CheckpointWriter(map, 'k', 0, {
        grant,
        beforeWrite: async () => void order.push('versions'),
      });
      await writer.now(at(1));
      grant.lapsed = true;
      await expect(writer.now(at(2))).rejects.toBeInstanceOf(LeaseLapsed);
      grant.lapsed = false;
      await writer.now(at(3));
      expect(map.written).toEqual([1, 3]);
      expect(order).toEqual(['versions', 'versions', 'versions']);
    });
  });
});
