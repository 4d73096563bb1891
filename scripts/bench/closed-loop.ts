import { LatencyHistogram } from './histogram';

/** One operation of a load loop; `seq` is unique per phase (0, 1, 2, …), `worker` is 0..concurrency-1. */
export type Operation = (worker: number, seq: number) => Promise<void>;

export interface ClosedLoopOptions {
  readonly label: string;
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** No operation is started after this many, whatever the time. */
  readonly maxOps: number;
  /** How long to wait for operations still in flight when the window closes. */
  readonly drainTimeoutMs: number;
  readonly progressEveryMs: number;
  readonly say: (line: string) => void;
  /** Called (synchronously) when the measured window opens and closes, e.g. to take CPU snapshots. */
  readonly onWindowStart?: () => void;
  readonly onWindowEnd?: () => void;
  /** Set to stop issuing operations at once (Ctrl-C). */
  readonly aborted?: () => boolean;
}

export interface ClosedLoopResult {
  /** Operations that succeeded and completed inside the measured window. */
  readonly completed: number;
  /** Operations that failed and completed inside the window. */
  readonly errors: number;
  /** A few distinct error messages, with how often each was seen (whole phase, warm-up included). */
  readonly errorSamples: Readonly<Record<string, number>>;
  readonly windowMs: number;
  readonly opsPerSecond: number;
  /** Successful operations inside the window. */
  readonly latency: LatencyHistogram;
  /** Operations per second in each progress interval of the window, to see a trend (slow-down). */
  readonly timeline: readonly number[];
  /** Operations still running when the drain timeout ran out. */
  readonly stuck: number;
  readonly issued: number;
}

/**
 * A closed loop: `concurrency` workers, each starting its next operation as soon as the previous one
 * finished. Only operations that complete inside [warm-up end, warm-up end + duration] count; no new
 * operation starts after the window, and the loop is bounded by maxOps too.
 */
export async function runClosedLoop(
  operation: Operation,
  options: ClosedLoopOptions,
): Promise<ClosedLoopResult> {
  const latency = new LatencyHistogram();
  const errorSamples: Record<string, number> = {};
  const start = performance.now();
  const windowStart = start + options.warmupMs;
  const windowEnd = windowStart + options.durationMs;
  let issued = 0;
  let completed = 0;
  let errors = 0;
  let inFlight = 0;
  let windowOpened = false;
  let windowClosed = false;
  let intervalCount = 0;
  const timeline: number[] = [];

  const openWindow = (): void => {
    if (windowOpened) return;
    windowOpened = true;
    options.onWindowStart?.();
  };
  const closeWindow = (): void => {
    if (windowClosed) return;
    windowClosed = true;
    options.onWindowEnd?.();
  };

  const startTimer = setTimeout(openWindow, options.warmupMs);
  const endTimer = setTimeout(closeWindow, options.warmupMs + options.durationMs);
  let lastProgress = start;
  const progress = setInterval(() => {
    const now = performance.now();
    const elapsed = (now - start) / 1000;
    const rate = (intervalCount * 1000) / (now - lastProgress);
    const phase = now < windowStart ? 'warm-up  ' : 'measuring';
    // Only intervals that lie inside the window (the first one after the warm-up may straddle it).
    if (lastProgress >= windowStart - 50 && now <= windowEnd + 50) timeline.push(Math.round(rate));
    intervalCount = 0;
    lastProgress = now;
    const total = (options.warmupMs + options.durationMs) / 1000;
    options.say(
      `  [${options.label}] ${phase} ${elapsed.toFixed(0).padStart(3)}/${total.toFixed(0)} s  ` +
        `${Math.round(rate).toLocaleString('en-US').padStart(7)} ops/s  in flight ${inFlight}  ` +
        `errors ${errors}`,
    );
  }, options.progressEveryMs);

  const worker = async (index: number): Promise<void> => {
    while (issued < options.maxOps && !(options.aborted?.() ?? false)) {
      const begun = performance.now();
      if (begun >= windowEnd) return;
      const seq = issued++;
      inFlight++;
      let failure: unknown;
      let failed = false;
      try {
        await operation(index, seq);
      } catch (error) {
        failed = true;
        failure = error;
      }
      inFlight--;
      const ended = performance.now();
      intervalCount++;
      if (failed) {
        const message = describe(failure);
        if (errorSamples[message] !== undefined || Object.keys(errorSamples).length < 8) {
          errorSamples[message] = (errorSamples[message] ?? 0) + 1;
        }
      }
      if (ended < windowStart || ended > windowEnd) continue;
      if (failed) errors++;
      else {
        completed++;
        latency.recordMs(ended - begun);
      }
    }
  };

  const workers = Array.from({ length: options.concurrency }, (_, index) => worker(index));
  const all = Promise.all(workers);
  // The window can close while every worker waits on a slow operation; wait for the end, then drain.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, windowEnd - performance.now())));
  openWindow();
  closeWindow();
  let drainTimer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    all.then(() => true),
    new Promise<false>((resolve) => {
      drainTimer = setTimeout(() => resolve(false), options.drainTimeoutMs);
    }),
  ]);
  clearTimeout(drainTimer);
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  clearInterval(progress);
  const windowMs = options.durationMs;
  return {
    completed,
    errors,
    errorSamples,
    windowMs,
    opsPerSecond: (completed * 1000) / windowMs,
    latency,
    timeline,
    stuck: drained ? 0 : inFlight,
    issued,
  };
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
