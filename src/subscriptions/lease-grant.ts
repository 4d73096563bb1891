/**
 * One grant of a partition lease to one owner, as that owner sees it. The epoch is the fencing token: it
 * increases with every new grant of the partition, and every checkpoint move carries it, so a store
 * refuses what an owner that lost the partition still tries to write (src/subscriptions/checkpoint-writer.ts).
 */
export interface LeaseGrant {
  /** Unique to this grant: tells this owner's own earlier write from another owner's. */
  readonly id: string;
  /** The fencing token; higher than any earlier grant's that moved the checkpoint. */
  readonly epoch: number;
  /**
   * Throws unless this owner may still act: the grant not lost, and renewed recently enough by this
   * process's own clock (LeaseLapsed) that no other replica can have been granted the partition yet.
   */
  assertHeld(): void;
  /**
   * Re-grants the partition to this owner with an epoch above `fence` (the lease records were lost while
   * a checkpoint kept a higher token); false when the partition is no longer this owner's.
   */
  raiseAbove(fence: number): Promise<boolean>;
}

/** The partition was granted to another owner: nothing more may be handled or written under this grant. */
export class LeaseLost extends Error {
  constructor(readonly partition: string) {
    super(`lease of ${partition} lost to another owner`);
    this.name = 'LeaseLost';
  }
}

/**
 * The grant was not renewed in time by this owner's clock (the lease store is slow or unreachable): it
 * may still be this owner's, but acting now could overlap a new owner. Handling waits for a renewal.
 */
export class LeaseLapsed extends Error {
  constructor(readonly partition: string) {
    super(`lease of ${partition} not renewed in time; waiting for a renewal`);
    this.name = 'LeaseLapsed';
  }
}
