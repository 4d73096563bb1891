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

/**
 * One bench's option values: a flag (`--max-in-flight`) wins over its environment variable
 * (`<envPrefix>MAX_IN_FLIGHT`); `number` checks the range and names the flag when the value is bad.
 */
export function optionReader(
  flags: ReadonlyMap<string, string>,
  env: Readonly<Record<string, string | undefined>>,
  envPrefix: string,
): {
  pick(flag: string): string | undefined;
  number(flag: string, fallback: number, min: number, max: number): number;
} {
  const pick = (flag: string): string | undefined =>
    flags.get(flag) ?? env[`${envPrefix}${flag.toUpperCase().replace(/-/g, '_')}`];
  const number = (flag: string, fallback: number, min: number, max: number): number => {
    const given = pick(flag);
    if (given === undefined || given === '') return fallback;
    const value = Number(given);
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new UsageError(`--${flag} must be a number from ${min} to ${max}, got '${given}'`);
    }
    return value;
  };
  return { pick, number };
}
