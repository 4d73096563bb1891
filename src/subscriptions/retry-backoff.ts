/** How a consumer group retries an event its handler threw on, before parking it. */
export interface RetrySettings {
  /** Attempts in all, the first included; the last failure parks the event. */
  readonly maxAttempts: number;
  /** The wait after the first failure; each further failure doubles it. */
  readonly baseMs: number;
  /** No single wait is longer. */
  readonly maxDelayMs: number;
}

/**
 * 12 attempts, waits from ~200 ms doubling to 2 min: a failing event is parked after 2.7-5.4 minutes,
 * long enough for a restarted dependency or a failed-over member, short enough for an operator to hear.
 */
export const defaultRetrySettings: RetrySettings = { maxAttempts: 12, baseMs: 200, maxDelayMs: 120_000 };

/**
 * The wait after the `failures`-th failure: base·2^(failures-1), capped, then "equal jitter" (uniform in
 * its upper half), so replicas retrying at once spread out and no wait collapses to nothing.
 */
export function retryDelayMs(
  failures: number,
  settings: RetrySettings,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The longest the retries of one event can take (every wait at its ceiling): what the docs promise. */
export function worstCaseRetryMs(settings: RetrySettings): number {
  let total = 0;
  for (let failures = 1; failures < settings.maxAttempts; failures++)
    total += retryDelayMs(failures, settings, () => 1);
  return total;
}
