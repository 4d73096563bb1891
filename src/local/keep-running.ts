import type { Clock } from '../core/clock';
import { describeExit, type ProcessExit } from '../core/process-exit';
import { RestartBackoff } from './restart-backoff';

/** One start of a supervised process: resolves once it is up, with the promise of its end. */
export type StartOnce = () => Promise<{
  readonly exit: Promise<ProcessExit>;
  /** Said in the "is back" line, e.g. its address and pid. */
  readonly description?: string;
}>;

export interface KeepRunningOptions {
  /** "account", "the Hazelcast member", "PostgreSQL". */
  readonly name: string;
  /** Where to look when it died, named in the line that says so. */
  readonly logFile: string;
  /** The end of the instance already running. */
  readonly running: Promise<ProcessExit>;
  readonly start: StartOnce;
  /** True once the whole run is stopping: an exit then is expected, nothing is restarted. */
  readonly stopping: () => boolean;
  readonly say: (line: string) => void;
  readonly clock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  /**
   * Asked when it died, before anything is restarted; 'give-up' leaves it dead (the caller stops the run).
   * Default: restart.
   */
  readonly onDeath?: (exit: ProcessExit) => 'restart' | 'give-up';
  /** Said after the death line when it is restarted, e.g. why that is safe. */
  readonly restartNote?: string;
  readonly backoff?: RestartBackoff;
}

/**
 * Supervises one process of the local run as Kubernetes supervises a pod: when it dies it says so at once
 * (one line: what, how it ended, its log), then starts it again after an exponential back-off that starts
 * over once it has stayed up for a while. A start that fails counts as one more death.
 */
export async function keepRunning(options: KeepRunningOptions): Promise<void> {
  const { name, say, clock, stopping } = options;
  const backoff = options.backoff ?? new RestartBackoff();
  let running: Promise<ProcessExit> | undefined = options.running;
  let upSince = clock.now();
  while (running) {
    const exit = await running;
    if (stopping()) return;
    say(`${name} died (${describeExit(exit)}); log: ${options.logFile}`);
    if (options.onDeath?.(exit) === 'give-up') return;
    let upMs = clock.now() - upSince;
    running = undefined;
    while (!running) {
      const delayMs = backoff.delayAfter(upMs);
      const note = options.restartNote ? `${options.restartNote}; ` : '';
      say(
        `  ${note}restarting it in ${seconds(delayMs)} (attempt ${backoff.attempt}; the wait doubles up to ` +
          `${seconds(backoff.policy.maxMs)} and starts over after ${seconds(backoff.policy.healthyAfterMs)} up)`,
      );
      await options.sleep(delayMs);
      if (stopping()) return;
      const startedAt = clock.now();
      try {
        const started = await options.start();
        running = started.exit;
        upSince = startedAt;
        say(`${name} is back${started.description ? ` (${started.description})` : ''}`);
      } catch (error) {
        const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
        say(`  ${name} did not start: ${reason}`);
        upMs = clock.now() - startedAt;
      }
      if (stopping()) return;
    }
  }
}

const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(1))} s`;
