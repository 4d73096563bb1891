import type { Clock } from '../core/clock';
import type { Commit } from '../eventsourcing/commit';
import type { EventStore } from '../eventsourcing/event-store';
import type { Logger } from '../logging/logger';
import type { FrameworkMetrics } from '../metrics/framework-metrics';
import type { KeyValueMap } from '../storage/key-value';
import type { StreamLog, StreamRead } from '../storage/stream-log';
import { backoffMs, sleep } from '../core/sleep';
import type { CatchUpReason } from './catch-up';
import { CatchUp } from './catch-up';
import type { Checkpoint } from './checkpoint';
import { CheckpointWriter } from './checkpoint-writer';
import type { DeadLetterStore } from './dead-letter-store';
import type { CommitSink, Delivery } from './delivery';
import type { PendingVersions } from './handled-versions';
import type { LeaseGrant } from './lease-grant';
import { LeaseLapsed, LeaseLost } from './lease-grant';
import type { PartitionRef } from './leases';
import type { StreamEpochs } from './stream-epochs';
import { parseStreamItem } from './stream-item';

export type { Checkpoint } from './checkpoint';

export interface WorkerOptions {
  readonly group: string;
  readonly ref: PartitionRef;
  /** The stream's partition count, to pick this partition's commits out of the event store. */
  readonly partitions: number;
  readonly log: StreamLog;
  readonly checkpoints: KeyValueMap<Checkpoint>;
  readonly epochs: StreamEpochs;
  readonly eventStore: EventStore;
  readonly delivery: Delivery;
  /** Where an item that is not a commit is parked, so the items after it are read on. */
  readonly deadLetters: DeadLetterStore;
  /** The lease this worker reads under: checked before every handler call, carried by every checkpoint. */
  readonly grant: LeaseGrant;
  /** The versions this owner acts on, made durable before each checkpoint write. */
  readonly handledVersions: PendingVersions;
  /** The checkpoint was moved under a newer grant: this owner has lost the partition. */
  readonly onFenced: () => void;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: FrameworkMetrics;
  readonly batchSize: number;
  /** After a batch the checkpoint is written at most this often (0: after every batch). */
  readonly checkpointEveryMs?: number;
  /**
   * How far a catch-up reaches around the commit times it knows: producer clock skew plus the longest a
   * commit takes from its commit time to its stream (publication retried, a slow store acknowledging).
   */
  readonly catchUpMarginMs: number;
  readonly catchUpPageSize: number;
  /** How often a blocking read that sees nothing checks whether its ringbuffer was recreated. */
  readonly epochCheckMs: number;
  /** Reports this partition's lag (events in the stream not yet handled by the group). */
  readonly onLag: (lag: number) => void;
}

/** A checkpoint of the ringbuffer's current incarnation. */
type Position = Checkpoint & { readonly epoch: string };

/**
 * Reads one stream partition for one consumer group from its checkpoint, hands each batch to delivery,
 * then moves the checkpoint. A worker that dies between the two leaves the checkpoint behind, so the
 * next owner reads the batch again and the ledger skips what was already handled. When the ringbuffer no
 * longer holds the checkpoint's next item (overwritten while the group was behind, or the ringbuffer
 * recreated), the partition is read back from the event store from the checkpoint's commit time first.
 * The worker acts only under its lease: it claims the checkpoint for its grant before reading, handles
 * nothing while the grant is lapsed or lost, and ends for good once another grant has moved the checkpoint.
 */
export class PartitionWorker {
  private readonly stopper = new AbortController();
  private readonly catchUps: CatchUp;
  private running: Promise<void> | undefined;
  private handling: Promise<unknown> = Promise.resolve();

  /** This owner's delivery: it owns the partition's ledger entries while it lives. */
  private readonly sink: CommitSink;
  private readonly checkpoint: CheckpointWriter;

