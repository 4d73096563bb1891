import { ItemBackoff } from './backoff';
import type { Scheduler } from './scheduler';

/**
 * A deduplicating, rate-limited work queue in the manner of client-go's: a key added many times is
 * handled once; a key is never handled by two workers at once (added while in flight, it is handled
 * again afterwards); failures come back after a per-key exponential back-off.
 */
export class WorkQueue<K> {
  private readonly ready: K[] = [];
  private readonly queued = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly dirty = new Set<K>();
  private readonly delayed = new Map<K, { at: number; cancel: () => void }>();
  private readonly waiters: Array<(key: K | undefined) => void> = [];
  private closed = false;

  constructor(
    private readonly scheduler: Scheduler,
    readonly backoff: ItemBackoff<K> = new ItemBackoff<K>(),
  ) {}

  add(key: K): void {
    if (this.closed) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    const waiter = this.waiters.shift();
    if (waiter) {
      this.queued.delete(key);
      this.processing.add(key);
      waiter(key);
    } else {
      this.ready.push(key);
    }
  }

  /** Adds after a delay; an earlier pending delay for the same key wins. */
  addAfter(key: K, ms: number): void {
    if (this.closed) return;
    if (ms <= 0) return this.add(key);
    const at = this.scheduler.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    pending?.cancel();
    const cancel = this.scheduler.schedule(ms, () => {
      this.delayed.delete(key);
      this.add(key);
    });
    this.delayed.set(key, { at, cancel });
  }

  /** Retry after this key's back-off. */
  addRateLimited(key: K): void {
    this.addAfter(key, this.backoff.next(key));
  }

  /** The key succeeded: its back-off starts over. */
  forget(key: K): void {
    this.backoff.forget(key);
  }

  /** The next key to handle, or undefined once the queue is shut down. */
  get(): Promise<K | undefined> {
    const key = this.ready.shift();
    if (key !== undefined) {
      this.queued.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Handling of `key` finished; if it was added meanwhile, it goes back in the queue. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  /** Keys waiting (ready now), for the queue-depth metric. */
  depth(): number {
    return this.ready.length;
  }

  shutdown(): void {
    this.closed = true;
    for (const { cancel } of this.delayed.values()) cancel();
    this.delayed.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }
}

/** Runs `workers` loops that take keys and reconcile them; resolves when the queue shuts down. */
export async function runWorkers<K>(
  queue: WorkQueue<K>,
  workers: number,
  reconcile: (key: K) => Promise<ReconcileResult>,
  onError: (key: K, error: unknown) => void,
): Promise<void> {
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (;;) {
        const key = await queue.get();
        if (key === undefined) return;
        try {
          const result = await reconcile(key);
          queue.forget(key);
          if (result.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
        } catch (error) {
          onError(key, error);
          queue.addRateLimited(key);
        } finally {
          queue.done(key);
        }
      }
    }),
  );
}

export interface ReconcileResult {
  /** Look again after this long even without a change (e.g. waiting for acknowledgements). */
  readonly requeueAfterMs?: number;
}
