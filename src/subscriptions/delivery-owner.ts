/**
 * What a partition's owner adds to its group's Delivery: its lease, checked before every handler call so
 * an owner that lost the partition (or cannot renew it in time) handles nothing more, and a note of each
 * aggregate version it acted on, which it makes durable before its checkpoint passes that commit.
 */
export interface DeliveryOwner {
  /** Throws (LeaseLost, LeaseLapsed) when this owner must not handle anything now. */
  assertHeld(): void;
  /** The group acted on the aggregate's events up to `version` (a commit's last version). */
  handled(aggregateKey: string, version: number): void;
}

/** The durable floor under the ledger: per aggregate, the highest version the group acted on. */
export interface HandledVersionsReader {
  versions(aggregateKeys: readonly string[]): Promise<Map<string, number>>;
}
