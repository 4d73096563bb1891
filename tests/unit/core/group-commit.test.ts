import { GroupCommit } from '../../../src/core/group-commit';

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
