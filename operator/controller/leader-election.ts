import type { Scheduler } from './scheduler';

/** The fields of a coordination.k8s.io/v1 Lease spec the election uses. */
export interface LeaseRecord {
  readonly holderIdentity: string | null;
  readonly leaseDurationSeconds: number;
  readonly acquireTime: string | null;
  readonly renewTime: string | null;
  readonly leaseTransitions: number;
  /** Opaque; replace succeeds only if the lease is still at this version (optimistic concurrency). */
  readonly resourceVersion?: string;
}

export interface LeaseStore {
  get(): Promise<LeaseRecord | undefined>;
  /** false when someone created it first (409). */
  create(lease: LeaseRecord): Promise<boolean>;
  /** false when the lease changed since it was read (409). */
  replace(lease: LeaseRecord): Promise<boolean>;
}

export interface ElectionOptions {
  readonly identity: string;
  readonly leases: LeaseStore;
  readonly scheduler: Scheduler;
  readonly leaseDurationMs?: number;
  readonly retryPeriodMs?: number;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * Lease-based leader election in the manner of client-go: acquire a free or expired lease, renew it every
 * retry period, lose leadership when a renewal cannot be made before the lease would expire, and give
 * the lease back on a clean shutdown so another replica takes over at once.
 */
export class LeaderElector {
  private leading = false;
  private stopped = false;
  private lastRenew = 0;
  private cancelTick: (() => void) | undefined;
  private readonly durationMs: number;
  private readonly retryMs: number;

  constructor(private readonly options: ElectionOptions) {
    this.durationMs = options.leaseDurationMs ?? 15_000;
    this.retryMs = options.retryPeriodMs ?? 2_000;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.stopped = false;
    void this.tick();
  }

  /** Stops competing; a leader releases the lease (holder cleared) so others need not wait for expiry. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTick?.();
    if (!this.leading) return;
    this.setLeading(false);
    try {
      const lease = await this.options.leases.get();
      if (lease?.holderIdentity === this.options.identity) {
        await this.options.leases.replace({
          ...lease,
          holderIdentity: null,
          leaseDurationSeconds: 1,
          renewTime: null,
        });
      }
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  /** One round; exposed for tests. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      const renewed = await this.tryAcquireOrRenew();
      if (renewed) this.lastRenew = this.options.scheduler.now();
      // Not renewed means someone else holds a live lease, or won the compare-and-set: step down at once.
      this.setLeading(renewed);
    } catch (error) {
      this.options.onError?.(error);
      if (this.leading && this.options.scheduler.now() - this.lastRenew >= this.durationMs)
        this.setLeading(false);
    }
    if (!this.stopped)
      this.cancelTick = this.options.scheduler.schedule(this.retryMs, () => void this.tick());
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { leases, identity, scheduler } = this.options;
    const now = new Date(scheduler.now()).toISOString();
    const current = await leases.get();
    const seconds = Math.ceil(this.durationMs / 1000);
    if (!current) {
      return leases.create({
        holderIdentity: identity,
        leaseDurationSeconds: seconds,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: 0,
      });
    }
    const mine = current.holderIdentity === identity;
    const renewedAt = current.renewTime ? Date.parse(current.renewTime) : 0;
    const expired =
      !current.holderIdentity || renewedAt + current.leaseDurationSeconds * 1000 <= scheduler.now();
    if (!mine && !expired) return false;
    return leases.replace({
      ...current,
      holderIdentity: identity,
      leaseDurationSeconds: seconds,
      renewTime: now,
      acquireTime: mine ? current.acquireTime : now,
      leaseTransitions: mine ? current.leaseTransitions : current.leaseTransitions + 1,
    });
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    if (leading) this.options.onStartedLeading();
    else this.options.onStoppedLeading();
  }
}
