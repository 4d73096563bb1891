import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock';
import type { KeyValueMap, Stored } from '../storage/key-value';
import { writtenStored } from '../storage/key-value';
import type { LeaseGrant } from './lease-grant';
import { LeaseLapsed, LeaseLost } from './lease-grant';

/** A member heartbeat or a partition lease; one map holds both so one query sees a group's members. */
export interface LeaseRecord {
  readonly kind: 'member' | 'partition';
  readonly group: string;
  readonly owner: string;
  readonly expiresAt: number;
  /** A partition lease's fencing token: one more on every new grant (absent in records before fencing). */
  readonly epoch?: number;
  /** The grant's unique id (LeaseGrant.id). */
  readonly grant?: string;
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
  readonly onAcquired: (partition: PartitionRef, grant: LeaseGrant) => void;
  /** Awaited before a voluntary release, so the next owner starts after this one's last checkpoint. */
  readonly onReleasing: (partition: PartitionRef) => Promise<void> | void;
  /** The lease went to another owner: whatever this one has not written yet must not be written. */
  readonly onLost: (partition: PartitionRef) => Promise<void> | void;
}

export const partitionLeaseKey = (group: string, ref: PartitionRef): string =>
  `${group}|${ref.stream}|${ref.partition}`;

/** An owned lease: the record as last written, and until when this process trusts it by its own clock. */
interface Held {
  record: Stored<LeaseRecord>;
  trustedUntil: number;
}

/**
 * Shares a group's stream partitions among its live replicas. Every replica renews the leases it holds,
 * each one by a compare-and-set on its own entry, then heartbeats, counts the live replicas, keeps at most
 * its fair share, and claims free or expired partitions up to it, again by compare-and-set. A renewal never
 * waits on the member query: a slow or failing query only delays rebalancing.
 *
 * An owner trusts a lease for two thirds of the lease time after the renewal that wrote it, by its own
 * clock; another replica may take it only after the whole lease time, by its clock. The last third covers
 * clock skew between replicas and a handler call still in flight when the trust runs out.
 */
export class LeaseCoordinator {
  private readonly owned = new Map<string, Held>();

  constructor(private readonly options: LeaseOptions) {}

  ownedPartitions(): PartitionRef[] {
    return this.options.partitions.filter((ref) => this.owned.has(this.key(ref)));
  }

