import { ItemBackoff } from '../../../operator/controller/backoff';
import { FakeScheduler, flush } from '../../../operator/controller/scheduler';
import { runWorkers, WorkQueue } from '../../../operator/controller/work-queue';

describe('work queue', () => {
  test('a key added many times is handled once', async () => {
    const queue = new WorkQueue<string>(new FakeScheduler());
    for (let index = 0; index < 5; index++) queue.add('a');
    queue.add('b');
    expect(queue.depth()).toBe(2);
    expect(await queue.get()).toBe('a');
    expect(await queue.get()).toBe('b');
    expect(queue.depth()).toBe(0);
  });

  test('a key is never handled twice at once; added while in flight, it comes back after done', async () => {
    const queue = new WorkQueue<string>(new FakeScheduler());
    queue.add('a');
    const key = await queue.get();
    queue.add('a');
    expect(queue.depth()).toBe(0); // not handed to a second worker
    queue.done(key!);
    expect(queue.depth()).toBe(1);
  });

  test('failures come back after a per-key exponential back-off; success resets it', async () => {
    const scheduler = new FakeScheduler();
    const queue = new WorkQueue<string>(scheduler, new ItemBackoff<string>(100, 1_000));
    const attempts: number[] = [];
    let fail = 4;
    const workers = runWorkers(
      queue,
      1,
      async () => {
        attempts.push(scheduler.now());
        if (fail-- > 0) throw new Error('not yet');
        return {};
      },
      () => undefined,
    );
    const start = scheduler.now();
    queue.add('a');
    await flush();
    await scheduler.advanceBy(10_000);
    expect(attempts.map((at) => at - start)).toEqual([0, 100, 300, 700, 1_500]);
    expect(queue.backoff.attempts('a')).toBe(0);
    queue.shutdown();
    await workers;
  });

  test('back-off is capped, and an earlier pending delay wins over a later one', async () => {
    const backoff = new ItemBackoff<string>(100, 500);
    expect([1, 2, 3, 4, 5].map(() => backoff.next('k'))).toEqual([100, 200, 400, 500, 500]);
    const scheduler = new FakeScheduler();
    const queue = new WorkQueue<string>(scheduler);
    queue.addAfter('a', 1_000);
    queue.addAfter('a', 300);
    queue.addAfter('a', 5_000);
    await scheduler.advanceBy(299);
    expect(queue.depth()).toBe(0);
    await scheduler.advanceBy(1);
    expect(queue.depth()).toBe(1);
    await scheduler.advanceBy(10_000);
    expect(queue.depth()).toBe(1);
  });

  test('requeueAfter brings a key back without counting a failure', async () => {
    const scheduler = new FakeScheduler();
    const queue = new WorkQueue<string>(scheduler);
    let runs = 0;
    const workers = runWorkers(
      queue,
      2,
      async () => ({ requeueAfterMs: runs++ < 2 ? 5_000 : undefined }),
      () => undefined,
    );
    queue.add('a');
    await flush();
    await scheduler.advanceBy(20_000);
    expect(runs).toBe(3);
    expect(queue.backoff.attempts('a')).toBe(0);
    queue.shutdown();
    await workers;
  });
});
