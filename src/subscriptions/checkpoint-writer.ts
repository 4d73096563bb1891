import type { KeyValueMap, Stored } from '../storage/key-value';
import { writtenStored } from '../storage/key-value';
import type { Checkpoint } from './checkpoint';
import type { LeaseGrant } from './lease-grant';
import { LeaseLost } from './lease-grant';

/** The lease a checkpoint is written under, and what must be durable before each write. */
export interface CheckpointFencing {
  readonly grant: LeaseGrant;
  /** Runs before every write (the versions the owner acted on, src/subscriptions/handled-versions.ts). */
  readonly beforeWrite?: () => Promise<void>;
}

/** Attempts at a write whose entry keeps moving before the writer gives up for this round. */
const MAX_ATTEMPTS = 5;

/**
 * Writes one partition's checkpoint for its worker, one write at a time and in order: at once when a
 * position must be durable before going on (a group's first position, a catch-up's pages), and after a
 * batch at most every `everyMs`, the newest position winning (a timer writes it if no batch follows).
 * A position not yet written only means the next owner reads those commits again: the ledger skips them.
 * Under load this turns a write per batch, per partition, into one per interval.
 *
 * Every write is a compare-and-set that carries the lease's fencing token: the owner first claims the
 * stored checkpoint for its grant (`claim`), then replaces only what it wrote itself. A checkpoint another
 * grant with a higher token moved is never overwritten: the write fails with LeaseLost.
 */
export class CheckpointWriter {
  private lastWriteAt = -Infinity;
  private pending: Checkpoint | undefined;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  /** The stored checkpoint as this writer last read or wrote it: the next compare-and-set's expectation. */
  private last: Stored<Checkpoint> | undefined;

  constructor(
    private readonly checkpoints: KeyValueMap<Checkpoint>,
    private readonly key: string,
    private readonly everyMs: number,
    private readonly fencing: CheckpointFencing,
  ) {}

  /**
   * Reads the stored checkpoint and takes it over for this grant (undefined: there is none yet). A token
   * at or above this grant's is either a newer owner's (LeaseLost) or one from before the lease records
   * were lost, which the grant is then raised above.
   */
  claim(): Promise<Checkpoint | undefined> {
    return this.serialized(async () => {
      this.last = await this.checkpoints.get(this.key);
      if (!this.last || this.last.value.grant === this.fencing.grant.id) return this.last?.value;
      return this.store(this.last.value, true);
    });
  }

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
  async flush(): Promise<void> {
    this.cancelTimer();
    const position = this.pending;
    this.pending = undefined;
    if (position) await this.enqueue(position);
    else await this.chain;
  }

  /** Drops the pending position unwritten (the lease was lost: the next owner reads it again). */
  discard(): void {
    this.cancelTimer();
    this.pending = undefined;
  }

  private async enqueue(position: Checkpoint): Promise<void> {
    await this.serialized(async () => {
      await this.fencing.beforeWrite?.();
      await this.store(position, false);
      this.lastWriteAt = performance.now();
    });
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** One fenced compare-and-set of `position`, re-reading the entry when it moved under the write. */
  private async store(position: Checkpoint, mayRaise: boolean): Promise<Checkpoint> {
    const { grant } = this.fencing;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const found = this.last?.value;
      if (found && found.grant !== grant.id && (found.fence ?? 0) >= grant.epoch) {
        if (mayRaise && (await grant.raiseAbove(found.fence ?? 0))) continue;
        throw new LeaseLost(this.key);
      }
      grant.assertHeld();
      const next: Checkpoint = { ...position, fence: grant.epoch, grant: grant.id };
      const written = this.last
        ? await this.checkpoints.replace(this.key, this.last, next)
        : (await this.checkpoints.putIfAbsent(this.key, next)) === undefined;
      if (written) {
        this.last = writtenStored(next);
        return next;
      }
      // Moved since: a lower token's last write (taken over), this grant's own unanswered one, or a newer owner.
      this.last = await this.checkpoints.get(this.key);
    }
    throw new Error(`checkpoint ${this.key} kept moving under its writes`);
  }

  private cancelTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
