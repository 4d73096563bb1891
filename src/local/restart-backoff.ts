/**
 * How long to wait before starting a process that died again. A process that keeps dying (a service whose
 * grid is gone, a member whose port is taken) is restarted after 1 s, 2 s, 4 s … up to the cap, instead of
 * at once and forever; one that had been up for the healthy period starts over at the first delay.
 */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Up at least this long before it died: the earlier failures are forgiven. */
  readonly healthyAfterMs: number;
}

export const LOCAL_RESTART_BACKOFF: BackoffPolicy = {
  initialMs: 1_000,
  maxMs: 30_000,
  healthyAfterMs: 60_000,
};

export class RestartBackoff {
  private failures = 0;

  constructor(readonly policy: BackoffPolicy = LOCAL_RESTART_BACKOFF) {}

  /** The wait before the next start of a process that was up for upMs; each call counts one failure. */
  delayAfter(upMs: number): number {
    const { initialMs, maxMs, healthyAfterMs } = this.policy;
    if (upMs >= healthyAfterMs) this.failures = 0;
    const delay = Math.min(maxMs, initialMs * 2 ** this.failures);
    this.failures += 1;
    return delay;
  }

  /** Restarts in a row since the last healthy period, this one included. */
  get attempt(): number {
    return this.failures;
  }
}
