/**
 * Where a consumer group is in one stream partition (`subscription.checkpoints`, key
 * `group|stream|partition`). The sequence alone is not enough: a ringbuffer forgets (overwritten by capacity)
 * and can be recreated (members lost, cluster restarted), so the checkpoint also says which incarnation the
 * sequence belongs to and from which commit time the group would have to re-read the event store.
 */
export interface Checkpoint {
  /** The next ringbuffer sequence to read, within `epoch`. */
  readonly sequence: number;
  /** The ringbuffer's incarnation (StreamEpochs); absent only in checkpoints written before epochs. */
  readonly epoch?: string;
  /**
   * A commit time every commit still ahead in the ringbuffer was committed at or after, give or take the
   * catch-up margin (the newest commit time handled, or the time a catch-up took the ringbuffer's tail).
   * Absent only in checkpoints written before it existed: a catch-up then reads from the beginning.
   */
  readonly committedAt?: number;
  /** An unfinished catch-up: every commit of the partition committed before this time was delivered. */
  readonly catchUpFrom?: number;
  /**
   * The fencing token (lease epoch) of the grant that wrote it: a write under a lower one is refused.
   * Absent only in checkpoints written before fencing.
   */
  readonly fence?: number;
  /** The id of that grant (LeaseGrant.id), so an owner knows its own write. */
  readonly grant?: string;
}
