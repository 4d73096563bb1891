import {
  context,
  isSpanContextValid,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
  type Context,
  type SpanContext,
} from '@opentelemetry/api';

// W3C Trace Context, version 00: 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>.
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function formatTraceparent(span: SpanContext): string {
  return `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The span context a traceparent names, or undefined when it is not a valid version-00 traceparent. */
export function parseTraceparent(traceparent: string | undefined): SpanContext | undefined {
  const match = traceparent ? TRACEPARENT.exec(traceparent.trim()) : null;
  if (!match) return undefined;
  const spanContext: SpanContext = {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: parseInt(match[3]!, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** The traceparent of the active span; undefined with tracing off (the no-op API has no active span). */
export function currentTraceparent(active: Context = context.active()): string | undefined {
  const span = trace.getSpan(active);
  if (!span) return undefined;
  const spanContext = span.spanContext();
  return isSpanContextValid(spanContext) ? formatTraceparent(spanContext) : undefined;
}

/** A context whose parent is the (remote) span a traceparent names; the root context when there is none. */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  const spanContext = parseTraceparent(traceparent);
  return spanContext ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : ROOT_CONTEXT;
}

/** Runs `work` with the span a traceparent names as its parent (as is, when there is none). */
export function withinTrace<T>(traceparent: string | undefined, work: () => T): T {
  return traceparent ? context.with(contextFromTraceparent(traceparent), work) : work();
}

/**
 * Which traceparent the events of a command carry: the active span's when it belongs to the same trace as
 * the one the command names (it is deeper in that trace) or when the command names none; otherwise the
 * command's own. With tracing off there is no active span and the command's traceparent passes through.
 */
export function traceparentForEvents(
  given: string | undefined,
  active: Context = context.active(),
): string | undefined {
  const current = currentTraceparent(active);
  if (!current) return given;
  if (!given) return current;
  const givenContext = parseTraceparent(given);
  return givenContext && current.slice(3, 35) === givenContext.traceId ? current : given;
}
