import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock';
import type { KeyValueMap } from '../storage/key-value';

/** One incarnation of a stream partition's ringbuffer: sequences mean something only within it. */
export interface StreamEpoch {
  readonly epoch: string;
  readonly createdAt: number;
}

/**
 * Tells one incarnation of a ringbuffer from the next. A ringbuffer lost with its members (or a whole
 * cluster restarted) comes back empty at sequence 0 while checkpoints kept elsewhere point further on; its
 * sequences may even have passed theirs again. The epoch entry is keyed by the ringbuffer's own name, so it
 * sits in the same Hazelcast partition, has the same backups and is lost with it: the next user creates a
 * new epoch, and every checkpoint naming the old one knows its sequence is void.
 */
export class StreamEpochs {
  constructor(
    private readonly epochs: KeyValueMap<StreamEpoch>,
    private readonly clock: Clock,
    // Random, never sequential: a restarted process must not mint the epoch a checkpoint already names.
    private readonly newId: () => string = randomUUID,
  ) {}

  /** The ringbuffer's current epoch, created on first use. */
  async current(streamName: string): Promise<string> {
    const found = await this.epochs.get(streamName);
    if (found) return found.value.epoch;
    const mine = this.mint();
    const winner = await this.epochs.putIfAbsent(streamName, mine);
    return (winner?.value ?? mine).epoch;
  }

  /**
   * Starts a new epoch when `stale` is still current although the ringbuffer was recreated (its tail is
   * behind a checkpoint of that epoch), so every other group learns it too. Returns the epoch now current.
   */
  async renew(streamName: string, stale: string): Promise<string> {
    const found = await this.epochs.get(streamName);
    if (!found) return this.current(streamName);
    if (found.value.epoch !== stale) return found.value.epoch;
    const next = this.mint();
    return (await this.epochs.replace(streamName, found, next)) ? next.epoch : this.current(streamName);
  }

  private mint(): StreamEpoch {
    return { epoch: this.newId(), createdAt: this.clock.now() };
  }
}
