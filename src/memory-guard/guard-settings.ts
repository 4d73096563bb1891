import { z } from 'zod';

/** The write guard's variables (src/memory-guard/member-heap-guard.ts), part of every service's config. */
export const memberHeapGuardEnvironmentSchema = {
  /**
   * Comma-separated Prometheus endpoints of the members' JMX exporter agents, e.g.
   * http://127.0.0.1:5780/metrics (npm start sets it). Unset: the guard is off.
   */
  HAZELCAST_METRICS_URLS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' })))
    .optional(),
  /** Share of a member's maximum heap, held by its old generation, from which HTTP writes are answered 503. */
  HAZELCAST_HEAP_HIGH_WATER: z.coerce.number().min(0.1).max(0.99).default(0.85),
  HAZELCAST_HEAP_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
};