  /** One round of renew, heartbeat, rebalance; run every leaseMs / 3. Throws the first failure. */
  async tick(): Promise<void> {
    const now = this.options.clock.now();
    const renewals = await Promise.allSettled(this.ownedPartitions().map((ref) => this.renew(ref, now)));
    await this.rebalance(now);
    const failed = renewals.find((renewal) => renewal.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Gives every partition back so other replicas take over at once instead of after expiry. */
  async releaseAll(): Promise<void> {
    const { leases, group, instanceId } = this.options;
    for (const ref of this.ownedPartitions()) await this.release(ref);
    await leases.delete(`member|${group}|${instanceId}`);
  }

  private async rebalance(now: number): Promise<void> {
    const { leases, group, instanceId, leaseMs } = this.options;
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
    for (const ref of this.ownedPartitions().slice(share)) await this.release(ref);
    await this.claimUpTo(share, now);
  }

  /** Extends one lease; a lease another owner took is given up at once. */
  private async renew(ref: PartitionRef, now: number): Promise<void> {
    const key = this.key(ref);
    const held = this.owned.get(key);
    if (!held) return;
    const { grant } = held.record.value;
    // Judged by grant, not by the record: a checkpoint's raiseAbove may have rewritten it meanwhile, and a
    // lease forgotten while this renewal was in flight must not come back without its worker.
    const stillHeld = () => this.owned.get(key)?.record.value.grant === grant;
    const renewed: LeaseRecord = { ...held.record.value, expiresAt: now + this.options.leaseMs };
    if (await this.options.leases.replace(key, held.record, renewed)) {
      if (stillHeld()) this.trust(key, writtenStored(renewed));
      return;
    }
    // A renewal whose answer was lost (or a raise) may have landed: the entry then still names this grant.
    const current = await this.options.leases.get(key);
    if (current && current.value.grant === grant) {
      if (stillHeld()) this.trust(key, current);
      return;
    }
    if (stillHeld()) this.lose(ref);
  }

  private async claimUpTo(share: number, now: number): Promise<void> {
    const { leases, group, instanceId, leaseMs } = this.options;
    for (const ref of this.options.partitions) {
      if (this.owned.size >= share) return;
      const key = this.key(ref);
      if (this.owned.has(key)) continue;
      const existing = await leases.get(key);
      if (existing && existing.value.expiresAt > now) continue;
      const mine: LeaseRecord = {
        kind: 'partition',
        group,
        owner: instanceId,
        expiresAt: now + leaseMs,
        epoch: (existing?.value.epoch ?? 0) + 1,
        grant: randomUUID(),
      };
      const won = existing
        ? await leases.replace(key, existing, mine)
        : (await leases.putIfAbsent(key, mine)) === undefined;
      if (!won) continue;
      this.trust(key, writtenStored(mine));
      this.options.onAcquired(ref, this.grantOf(ref, mine.grant!));
    }
  }

  /** Hands the lease back free, keeping its epoch, so the next grant's token is still higher. */
  private async release(ref: PartitionRef): Promise<void> {
    const key = this.key(ref);
    const held = this.owned.get(key);
    if (!held) return;
    await this.options.onReleasing(ref);
    this.owned.delete(key);
    await this.options.leases.replace(key, held.record, { ...held.record.value, expiresAt: 0 });
  }

  /** The owner found itself fenced out (another grant moved the checkpoint): give the lease up here too. */
  forget(ref: PartitionRef): void {
    this.lose(ref);
  }

  private lose(ref: PartitionRef): void {
    if (!this.owned.delete(this.key(ref))) return;
    void this.options.onLost(ref);
  }

  private trust(key: string, record: Stored<LeaseRecord>): void {
    const { clock, leaseMs } = this.options;
    // Trust runs from the renewal's own expiry (this clock's), never past it.
    const trustedUntil = Math.min(record.value.expiresAt, clock.now() + leaseMs) - leaseMs / 3;
    this.owned.set(key, { record, trustedUntil });
  }

  private grantOf(ref: PartitionRef, id: string): LeaseGrant {
    const key = this.key(ref);
    const mine = (): Held | undefined => {
      const held = this.owned.get(key);
      return held?.record.value.grant === id ? held : undefined;
    };
    const epochAtGrant = mine()!.record.value.epoch!;
    return {
      id,
      get epoch() {
        return mine()?.record.value.epoch ?? epochAtGrant;
      },
      assertHeld: () => {
        const held = mine();
        if (!held) throw new LeaseLost(key);
        if (this.options.clock.now() >= held.trustedUntil) throw new LeaseLapsed(key);
      },
      raiseAbove: async (fence) => {
        // A renewal may move the entry under this compare-and-set: then go on from what it wrote.
        for (let attempt = 0; attempt < 3; attempt++) {
          const held = mine();
          if (!held) return false;
          const current = held.record.value;
          if ((current.epoch ?? 0) > fence) return true;
          const raised: LeaseRecord = {
            ...current,
            epoch: fence + 1,
            expiresAt: this.options.clock.now() + this.options.leaseMs,
          };
          if (await this.options.leases.replace(key, held.record, raised)) {
            this.trust(key, writtenStored(raised));
            return true;
          }
          const stored = await this.options.leases.get(key);
          if (stored?.value.grant !== id) {
            this.lose(ref);
            return false;
          }
          if (mine() === held) this.trust(key, stored);
        }
        return false;
      },
    };
  }

  private key(ref: PartitionRef): string {
    return partitionLeaseKey(this.options.group, ref);
  }
}
