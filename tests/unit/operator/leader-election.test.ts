import {
  LeaderElector,
  type LeaseRecord,
  type LeaseStore,
} from '../../../operator/controller/leader-election';
import { FakeScheduler, type Scheduler } from '../../../operator/controller/scheduler';

/** The same timers, with a wall clock `skewMs` off: another pod's clock, as the Lease's renewTime shows it. */
const skewed = (scheduler: FakeScheduler, skewMs: number): Scheduler => ({
  now: () => scheduler.now() + skewMs,
  schedule: (ms, task) => scheduler.schedule(ms, task),
});

/** One replica's connection to the API server: up, refused (throws), or hanging (never answers). */
class Link implements LeaseStore {
  state: 'up' | 'refused' | 'hanging' = 'up';
  constructor(private readonly store: LeaseStore) {}
  get() {
    return this.through(() => this.store.get());
  }
  create(lease: LeaseRecord) {
    return this.through(() => this.store.create(lease));
  }
  replace(lease: LeaseRecord) {
    return this.through(() => this.store.replace(lease));
  }
  private through<T>(call: () => Promise<T>): Promise<T> {
    if (this.state === 'refused') return Promise.reject(new Error('API server unreachable'));
    if (this.state === 'hanging') return new Promise<never>(() => undefined);
    return call();
  }
}

/** An in-memory Lease with the API server's optimistic concurrency on resourceVersion. */
class MemoryLease implements LeaseStore {
  lease: LeaseRecord | undefined;
  private version = 0;

  async get() {
    return this.lease;
  }
  async create(lease: LeaseRecord) {
    if (this.lease) return false;
    this.lease = { ...lease, resourceVersion: String(++this.version) };
    return true;
  }
  async replace(lease: LeaseRecord) {
    if (this.lease?.resourceVersion !== lease.resourceVersion) return false;
    this.lease = { ...lease, resourceVersion: String(++this.version) };
    return true;
  }
}

describe('leader election', () => {
  let scheduler: FakeScheduler;
  let leases: MemoryLease;
  let log: string[];

  beforeEach(() => {
    scheduler = new FakeScheduler();
    leases = new MemoryLease();
    log = [];
  });

  /** A replica with its own link to the Lease and a wall clock `wallClockSkewMs` off. */
  const replica = (id: string, wallClockSkewMs = 0) => {
    const link = new Link(leases);
    const elector = new LeaderElector({
      identity: id,
      leases: link,
      scheduler: skewed(scheduler, wallClockSkewMs),
      // Every process's monotonic clock runs at the fake's pace; only wall clocks disagree.
      monotonic: () => scheduler.now(),
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      onStartedLeading: () => log.push(`${id} leads`),
      onStoppedLeading: () => log.push(`${id} stops`),
    });
    return { elector, link };
  };
  /** "a" takes the free lease at once. */
  const firstLeader = async () => {
    const a = replica('a');
    a.elector.start();
    await scheduler.advanceBy(1);
    expect(a.elector.isLeader).toBe(true);
    return a;
  };
  /** Dies without a word: no more renewals, no release. */
  const freeze = (elector: LeaderElector) => ((elector as unknown as { stopped: boolean }).stopped = true);

  test('two candidates: exactly one leads; the other takes over when the leader releases', async () => {
    const { elector: a } = replica('a');
    const { elector: b } = replica('b');
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
    freeze((await firstLeader()).elector);
    const { elector: b } = replica('b');
    b.start();
    await scheduler.advanceBy(14_000);
    expect(b.isLeader).toBe(false);
    await scheduler.advanceBy(4_000);
    expect(b.isLeader).toBe(true);
  });

  test('a leader that cannot renew steps down at its renew deadline, by its own clock, before the lease ends', async () => {
    const a = await firstLeader();
    a.link.state = 'refused';
    await scheduler.advanceBy(9_000);
    expect(a.elector.isLeader).toBe(true);
    await scheduler.advanceBy(1_000);
    expect(a.elector.isLeader).toBe(false);
    expect(log).toEqual(['a leads', 'a stops']);
  });

  test('a leader whose API server stops answering (calls hang) still steps down at its renew deadline', async () => {
    const a = await firstLeader();
    await scheduler.advanceBy(2_000); // renewed at 2 s
    a.link.state = 'hanging';
    await scheduler.advanceBy(9_000);
    expect(a.elector.isLeader).toBe(true);
    await scheduler.advanceBy(1_000);
    expect(a.elector.isLeader).toBe(false);
  });

  test('a standby whose wall clock runs ahead does not take a lease that is being renewed', async () => {
    const { elector: a } = await firstLeader();
    // b's wall clock is a minute ahead: by a's renewTime the lease looks long expired to it.
    const { elector: b } = replica('b', 60_000);
    b.start();
    await scheduler.advanceBy(60_000);
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);
    expect(log).toEqual(['a leads']);
  });

  test("a standby whose wall clock runs behind still takes a dead leader's lease once it has seen it unchanged for the lease duration", async () => {
    freeze((await firstLeader()).elector);
    // b's wall clock is a minute behind: by a's renewTime the lease would look valid for another minute.
    const { elector: b } = replica('b', -60_000);
    b.start();
    await scheduler.advanceBy(14_000);
    expect(b.isLeader).toBe(false);
    await scheduler.advanceBy(4_000);
    expect(b.isLeader).toBe(true);
  });

  test('leaders never overlap: the old one has stopped before the standby takes over', async () => {
    const a = await firstLeader();
    const { elector: b } = replica('b', 30_000);
    b.start();
    await scheduler.advanceBy(5_000);
    a.link.state = 'refused'; // a is cut off from the API server; b still reaches it
    for (let step = 0; step < 40; step++) {
      await scheduler.advanceBy(500);
      expect(a.elector.isLeader && b.isLeader).toBe(false);
    }
    expect(log).toEqual(['a leads', 'a stops', 'b leads']);
  });
});
