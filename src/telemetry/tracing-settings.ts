import { z } from 'zod';

/** What decides whether a service traces, read from the same environment as the rest of its config. */
export interface TracingSettings {
  /** True only when an OTLP endpoint is configured and TRACING_ENABLED is not false. */
  readonly enabled: boolean;
  /** The OTLP/HTTP base URL, e.g. http://jaeger:4318 (spans go to <endpoint>/v1/traces). */
  readonly endpoint?: string;
  /** Share of new (root) traces recorded; a span with a parent follows its parent's decision. */
  readonly sampleRatio: number;
}

const flag = z
  .enum(['true', 'false', '1', '0', 'on', 'off'])
  .default('true')
  .transform((value) => value === 'true' || value === '1' || value === 'on');

const schema = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  TRACING_ENABLED: flag,
  TRACING_SAMPLE_RATIO: z.coerce.number().min(0).max(1).default(1),
});

/** The tracing subset of the service config; loadServiceConfig checks the same variables with the same rules. */
export const tracingEnvironmentSchema = schema.shape;

export function tracingSettings(env: NodeJS.ProcessEnv): TracingSettings {
  const given = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => key in schema.shape && value !== undefined && value !== ''),
  );
  const parsed = schema.safeParse(given);
  // A bad value is reported by loadServiceConfig with every other problem; tracing just stays off meanwhile.
  if (!parsed.success) return { enabled: false, sampleRatio: 1 };
  const { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, TRACING_ENABLED, TRACING_SAMPLE_RATIO } = parsed.data;
  return {
    enabled: endpoint !== undefined && TRACING_ENABLED,
    ...(endpoint !== undefined ? { endpoint } : {}),
    sampleRatio: TRACING_SAMPLE_RATIO,
  };
}
