import {
  LeaderElector,
  type LeaseRecord,
  type LeaseStore,
} from '../../../operator/controller/leader-election';
import { FakeScheduler } from '../../../operator/controller/scheduler';

/** An in-memory Lease with the API server's optimistic concurrency on resourceVersion. */
class MemoryLease implements LeaseStore {
  lease: LeaseRecord | undefined;
  private version = 0;
  broken = false;

  async get() {
    if (this.broken) throw new Error('API server unreachable');
    return this.lease;
  }
  async create(lease: LeaseRecord) {
    if (this.broken) throw new Error('API server unreachable');
    if (this.lease) return false;
    this.lease = { ...lease, resourceVersion: String(++this.version) };
    return true;
  }
  async replace(lease: LeaseRecord) {
    if (this.broken) throw new Error('API server unreachable');
    if (this.lease?.resourceVersion !== lease.resourceVersion) return false;
    this.lease = { ...lease, resourceVersion: String(++this.version) };
    return true;
  }
}

describe('leader election', () => {
  const elector = (id: string, leases: MemoryLease, scheduler: FakeScheduler, log: string[]) =>
    new LeaderElector({
      identity: id,
      leases,
      scheduler,
      leaseDurationMs: 15_000,
      retryPeriodMs: 2_000,
      onStartedLeading: () => log.push(`${id} leads`),
      onStoppedLeading: () => log.push(`${id} stops`),
    });

  test('two candidates: exactly one leads; the other takes over when the leader releases', async () => {
    const scheduler = new FakeScheduler();
    const leases = new MemoryLease();
    const log: string[] = [];
    const a = elector('a', leases, scheduler, log);
    const b = elector('b', leases, scheduler, log);
    a.start();
    b.start();
    await scheduler.advanceBy(10_000);
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);
    await a.stop();
    expect(leases.lease?.holderIdentity).toBeNull();
    await scheduler.advanceBy(2_000);
    expect(b.isLeader).toBe(true);
    expect(log).toEqual(['a leads', 'a stops', 'b leads']);
    expect(leases.lease?.leaseTransitions).toBe(1);
  });

  test('a leader that dies silently is replaced only after its lease expires', async () => {
    const scheduler = new FakeScheduler();
    const leases = new MemoryLease();
    const log: string[] = [];
    const a = elector('a', leases, scheduler, log);
    a.start();
    await scheduler.advanceBy(1);
    // "a" freezes: no more renewals, no release.
    (a as unknown as { stopped: boolean }).stopped = true;
    const b = elector('b', leases, scheduler, log);
    b.start();
    await scheduler.advanceBy(14_000);
    expect(b.isLeader).toBe(false);
    await scheduler.advanceBy(4_000);
    expect(b.isLeader).toBe(true);
  });

  test('a leader that cannot renew steps down once its lease would have expired, not before', async () => {
    const scheduler = new FakeScheduler();
    const leases = new MemoryLease();
    const log: string[] = [];
    const a = elector('a', leases, scheduler, log);
    a.start();
    await scheduler.advanceBy(1);
    expect(a.isLeader).toBe(true);
    leases.broken = true;
    await scheduler.advanceBy(12_000);
    expect(a.isLeader).toBe(true);
    await scheduler.advanceBy(4_000);
    expect(a.isLeader).toBe(false);
    expect(log).toEqual(['a leads', 'a stops']);
  });
});
