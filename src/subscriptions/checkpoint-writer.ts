import type { KeyValueMap } from '../storage/key-value';
import type { Checkpoint } from './checkpoint';

/**
 * Writes one partition's checkpoint for its worker, one write at a time and in order: at once when a
 * position must be durable before going on (a group's first position, a catch-up's pages), and after a
 * batch at most every `everyMs`, the newest position winning (a timer writes it if no batch follows).
 * A position not yet written only means the next owner reads those commits again: the ledger skips them.
 * Under load this turns a write per batch, per partition, into one per interval.
 */
export class CheckpointWriter {
  private lastWriteAt = -Infinity;
  private pending: Checkpoint | undefined;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly checkpoints: KeyValueMap<Checkpoint>,
    private readonly key: string,
    private readonly everyMs: number,
  ) {}

  /** Written before this resolves, after any write queued before it; supersedes a pending position. */
  now(position: Checkpoint): Promise<void> {
    this.cancelTimer();
    this.pending = undefined;
    return this.enqueue(position);
  }

  /** After a batch: written now if the last write is `everyMs` old, else within `everyMs`. */
  async later(position: Checkpoint): Promise<void> {
    const sinceLast = performance.now() - this.lastWriteAt;
    if (this.everyMs <= 0 || sinceLast >= this.everyMs) return this.now(position);
    this.pending = position;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      // A failed write is retried by the next batch's; nothing waits on this one.
      this.flush().catch(() => undefined);
    }, this.everyMs - sinceLast).unref();
  }

  /** Writes the pending position, if any (a worker stopping). */
  flush(): Promise<void> {
    this.cancelTimer();
    const position = this.pending;
    this.pending = undefined;
    return position ? this.enqueue(position) : this.chain;
  }

  private enqueue(position: Checkpoint): Promise<void> {
    const write = this.chain
      .then(() => this.checkpoints.set(this.key, position))
      .then(() => {
        this.lastWriteAt = performance.now();
      });
    this.chain = write.catch(() => undefined);
    return write;
  }

  private cancelTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
