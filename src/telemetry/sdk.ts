// Loaded only when tracing is on (see start-tracing.ts): requiring the SDK and the instrumentations is most of
// what tracing costs at start-up, and with tracing off none of it happens.
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';

export interface SdkOptions {
  readonly serviceName: string;
  /** OTLP/HTTP base URL; spans are posted to <endpoint>/v1/traces. */
  readonly endpoint: string;
  readonly sampleRatio: number;
}

export interface RunningSdk {
  shutdown(): Promise<void>;
}

export function startSdk(options: SdkOptions): RunningSdk {
  const exporter = new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces` });
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    // No cloud or host detectors: some of them probe metadata endpoints over the network at start.
    autoDetectResources: false,
    resourceDetectors: [],
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio) }),
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 1_000 })],
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      getNodeAutoInstrumentations({
        // A span per file read, DNS lookup or socket is noise next to the HTTP and event spans.
        '@opentelemetry/instrumentation-fs': { enabled: false },
        '@opentelemetry/instrumentation-dns': { enabled: false },
        '@opentelemetry/instrumentation-net': { enabled: false },
        // Metrics are prom-client's job here.
        '@opentelemetry/instrumentation-runtime-node': { enabled: false },
        '@opentelemetry/instrumentation-http': {
          // Probes and scrapes are not requests anyone wants to see in a trace.
          ignoreIncomingRequestHook: (request) => /^\/(health|ready|live|metrics)/.test(request.url ?? ''),
        },
      }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
