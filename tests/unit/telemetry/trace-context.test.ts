import { ROOT_CONTEXT, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { eventEnvelopeSchema } from '../../../src/events/envelope';
import type { EventSourcingRuntime } from '../../../src/runtime/event-sourcing-runtime';
import {
  contextFromTraceparent,
  currentTraceparent,
  formatTraceparent,
  parseTraceparent,
  traceparentForEvents,
} from '../../../src/telemetry';
import { stockDecider } from '../../core/stock-fixture';
import { inMemoryRuntime } from '../../support/in-memory-runtime';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('W3C traceparent', () => {
  test('parses and formats back to the same string', () => {
    const parsed = parseTraceparent(TRACEPARENT);
    expect(parsed).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(formatTraceparent(parsed!)).toBe(TRACEPARENT);
  });

  test.each([
    undefined,
    '',
    'garbage',
    '00-00000000000000000000000000000000-00f067aa0ba902b7-01', // all-zero trace id is invalid
    '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', // all-zero span id is invalid
    '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', // only version 00 is understood
  ])('rejects %p', (value) => {
    expect(parseTraceparent(value)).toBeUndefined();
    expect(contextFromTraceparent(value)).toBe(ROOT_CONTEXT);
  });

  test('the context a traceparent names has that span as its (remote) parent', () => {
    expect(currentTraceparent(contextFromTraceparent(TRACEPARENT))).toBe(TRACEPARENT);
  });

  test('events carry the active span when the command names no traceparent or one of the same trace', () => {
    const child: SpanContext = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '1111111111111111',
      traceFlags: TraceFlags.SAMPLED,
    };
    const active = trace.setSpanContext(ROOT_CONTEXT, child);
    const childTraceparent = formatTraceparent(child);
    expect(traceparentForEvents(undefined, active)).toBe(childTraceparent);
    expect(traceparentForEvents(TRACEPARENT, active)).toBe(childTraceparent);
    const other = '00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-00f067aa0ba902b7-01';
    expect(traceparentForEvents(other, active)).toBe(other);
    expect(traceparentForEvents(TRACEPARENT, ROOT_CONTEXT)).toBe(TRACEPARENT);
    expect(traceparentForEvents(undefined, ROOT_CONTEXT)).toBeUndefined();
  });
});

describe('traceparent through the envelope', () => {
  let runtime: EventSourcingRuntime;

  beforeEach(() => {
    runtime = inMemoryRuntime();
  });

  afterEach(() => runtime.close());

  test('the command metadata traceparent is on every event, in the store and after a JSON round trip', async () => {
    const stock = runtime.repository('Stock', stockDecider);
    const result = await stock.handle(
      's1',
      { type: 'Note', texts: ['a', 'b'] },
      { correlationId: 'c-1', traceparent: TRACEPARENT },
    );
    expect(result.events.map((event) => event.traceparent)).toEqual([TRACEPARENT, TRACEPARENT]);

    const stored = await stock.events('s1', 10);
    const wire = stored.map((event) => eventEnvelopeSchema.parse(JSON.parse(JSON.stringify(event))));
    expect(wire.map((event) => event.traceparent)).toEqual([TRACEPARENT, TRACEPARENT]);
    expect(currentTraceparent(contextFromTraceparent(wire[0]!.traceparent))).toBe(TRACEPARENT);
  });

  test('with tracing off, no traceparent is invented and a given one passes through unchanged', async () => {
    const stock = runtime.repository('Stock', stockDecider);
    const plain = await stock.handle('s1', { type: 'Open', level: 1 }, { correlationId: 'c-1' });
    expect(plain.events[0]?.traceparent).toBeUndefined();
    expect('traceparent' in plain.events[0]!).toBe(false);
  });
});
