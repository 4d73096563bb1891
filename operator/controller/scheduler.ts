import type { Clock } from '../../src/core/clock';
import { ManualClock } from '../../src/core/clock';

/** Timers behind an interface, so queues, back-offs and leases can be driven by a fake clock in tests. */
export interface Scheduler extends Clock {
  /** Runs `task` after `ms`; returns a cancel function. */
  schedule(ms: number, task: () => void): () => void;
}

export const realScheduler: Scheduler = {
  now: () => Date.now(),
  schedule(ms, task) {
    const timer = setTimeout(task, Math.max(0, ms));
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};

/** A scheduler whose time only moves in `advance`, firing due tasks in time order. */
export class FakeScheduler extends ManualClock implements Scheduler {
  private tasks: Array<{ at: number; seq: number; task: () => void }> = [];
  private seq = 0;

  schedule(ms: number, task: () => void): () => void {
    const entry = { at: this.now() + Math.max(0, ms), seq: this.seq++, task };
    this.tasks.push(entry);
    return () => {
      this.tasks = this.tasks.filter((candidate) => candidate !== entry);
    };
  }

  /**
   * Lets the promises already under way settle (work in progress takes no time), then moves time forward,
   * running every task that falls due on the way, and lets promises settle again.
   */
  async advanceBy(ms: number): Promise<void> {
    await flush();
    const target = this.now() + ms;
    for (;;) {
      this.tasks.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.tasks[0];
      if (!next || next.at > target) break;
      this.tasks.shift();
      this.set(next.at);
      next.task();
      await flush();
    }
    this.set(target);
    await flush();
  }

  pending(): number {
    return this.tasks.length;
  }
}

/** Lets queued promise callbacks run (a few turns, for chains of awaits). */
export async function flush(turns = 20): Promise<void> {
  for (let turn = 0; turn < turns; turn++) await Promise.resolve();
  await new Promise((resolve) => setImmediate(resolve));
}
