/** How a child process ended, as Node reports it: an exit code, or the signal that killed it. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** "exit code 1", "killed by SIGKILL": for the one line the local run prints when something dies. */
export function describeExit(exit: ProcessExit): string {
  if (exit.signal) return `killed by ${exit.signal}`;
  if (exit.code === null) return 'killed by a signal';
  return `exit code ${exit.code}`;
}
