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
  /** Timers, and the wall clock written into the Lease's times (for people and other tools to read). */
  readonly scheduler: Scheduler;
  /**
   * This process's own monotonic clock, which every lease decision is made by: another pod's clock (the
   * renewTime it wrote) or a wall clock that jumps never decides who leads. Default performance.now().
   */
  readonly monotonic?: () => number;
  readonly leaseDurationMs?: number;
  /** A leader that has not renewed for this long stops leading; shorter than the lease (default 10 s). */
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * Lease-based leader election in the manner of client-go, judged on this process's own monotonic clock:
 * - a standby counts a lease as expired once it has seen the record unchanged for its lease duration
 *   (measured from when IT saw it change, never from the renewTime another pod wrote);
 * - the leader renews every retry period and stops leading once it has not renewed for renewDeadline,
 *   well inside the lease duration, so it has stopped before any standby can take over;
 * - a clean shutdown gives the lease back, so another replica takes over at once.
 */
export class LeaderElector {
  private leading = false;
  private stopped = false;
  /** Monotonic time a renewal that succeeded was sent at: the lease runs from no earlier than then. */
  private renewedAt = 0;
  /** The lease record as last seen, and when (monotonic) it was first seen like that. */
  private observed: { readonly version: string; readonly at: number } | undefined;
  private cancelTick: (() => void) | undefined;
  private cancelDeadline: (() => void) | undefined;
  private readonly durationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private readonly monotonic: () => number;

  constructor(private readonly options: ElectionOptions) {
    this.durationMs = options.leaseDurationMs ?? 15_000;
    this.retryMs = options.retryPeriodMs ?? 2_000;
    this.renewDeadlineMs = Math.min(
      options.renewDeadlineMs ?? Math.round((this.durationMs * 2) / 3),
      this.durationMs - this.retryMs,
    );
    this.monotonic = options.monotonic ?? (() => performance.now());
    if (this.renewDeadlineMs <= this.retryMs)
      throw new Error(
        `leader election: the renew deadline (${this.renewDeadlineMs} ms) must be longer than the retry ` +
          `period (${this.retryMs} ms), and the lease (${this.durationMs} ms) longer than both`,
      );
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
    this.cancelDeadline?.();
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
    const sentAt = this.monotonic();
    try {
      const renewed = await this.withinRenewDeadline(this.tryAcquireOrRenew());
      // Not renewed means someone else holds a live lease, or won the compare-and-set: step down at once.
      if (renewed) this.renewed(sentAt);
      else this.setLeading(false);
    } catch (error) {
      this.options.onError?.(error);
    }
    if (!this.stopped)
      this.cancelTick = this.options.scheduler.schedule(this.retryMs, () => void this.tick());
  }

  /** A round that hangs (an API server that stopped answering) must not hold the loop past the deadline. */
  private withinRenewDeadline<T>(round: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const cancel = this.options.scheduler.schedule(this.renewDeadlineMs, () =>
        reject(new Error(`lease round took longer than ${this.renewDeadlineMs} ms`)),
      );
      round.then(
        (value) => {
          cancel();
          resolve(value);
        },
        (error: unknown) => {
          cancel();
          reject(error);
        },
      );
    });
  }

  /** Leads until renewDeadline after this renewal was sent, unless the next one succeeds first. */
  private renewed(sentAt: number): void {
    if (this.stopped) return;
    this.renewedAt = sentAt;
    this.cancelDeadline?.();
    const left = this.renewedAt + this.renewDeadlineMs - this.monotonic();
    if (left <= 0) return this.setLeading(false); // renewed, but too slowly to count on it
    this.cancelDeadline = this.options.scheduler.schedule(left, () => {
      if (this.monotonic() - this.renewedAt >= this.renewDeadlineMs) this.setLeading(false);
    });
    this.setLeading(true);
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
    if (!mine && !this.expired(current)) return false;
    return leases.replace({
      ...current,
      holderIdentity: identity,
      leaseDurationSeconds: seconds,
      renewTime: now,
      acquireTime: mine ? current.acquireTime : now,
      leaseTransitions: mine ? current.leaseTransitions : current.leaseTransitions + 1,
    });
  }

  /**
   * Expired by this process's clock: the record has not changed for its lease duration since this process
   * first saw it as it is. A fresh standby therefore waits a whole lease before taking an orphaned one.
   */
  private expired(lease: LeaseRecord): boolean {
    if (!lease.holderIdentity) return true;
    const version =
      lease.resourceVersion ?? `${lease.holderIdentity}|${lease.renewTime ?? ''}|${lease.leaseTransitions}`;
    const now = this.monotonic();
    if (this.observed?.version !== version) this.observed = { version, at: now };
    return now - this.observed.at >= lease.leaseDurationSeconds * 1000;
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    if (!leading) this.cancelDeadline?.();
    if (leading) this.options.onStartedLeading();
    else this.options.onStoppedLeading();
  }
}
