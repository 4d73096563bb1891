import type { RunningSdk, SdkOptions } from './sdk';
import { tracingSettings, type TracingSettings } from './tracing-settings';

export interface Tracing {
  readonly enabled: boolean;
  readonly settings: TracingSettings;
}

let running: RunningSdk | undefined;

/**
 * Starts the OpenTelemetry SDK for one service when an OTLP endpoint is configured. Call it before anything
 * requires http or koa (at the top of the service's main), so the instrumentations can patch them. With
 * tracing off nothing is loaded or started: spans come from the API's no-op tracer.
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): Tracing {
  const settings = tracingSettings(env);
  if (!settings.enabled || settings.endpoint === undefined || running)
    return { enabled: running !== undefined, settings };
  const options: SdkOptions = { serviceName, endpoint: settings.endpoint, sampleRatio: settings.sampleRatio };
  // Required lazily on purpose: with tracing off the SDK and its instrumentations are never even loaded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startSdk } = require('./sdk') as typeof import('./sdk');
  running = startSdk(options);
  return { enabled: true, settings };
}

/** Whether this process started the SDK. */
export function tracingStarted(): boolean {
  return running !== undefined;
}

/** Flushes the spans still buffered and stops the SDK; nothing to do when tracing is off. */
export async function shutdownTracing(): Promise<void> {
  const sdk = running;
  running = undefined;
  await sdk?.shutdown();
}
