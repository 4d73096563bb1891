import { LatencyHistogram } from '../bench/histogram';

/**
 * An open-loop load generator (wrk2-style): request `seq` is due at start + seq / rate, whatever happened
 * to the ones before it. Latency is the caller's to measure, from `scheduledAt` (never from the actual
 * send), so a stall of the system under test shows up in full instead of slowing the load down
 * ("coordinated omission"). In-flight requests are capped: a request due while the cap is reached waits
 * for a free slot, is sent late, and is counted; one still waiting `sendGraceMs` after the schedule ended
 * is not sent at all and counted as such.
 */
export type ScheduledRequest = (seq: number, scheduledAt: number, sentAt: number) => Promise<void>;

export interface OpenLoopOptions {
  readonly label: string;
  readonly ratePerSecond: number;
  /** performance.now() at which request 0 is due (in the near future). */
  readonly startPerf: number;
  /** Length of the schedule; the last request is due just before start + totalMs. */
  readonly totalMs: number;
  /** No more than this many requests, whatever rate and time say. */
  readonly maxRequests: number;
  readonly maxInFlight: number;
  /** Sent more than this after being due = late. */
  readonly lateToleranceMs: number;
  readonly sendGraceMs: number;
  readonly progressEveryMs: number;
  readonly say: (line: string) => void;
  /** Appended to each progress line (e.g. saga counts kept up to date elsewhere). */
  readonly progressExtra?: () => string;
  readonly aborted?: () => boolean;
}

export interface OpenLoopResult {
  /** performance.now() of the first due time. */
  readonly startPerf: number;
  readonly intervalMs: number;
  readonly scheduled: number;
  readonly sent: number;
  /** Sent later than the tolerance (cap reached, or this process's event loop was late). */
  readonly late: number;
  /** Had to wait for an in-flight slot. */
  readonly waitedForSlot: number;
  /** Never sent: still waiting for a slot when the grace after the schedule ran out, or aborted. */
  readonly notSent: number;
  /** How late each request was sent (ms after due). */
  readonly lateness: LatencyHistogram;
  readonly maxInFlightSeen: number;
}

export function runOpenLoop(request: ScheduledRequest, options: OpenLoopOptions): Promise<OpenLoopResult> {
  const intervalMs = 1000 / options.ratePerSecond;
  const scheduled = Math.max(0, Math.min(options.maxRequests, Math.ceil(options.totalMs / intervalMs)));
  const startPerf = options.startPerf;
  const lateness = new LatencyHistogram();
  const aborted = options.aborted ?? ((): boolean => false);
  let next = 0;
  let inFlight = 0;
  let maxInFlightSeen = 0;
  let sent = 0;
  let late = 0;
  let waitedForSlot = 0;
  let notSent = 0;
  let blockedSeq = -1;
  let timer: NodeJS.Timeout | undefined;
  let finishedScheduling = false;
  let responded = 0;
  let failed = 0;

  let lastProgressAt = performance.now();
  let lastSent = 0;
  let lastResponded = 0;
  const progress = setInterval(() => {
    const now = performance.now();
    const seconds = (now - lastProgressAt) / 1000;
    const sentRate = (sent - lastSent) / seconds;
    const respondedRate = (responded - lastResponded) / seconds;
    lastProgressAt = now;
    lastSent = sent;
    lastResponded = responded;
    const elapsed = Math.max(0, (now - startPerf) / 1000);
    options.say(
      `  [${options.label}] ${elapsed.toFixed(0).padStart(3)}/${(options.totalMs / 1000).toFixed(0)} s  ` +
        `sent ${sentRate.toFixed(0).padStart(4)}/s  answered ${respondedRate.toFixed(0).padStart(4)}/s  ` +
        `in flight ${inFlight}  late ${late}  failed ${failed}${options.progressExtra ? `  ${options.progressExtra()}` : ''}`,
    );
  }, options.progressEveryMs);

  return new Promise<OpenLoopResult>((resolve) => {
    const finishIfDone = (): void => {
      if (!finishedScheduling || inFlight > 0) return;
      clearInterval(progress);
      clearTimeout(timer);
      resolve({
        startPerf,
        intervalMs,
        scheduled,
        sent,
        late,
        waitedForSlot,
        notSent,
        lateness,
        maxInFlightSeen,
      });
    };

    const fire = (seq: number, dueAt: number, now: number): void => {
      inFlight++;
      sent++;
      if (inFlight > maxInFlightSeen) maxInFlightSeen = inFlight;
      const behind = now - dueAt;
      lateness.recordMs(behind);
      if (behind > options.lateToleranceMs) late++;
      let ok = true;
      void request(seq, dueAt, now)
        .catch(() => {
          ok = false;
        })
        .finally(() => {
          inFlight--;
          responded++;
          if (!ok) failed++;
          if (blockedSeq >= 0) pump();
          finishIfDone();
        });
    };

    const pump = (): void => {
      clearTimeout(timer);
      timer = undefined;
      const now = performance.now();
      const giveUpAt = startPerf + options.totalMs + options.sendGraceMs;
      while (next < scheduled) {
        if (aborted() || now > giveUpAt) {
          notSent += scheduled - next;
          next = scheduled;
          break;
        }
        const dueAt = startPerf + next * intervalMs;
        if (dueAt > now) break;
        if (inFlight >= options.maxInFlight) {
          if (blockedSeq !== next) {
            blockedSeq = next;
            waitedForSlot++;
          }
          // A completion calls pump again; the timer only enforces the give-up time.
          timer = setTimeout(pump, Math.max(1, giveUpAt - now));
          return;
        }
        blockedSeq = -1;
        fire(next, dueAt, now);
        next++;
      }
      if (next >= scheduled) {
        finishedScheduling = true;
        finishIfDone();
        return;
      }
      const nextDue = startPerf + next * intervalMs;
      timer = setTimeout(pump, Math.max(0, nextDue - performance.now()));
    };

    timer = setTimeout(pump, Math.max(0, startPerf - performance.now()));
    if (scheduled === 0) {
      finishedScheduling = true;
      finishIfDone();
    }
  });
}
