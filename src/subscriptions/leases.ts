import type { Clock } from '../core/clock';
import type { KeyValueMap, Stored } from '../storage/key-value';
import { writtenStored } from '../storage/key-value';

/** A member heartbeat or a partition lease; one map holds both so one query sees a group's members. */
export interface LeaseRecord {
  readonly kind: 'member' | 'partition';
  readonly group: string;
  readonly owner: string;
  readonly expiresAt: number;
}

export interface PartitionRef {
  readonly stream: string;
  readonly partition: number;
}

export interface LeaseOptions {
  readonly group: string;
  readonly instanceId: string;
  readonly partitions: readonly PartitionRef[];
  readonly leases: KeyValueMap<LeaseRecord>;
  readonly clock: Clock;
  readonly leaseMs: number;
  readonly onAcquired: (partition: PartitionRef) => void;
  /** Awaited before a voluntary release, so the next owner starts after this one's last checkpoint. */
  readonly onLost: (partition: PartitionRef) => Promise<void> | void;
}

export const partitionLeaseKey = (group: string, ref: PartitionRef): string =>
  `${group}|${ref.stream}|${ref.partition}`;

/**
 * Shares a group's stream partitions among its live replicas. Every replica heartbeats, counts the live
 * ones, keeps at most its fair share, and claims free or expired partitions up to it. Every change is a
 * compare-and-set on the lease entry, so a partition has one owner at a time (within the lease time).
 */
export class LeaseCoordinator {
  private readonly owned = new Map<string, Stored<LeaseRecord>>();

  constructor(private readonly options: LeaseOptions) {}

  ownedPartitions(): PartitionRef[] {
    return this.options.partitions.filter((ref) => this.owned.has(this.key(ref)));
  }

  /** One round of heartbeat, renew, rebalance; run every leaseMs / 3. */
  async tick(): Promise<void> {
    const { leases, group, instanceId, clock, leaseMs } = this.options;
    const now = clock.now();
    await leases.set(`member|${group}|${instanceId}`, {
      kind: 'member',
      group,
      owner: instanceId,
      expiresAt: now + leaseMs,
    });
    const members = await leases.query([
      { field: 'kind', op: 'eq', value: 'member' },
      { field: 'group', op: 'eq', value: group },
    ]);
    const live = Math.max(1, members.filter(([, member]) => member.value.expiresAt > now).length);
    const share = Math.ceil(this.options.partitions.length / live);

    await this.renewOwned(now);
    await this.releaseAbove(share);
    await this.claimUpTo(share, now);
  }

  /** Gives every partition back so other replicas take over at once instead of after expiry. */
  async releaseAll(): Promise<void> {
    const { leases, group, instanceId } = this.options;
    for (const ref of this.ownedPartitions()) await this.release(ref);
    await leases.delete(`member|${group}|${instanceId}`);
  }

  private async renewOwned(now: number): Promise<void> {
    for (const ref of this.ownedPartitions()) {
      const key = this.key(ref);
      const current = this.owned.get(key)!;
      const renewed = { ...current.value, expiresAt: now + this.options.leaseMs };
      if (await this.options.leases.replace(key, current, renewed)) {
        this.owned.set(key, writtenStored(renewed));
      } else {
        this.owned.delete(key);
        void this.options.onLost(ref);
      }
    }
  }

  private async releaseAbove(share: number): Promise<void> {
    const owned = this.ownedPartitions();
    for (const ref of owned.slice(share)) await this.release(ref);
  }

  private async claimUpTo(share: number, now: number): Promise<void> {
    const { leases, group, instanceId, leaseMs } = this.options;
    for (const ref of this.options.partitions) {
      if (this.owned.size >= share) return;
      const key = this.key(ref);
      if (this.owned.has(key)) continue;
      const mine: LeaseRecord = { kind: 'partition', group, owner: instanceId, expiresAt: now + leaseMs };
      const existing = await leases.get(key);
      const won = !existing
        ? (await leases.putIfAbsent(key, mine)) === undefined
        : existing.value.expiresAt <= now && (await leases.replace(key, existing, mine));
      if (won) {
        this.owned.set(key, writtenStored(mine));
        this.options.onAcquired(ref);
      }
    }
  }

  private async release(ref: PartitionRef): Promise<void> {
    const key = this.key(ref);
    const current = this.owned.get(key);
    if (!current) return;
    this.owned.delete(key);
    await this.options.onLost(ref);
    await this.options.leases.deleteIfSame(key, current);
  }

  private key(ref: PartitionRef): string {
    return partitionLeaseKey(this.options.group, ref);
  }
}
