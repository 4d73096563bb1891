import { BatchedCalls, GroupCommit } from '../../../src/core/group-commit';

describe('GroupCommit', () => {
  test('the first item goes alone at once; those arriving meanwhile go together after it', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    let gate = new Promise<void>((resolve) => (release = resolve));
    const writer = new GroupCommit<number>(async (items) => {
      batches.push([...items]);
      await gate;
    });
    const first = writer.add(1);
    expect(batches).toEqual([[1]]);
    const rest = [2, 3, 4].map((n) => writer.add(n));
    const open = release;
    gate = Promise.resolve();
    open();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  test('a failed batch rejects its own callers only; the next batch is written', async () => {
    let calls = 0;
    const writer = new GroupCommit<string>(async () => {
      calls++;
      if (calls === 1) throw new Error('store down');
    });
    const failed = writer.add('a');
    const queued = writer.add('b');
    await expect(failed).rejects.toThrow('store down');
    await expect(queued).resolves.toBeUndefined();
  });

  test('batches are cut at the maximum size', async () => {
    const sizes: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const writer = new GroupCommit<number>(async (items) => {
      sizes.push(items.length);
      await gate;
    }, 2);
    const all = [1, 2, 3, 4, 5].map((n) => writer.add(n));
    release();
    await Promise.all(all);
    expect(sizes).toEqual([1, 2, 2]);
  });
});

describe('BatchedCalls', () => {
  /** A run whose batches stay open until released, answering each item with its double. */
  function gatedDoubling() {
    const batches: number[][] = [];
    const gates: Array<() => void> = [];
    const run = async (items: readonly number[]) => {
      batches.push([...items]);
      await new Promise<void>((resolve) => gates.push(resolve));
      return items.map((n) => n * 2);
    };
    const releaseAll = () => {
      while (gates.length > 0) gates.shift()!();
    };
    return { batches, run, releaseAll };
  }

  test('each caller gets its own answer; calls arriving while the slots are busy go together', async () => {
    const { batches, run, releaseAll } = gatedDoubling();
    const calls = new BatchedCalls(run, { maxInFlight: 2 });
    const answers = [1, 2, 3, 4, 5].map((n) => calls.call(n));
    expect(batches).toEqual([[1], [2]]);
    releaseAll();
    await Promise.all(answers.slice(0, 2));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1], [2], [3, 4, 5]]);
    releaseAll();
    expect(await Promise.all(answers)).toEqual([2, 4, 6, 8, 10]);
  });

  test('items of one key never share a batch; they keep their order across batches', async () => {
    const { batches, run, releaseAll } = gatedDoubling();
    const calls = new BatchedCalls(run, { keyOf: (n) => String(n % 10) });
    const answers = [1, 11, 2, 21, 12, 3].map((n) => calls.call(n));
    for (let round = 0; round < 4; round++) {
      releaseAll();
      await new Promise((resolve) => setImmediate(resolve));
    }
    releaseAll();
    expect(await Promise.all(answers)).toEqual([2, 22, 4, 42, 24, 6]);
    expect(batches).toEqual([[1], [11, 2, 3], [21, 12]]);
  });

  test('a run answering the wrong number of items fails its batch loudly', async () => {
    const calls = new BatchedCalls<number, number>(async (items) => items.slice(1));
    await expect(calls.call(1)).rejects.toThrow('a batch of 1 was answered with 0 results');
  });
});
