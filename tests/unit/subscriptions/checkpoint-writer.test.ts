import { InMemoryKeyValueMap } from '../../../src/storage/in-memory-key-value';
import type { Checkpoint } from '../../../src/subscriptions/checkpoint';
import { CheckpointWriter } from '../../../src/subscriptions/checkpoint-writer';

/** A checkpoint map that records every write. */
class RecordingMap extends InMemoryKeyValueMap<Checkpoint> {
  readonly written: number[] = [];
  override async set(key: string, value: Checkpoint) {
    this.written.push(value.sequence);
    return super.set(key, value);
  }
}

const at = (sequence: number): Checkpoint => ({ sequence, epoch: 'e', committedAt: sequence });

describe('CheckpointWriter', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('after a batch: the first write goes at once, later ones at most once per interval, newest wins', async () => {
    const map = new RecordingMap('checkpoints');
    const writer = new CheckpointWriter(map, 'g|S|0', 1_000);
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
    const writer = new CheckpointWriter(map, 'k', 1_000);
    await writer.later(at(1));
    await writer.later(at(2));
    await writer.now(at(5));
    await jest.advanceTimersByTimeAsync(5_000);
    expect(map.written).toEqual([1, 5]);
  });

  test('a stopping worker flushes what is pending; with no interval every batch is written', async () => {
    const map = new RecordingMap('checkpoints');
    const writer = new CheckpointWriter(map, 'k', 1_000);
    await writer.later(at(1));
    await writer.later(at(2));
    await writer.flush();
    expect(map.written).toEqual([1, 2]);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(map.written).toEqual([1, 2]);

    const everyBatch = new RecordingMap('checkpoints');
    const eager = new CheckpointWriter(everyBatch, 'k', 0);
    for (const sequence of [1, 2, 3]) await eager.later(at(sequence));
    expect(everyBatch.written).toEqual([1, 2, 3]);
  });
});
