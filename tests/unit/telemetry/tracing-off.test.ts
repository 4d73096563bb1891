import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { tracingSettings } from '../../../src/telemetry/tracing-settings';

// The SDK module must never be loaded with tracing off: make loading it fail the test.
jest.mock('../../../src/telemetry/sdk', () => {
  throw new Error('the OpenTelemetry SDK was loaded although tracing is off');
});

type Telemetry = typeof import('../../../src/telemetry');
// A fresh copy per test (jest.resetModules), so no test sees another's started SDK.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadTelemetry = (): Telemetry => require('../../../src/telemetry') as Telemetry;

describe('tracing off', () => {
  beforeEach(() => jest.resetModules());

  test.each([
    ['no endpoint', {}],
    ['an empty endpoint', { OTEL_EXPORTER_OTLP_ENDPOINT: '' }],
    ['the switch off', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', TRACING_ENABLED: 'false' }],
  ])('with %s no SDK is loaded or started and spans are the no-op API', async (_, env) => {
    const telemetry = loadTelemetry();
    const tracing = telemetry.startTracing('test', env);
    expect(tracing.enabled).toBe(false);
    expect(telemetry.tracingStarted()).toBe(false);

    // No tracer provider and no context manager were registered: the API hands out non-recording spans
    // and there is never an active one.
    const span = trace.getTracer('x').startSpan('y');
    expect(span.isRecording()).toBe(false);
    span.end();
    expect(trace.getActiveSpan()).toBeUndefined();
    expect(context.active()).toBe(ROOT_CONTEXT);

    // inSpan is just the call: the work gets a non-recording span and no context is entered.
    const seen = await telemetry.inSpan('event.append Stock', {}, async (inner) => {
      expect(inner.isRecording()).toBe(false);
      return trace.getActiveSpan();
    });
    expect(seen).toBeUndefined();
    await telemetry.shutdownTracing();
  });

  test('(the guard works: with an endpoint the SDK module is loaded, and here that fails)', async () => {
    const telemetry = loadTelemetry();
    expect(() =>
      telemetry.startTracing('test', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }),
    ).toThrow(/SDK was loaded/);
  });
});

describe('tracing settings', () => {
  test('on with an endpoint, ratio 1 unless told', () => {
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({
      enabled: true,
      endpoint: 'http://collector:4318',
      sampleRatio: 1,
    });
    expect(
      tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', TRACING_SAMPLE_RATIO: '0.25' })
        .sampleRatio,
    ).toBe(0.25);
  });

  test('a bad value leaves tracing off (loadServiceConfig reports it)', () => {
    expect(
      tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', TRACING_SAMPLE_RATIO: '2' })
        .enabled,
    ).toBe(false);
  });
});