  constructor(private readonly options: WorkerOptions) {
    const { grant, handledVersions } = options;
    this.sink = options.delivery.forOwner(
      {
        assertHeld: () => grant.assertHeld(),
        handled: (aggregateKey, version) => handledVersions.note(aggregateKey, version),
      },
      this.stopper.signal,
    );
    this.checkpoint = new CheckpointWriter(
      options.checkpoints,
      this.checkpointKey,
      options.checkpointEveryMs ?? 0,
      { grant, beforeWrite: () => handledVersions.flush() },
    );
    this.catchUps = new CatchUp({
      group: options.group,
      ref: options.ref,
      partitions: options.partitions,
      eventStore: options.eventStore,
      delivery: this.sink,
      logger: options.logger,
      pageSize: options.catchUpPageSize,
      signal: this.stopper.signal,
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
  }

  get checkpointKey(): string {
    const { group, ref } = this.options;
    return `${group}|${ref.stream}|${ref.partition}`;
  }

  start(): void {
    this.running ??= this.run();
  }

  /**
   * Stops after the batch (or catch-up page) in hand and writes the newest checkpoint; a blocking read
   * still pending is abandoned. Once the lease is lost (`abandon`), nothing more is written.
   */
  async stop(mode: 'flush' | 'abandon' = 'flush'): Promise<void> {
    this.stopper.abort();
    await this.handling.catch(() => undefined); // its failure was logged by the loop
    if (mode === 'abandon') {
      this.checkpoint.discard();
      this.options.handledVersions.discard();
      return;
    }
    await this.checkpoint.flush().catch((error: unknown) => {
      const { logger, group, ref } = this.options;
      logger.warn(
        { err: error, group, stream: ref.stream, partition: ref.partition },
        'checkpoint not written',
      );
    });
  }

  private get stopped(): boolean {
    return this.stopper.signal.aborted;
  }

  private async run(): Promise<void> {
    const { logger, ref, group } = this.options;
    let failures = 0;
    let position: Position | undefined;
    while (!this.stopped) {
      try {
        position ??= await this.resume();
        position = await this.step(position);
        failures = 0;
      } catch (error) {
        if (this.stopped) return;
        const fields = { group, stream: ref.stream, partition: ref.partition };
        if (error instanceof LeaseLost) {
          logger.warn(
            { ...fields, epoch: this.options.grant.epoch },
            'lease lost to another owner; stopping',
          );
          this.options.onFenced();
          return;
        }
        failures += 1;
        if (error instanceof LeaseLapsed) logger.warn(fields, 'lease not renewed in time; handling paused');
        else logger.warn({ err: error, ...fields }, 'stream read failed; backing off');
        position = undefined;
        await sleep(backoffMs(failures, 100, 10_000), this.stopper.signal);
      }
    }
  }

  /** Where to read next, from the stored checkpoint; catches up first when the ringbuffer lost it. */
  private async resume(): Promise<Position> {
    const { epochs, log } = this.options;
    const stored = await this.checkpoint.claim();
    const epoch = await epochs.current(log.name);
    if (!stored) return this.begin(epoch);
    // A checkpoint from before epochs existed was read from the ringbuffer still there.
    const at: Position = { ...stored, epoch: stored.epoch ?? epoch };
    if (at.epoch !== epoch) return this.catchUp(at, 'epoch');
    if (at.catchUpFrom !== undefined) return this.catchUp(at, 'resumed');
    if ((await log.tailSequence()) + 1 < at.sequence) return this.catchUp(at, 'recreated');
    // Items past their time-to-live are gone without a trace in what a read returns: a read below the head
    // of an emptied ringbuffer just waits for the next item. So ask before the first read.
    if ((await log.headSequence()) > at.sequence) return this.catchUp(at, 'overrun');
    return at;
  }

  /**
   * A group's first read of a partition starts at the oldest event still held, so nothing published
   * before the group first ran is skipped; the first checkpoint is written at once, so a ringbuffer lost
   * before the group handled anything is caught up too.
   */
  private async begin(epoch: string): Promise<Position> {
    const { log, clock } = this.options;
    const head = await log.headSequence();
    const oldest = (await log.read(head, 1, false)).items[0];
    const at: Position = {
      sequence: oldest?.sequence ?? head,
      epoch,
      // Everything from the oldest item on was appended after it, so committed after it, within the margin.
      committedAt: oldest ? (this.commitTimeOf(oldest.value) ?? clock.now()) : clock.now(),
    };
    await this.checkpoint.now(at);
    return at;
  }

  /** One read of the ringbuffer, handled and checkpointed; returns where the next one starts. */
  private async step(at: Position): Promise<Position> {
    const { log, onLag } = this.options;
    const delivery = this.sink;
    const read = await this.readUnlessRecreated(at);
    if (this.stopped) return at;
    if (typeof read === 'string') return this.catchUp(at, read);
    const first = read.items[0]?.sequence;
    // The ringbuffer clamps a read below its head to the head: what lay between was overwritten unread.
    if (first !== undefined && first > at.sequence) return this.catchUp(at, 'overrun');
    let next = at;
    if (read.items.length > 0) {
      const commits = await this.commitsOf(read.items, at.epoch);
      this.handling = delivery.deliver(commits);
      await this.handling;
      if (this.stopped) return at;
      // Items of a ringbuffer recreated under the read are real commits, so handling them did no harm;
      // but they say nothing of what the old one still held, so they must not move the checkpoint.
      if ((await this.options.epochs.current(log.name)) !== at.epoch) return this.catchUp(at, 'epoch');
      next = {
        sequence: read.nextSequence,
        epoch: at.epoch,
        committedAt: Math.max(at.committedAt ?? -Infinity, ...commits.map((commit) => commit.committedAt)),
      };
      await this.checkpoint.later(next);
    }
    const tail = await log.tailSequence();
    if (tail + 1 < next.sequence) return this.catchUp(next, 'recreated');
    onLag(tail + 1 - next.sequence);
    return next;
  }

  /**
   * The items' commits. An item that is not one (checked against the envelope schema) would fail this
   * read for ever, so it is parked in the group's dead letters with the reason, once, and passed over.
   */
  private async commitsOf(items: StreamRead['items'], epoch: string): Promise<Commit[]> {
    const { deadLetters, log, logger, metrics, group, ref } = this.options;
    const commits: Commit[] = [];
    for (const item of items) {
      const checked = parseStreamItem(item.value);
      if ('commit' in checked) {
        commits.push(checked.commit);
        continue;
      }
      const parked = await deadLetters.parkMalformed({
        ring: log.name,
        epoch,
        sequence: item.sequence,
        raw: item.value,
        reason: checked.reason,
      });
      if (!parked.first) continue;
      metrics?.deadLetters.added.inc({ consumer_group: group, kind: 'malformed' });
      logger.error(
        {
          group,
          stream: ref.stream,
          partition: ref.partition,
          sequence: item.sequence,
          reason: checked.reason,
          dlqEntryId: parked.entry.dlqEntryId,
        },
        'malformed stream item parked as dead letter; reading on',
      );
    }
    return commits;
  }

  private commitTimeOf(value: string): number | undefined {
    const checked = parseStreamItem(value);
    return 'commit' in checked ? checked.commit.committedAt : undefined;
  }

  /**
   * A blocking read, or the reason to abandon it: a read parked past the tail of a recreated ringbuffer
   * would wait until the new incarnation reached that sequence and then skip everything before it.
   */
  private async readUnlessRecreated(at: Position): Promise<StreamRead | CatchUpReason> {
    const reading = this.options.log.read(at.sequence, this.options.batchSize, true);
    const watching = new AbortController();
    try {
      return await Promise.race([reading, this.watchForRecreation(at, watching.signal)]);
    } finally {
      watching.abort();
      reading.catch(() => undefined); // abandoned when the watch won; its failure no longer matters
    }
  }

  private async watchForRecreation(at: Position, signal: AbortSignal): Promise<CatchUpReason> {
    const { epochs, log, epochCheckMs } = this.options;
    const done = AbortSignal.any([signal, this.stopper.signal]);
    while (!done.aborted) {
      await sleep(epochCheckMs, done);
      if (done.aborted) break;
      try {
        // Only the epoch (one read): a tail fallen behind under a surviving epoch is checked after every
        // read, which the client's invocation timeout ends at the latest.
        if ((await epochs.current(log.name)) !== at.epoch) return 'epoch';
      } catch {
        // Unreachable grid: the pending read meets the same trouble and reports it.
      }
    }
    return new Promise<never>(() => undefined); // the read decides
  }

  /**
   * Reads the partition back from the event store, from the checkpoint's commit time less the margin up to
   * now plus the margin, then continues at the ringbuffer's tail as it was when the catch-up began: what
   * the ringbuffer held up to there is in the store (a commit is stored before it is published), and what
   * comes after was published after that moment, so committed no earlier than it, within the margin.
   */
  private async catchUp(at: Position, reason: CatchUpReason): Promise<Position> {
    const { log, epochs, clock, catchUpMarginMs: margin, onLag } = this.options;
    // Epoch before tail: a ringbuffer recreated in between shows up as a new epoch at the next check.
    let epoch = await epochs.current(log.name);
    if (reason === 'recreated' && epoch === at.epoch) epoch = await epochs.renew(log.name, at.epoch);
    const since = clock.now();
    const tail = await log.tailSequence();
    const resume: Position = {
      sequence: tail + 1,
      epoch,
      committedAt: Math.max(at.committedAt ?? -Infinity, since),
    };
    const from = Math.min(
      at.catchUpFrom ?? Infinity,
      at.committedAt === undefined ? 0 : at.committedAt - margin,
    );
    const running = this.catchUps.run({
      reason,
      from,
      until: since + margin,
      onPage: async (cursor, remaining) => {
        await this.checkpoint.now({ ...resume, catchUpFrom: cursor });
        onLag(remaining + Math.max(0, (await log.tailSequence()) + 1 - resume.sequence));
      },
    });
    this.handling = running;
    if (!(await running)) return at;
    await this.checkpoint.now(resume);
    return resume;
  }
}
