import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
  INVALID_SPAN_CONTEXT,
} from '@opentelemetry/api';
import type { EventEnvelope } from '../events/envelope';
import { tracingStarted } from './start-tracing';

const TRACER_NAME = 'hazelcast-microservices-ts';

/** The project's tracer: the SDK's when tracing is on, the API's no-op one otherwise (nothing is recorded). */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** The span attributes of OBSERVABILITY.md for one event. */
export function eventAttributes(event: EventEnvelope): Attributes {
  return {
    'event.id': event.eventId,
    'event.type': event.eventType,
    'event.source': event.source,
    'event.key': event.key,
    'event.version': event.version,
    'correlation.id': event.correlationId,
    ...(event.sagaId !== undefined ? { 'saga.id': event.sagaId } : {}),
    ...(event.sagaType !== undefined ? { 'saga.type': event.sagaType } : {}),
    ...(event.stepNumber !== undefined ? { 'saga.step': event.stepNumber } : {}),
    'saga.compensating': event.isCompensating,
  };
}

/**
 * The attributes of a span about several events (a commit): the first event's, with every type named and
 * compensating when any of them is.
 */
export function commitAttributes(events: readonly EventEnvelope[]): Attributes {
  const first = events[0];
  if (!first) return {};
  return {
    ...eventAttributes(first),
    'event.type': [...new Set(events.map((event) => event.eventType))].join(','),
    'event.count': events.length,
    'saga.compensating': events.some((event) => event.isCompensating),
  };
}

export interface SpanOptions {
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
  /** The parent; the active context unless given. */
  readonly parent?: Context;
}

/**
 * Runs `work` inside a new span made active for it, ending the span when the work settles and recording a
 * failure. With tracing off (no SDK started) it is just the call: no span, no context switch, and options
 * given as a function (attributes, a parent parsed from a traceparent) are not even computed.
 */
const NOT_RECORDING: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

export async function inSpan<T>(
  name: string,
  spanOptions: SpanOptions | (() => SpanOptions),
  work: (span: Span) => Promise<T>,
): Promise<T> {
  if (!tracingStarted()) return work(NOT_RECORDING);
  const options = typeof spanOptions === 'function' ? spanOptions() : spanOptions;
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      ...(options.attributes ? { attributes: options.attributes } : {}),
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    if (span.isRecording()) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
    }
    throw error;
  } finally {
    span.end();
  }
}

export { SpanKind };
