import type { Logger } from '../logging/logger';
import type { FrameworkMetrics } from '../metrics/framework-metrics';
import type { Commit } from '../eventsourcing/commit';
import type { KeyValueMap } from '../storage/key-value';
import type { StreamLog } from '../storage/stream-log';
import { backoffMs, sleep } from '../core/sleep';
import type { Delivery } from './delivery';
import type { PartitionRef } from './leases';

export interface Checkpoint {
  readonly sequence: number;
}

export interface WorkerOptions {
  readonly group: string;
  readonly ref: PartitionRef;
  readonly log: StreamLog;
  readonly checkpoints: KeyValueMap<Checkpoint>;
  readonly delivery: Delivery;
  readonly logger: Logger;
  readonly metrics?: FrameworkMetrics;
  readonly batchSize: number;
  /** Reports this partition's lag (events in the stream not yet handled by the group). */
  readonly onLag: (lag: number) => void;
}

/**
 * Reads one stream partition for one consumer group from its checkpoint, hands each batch to delivery,
 * then moves the checkpoint. A worker that dies between the two leaves the checkpoint behind, so the
 * next owner reads the batch again and the ledger skips what was already handled.
 */
export class PartitionWorker {
  private readonly stopper = new AbortController();
  private running: Promise<void> | undefined;
  private handling: Promise<void> = Promise.resolve();

  constructor(private readonly options: WorkerOptions) {}

  get checkpointKey(): string {
    const { group, ref } = this.options;
    return `${group}|${ref.stream}|${ref.partition}`;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Stops after the batch in hand; a blocking read still pending is abandoned, its items unread. */
  async stop(): Promise<void> {
    this.stopper.abort();
    await this.handling;
  }

  private async run(): Promise<void> {
    const { log, checkpoints, logger, batchSize, ref, group } = this.options;
    let failures = 0;
    let sequence: number | undefined;
    while (!this.stopper.signal.aborted) {
      try {
        // The first read of a new group starts at the oldest event still held, so nothing published
        // before the group first ran is skipped.
        sequence ??=
          (await checkpoints.get(this.checkpointKey))?.value.sequence ?? (await log.headSequence());
        const read = await log.read(sequence, batchSize, true);
        if (this.stopper.signal.aborted) return;
        const first = read.items[0]?.sequence;
        if (first !== undefined && first > sequence) this.overrun(first - sequence);
        if (read.items.length > 0) {
          const commits = read.items.map((item) => JSON.parse(item.value) as Commit);
          this.handling = this.options.delivery.deliver(commits);
          await this.handling;
          if (this.stopper.signal.aborted) return;
          await checkpoints.set(this.checkpointKey, { sequence: read.nextSequence });
        }
        sequence = read.nextSequence;
        this.options.onLag(Math.max(0, (await log.tailSequence()) + 1 - sequence));
        failures = 0;
      } catch (error) {
        if (this.stopper.signal.aborted) return;
        failures += 1;
        logger.warn(
          { err: error, group, stream: ref.stream, partition: ref.partition },
          'stream read failed; backing off',
        );
        sequence = undefined;
        await sleep(backoffMs(failures, 100, 10_000), this.stopper.signal);
      }
    }
  }

  private overrun(skipped: number): void {
    const { group, ref, logger, metrics } = this.options;
    metrics?.lostEvents.inc({ consumer_group: group, stream: ref.stream }, skipped);
    logger.error(
      { group, stream: ref.stream, partition: ref.partition, skipped },
      'stream overrun: events were overwritten before this group read them; raise capacity or fix the lag',
    );
  }
}
