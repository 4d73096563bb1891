import { performance } from 'node:perf_hooks';
import type { Middleware } from 'koa';
import { Histogram, type Registry } from 'prom-client';
import { routeTemplate } from './route-template';

export const HTTP_DURATION_METRIC = 'http_server_request_duration_seconds';

const LABELS = ['service', 'method', 'route', 'status'] as const;
type Label = (typeof LABELS)[number];

/** From 1 ms to 5 s: our handlers are a few grid round-trips, so resolution matters at the low end. */
export const HTTP_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Times every request into one histogram. The route label is the route template (or "unmatched"),
 * never the raw URL, so ids in paths cannot blow up the series count.
 */
export function httpMetricsMiddleware(options: { registry: Registry; serviceName: string }): Middleware {
  const histogram = durationHistogram(options.registry);
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      histogram.observe(
        {
          service: options.serviceName,
          method: ctx.method,
          route: routeTemplate(ctx),
          status: String(ctx.status),
        },
        (performance.now() - started) / 1000,
      );
    }
  };
}

/** Reuses the histogram when the registry already has it (several apps on one registry, e.g. tests). */
function durationHistogram(registry: Registry): Histogram<Label> {
  const existing = registry.getSingleMetric(HTTP_DURATION_METRIC);
  if (existing instanceof Histogram) return existing as Histogram<Label>;
  return new Histogram({
    name: HTTP_DURATION_METRIC,
    help: 'Duration of HTTP requests served, by route template and status',
    labelNames: LABELS,
    buckets: HTTP_DURATION_BUCKETS,
    registers: [registry],
  });
}
