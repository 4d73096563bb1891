import { messageOf } from './cleanup';

/** How a benchmark process ends, the same for every bench. */

/** Calls `stop` if the run is still going after `ms` (it overran its budget: something hangs). */
export function startWatchdog(ms: number, stop: (why: string, code: number) => unknown): void {
  const watchdog = setTimeout(
    () => void stop(`Watchdog: the run took longer than ${Math.round(ms / 1000)} s`, 1),
    ms,
  );
  watchdog.unref();
}

/**
 * Exits 0 once `main` is done, or prints the failure, runs `cleanup` and exits 1. After Ctrl-C
 * (`aborted()`) it does neither: the signal handler exits once the processes are stopped, and exiting
 * here first would orphan them.
 */
export function exitWhenDone(
  bench: string,
  main: Promise<void>,
  aborted: () => boolean,
  cleanup: () => Promise<void>,
): void {
  main.then(
    () => {
      if (!aborted()) process.exit(0);
    },
    async (error: unknown) => {
      if (aborted()) return;
      process.stderr.write(
        `${bench} failed: ${error instanceof Error ? (error.stack ?? error.message) : messageOf(error)}\n`,
      );
      await cleanup();
      process.exit(1);
    },
  );
}
