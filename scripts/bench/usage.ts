/** A bad command line (or --help, with an empty message): the bench prints its usage instead of running. */
export class UsageError extends Error {}

/** Parses the command line, or prints the problem and the usage and exits (64 for a bad line, 0 for --help). */
export function parseOrExit<T>(bench: string, usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message) process.stderr.write(`${bench}: ${error.message}\n\n`);
    process.stderr.write(usage);
    process.exit(error.message ? 64 : 0);
  }
}
