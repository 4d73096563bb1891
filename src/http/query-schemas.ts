import { z } from 'zod';

/**
 * `?limit=`: an integer ≥ 1, `defaultValue` when absent, silently clamped to `max` (a client asking
 * for too much gets the most we serve, not an error); anything else is a 400.
 */
export function limitQuery(defaultValue: number, max: number) {
  const error = `must be an integer between 1 and ${max}`;
  return z.coerce
    .number({ error })
    .int({ error })
    .min(1, { error })
    .default(defaultValue)
    .transform((limit) => Math.min(limit, max))
    .describe(
      `Maximum number of items to return (1-${max}, default ${defaultValue}; larger values are clamped)`,
    );
}
