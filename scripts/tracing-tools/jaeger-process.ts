import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort } from '../../src/net/free-port';
import { sleep } from '../../src/core/sleep';

const run = promisify(execFile);

/** A tag of a span or process as Jaeger's query API returns it. */
export interface JaegerTag {
  readonly key: string;
  readonly type: string;
  readonly value: string | number | boolean;
}

export interface JaegerSpan {
  readonly traceID: string;
  readonly spanID: string;
  readonly operationName: string;
  readonly references: ReadonlyArray<{
    readonly refType: string;
    readonly traceID: string;
    readonly spanID: string;
  }>;
  readonly tags: readonly JaegerTag[];
  readonly processID: string;
  readonly startTime: number;
  readonly duration: number;
}

export interface JaegerTrace {
  readonly traceID: string;
  readonly spans: readonly JaegerSpan[];
  readonly processes: Readonly<Record<string, { readonly serviceName: string }>>;
}

export interface RunningJaeger {
  /** OTLP/HTTP base URL for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly otlpEndpoint: string;
  /** The query API and UI, e.g. http://127.0.0.1:PORT/api/traces/<id>. */
  readonly queryUrl: string;
  readonly logFile: string;
  /** The trace, or undefined while Jaeger does not have it (yet). */
  trace(traceId: string): Promise<JaegerTrace | undefined>;
  /** Service names Jaeger has received spans from. */
  services(): Promise<string[]>;
  stop(): Promise<void>;
}

const ROOT = join(
  __dirname,
  '..',
  '..',
  ...(__dirname.includes(`${join('build', 'scripts')}`) ? ['..'] : []),
);
const ENSURE = join(ROOT, 'scripts', 'tracing-tools', 'ensure-tracing-tools.sh');

/** The path of the cached Jaeger binary; throws with the install command when it is not installed. */
export async function jaegerBinary(): Promise<string> {
  try {
    const { stdout } = await run('bash', [ENSURE, '--check', '--print-env']);
    const line = stdout.split('\n').find((entry) => entry.startsWith('JAEGER='));
    if (!line) throw new Error(`${ENSURE} --print-env printed no JAEGER= line`);
    return line.slice('JAEGER='.length);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(
      `the trace collector (Jaeger) is not installed: run "bash scripts/tracing-tools/ensure-tracing-tools.sh" ` +
        `(builds it with Go from the module proxy, once).\n${stderr || String(error)}`,
    );
  }
}

function config(ports: { otlp: number; query: number; queryGrpc: number; health: number }): string {
  // Jaeger v2 all-in-one reduced to what the tests need: OTLP/HTTP in, memory storage, the query API out,
  // everything on 127.0.0.1 and on ports found free (no fixed 4317/4318/16686/8888/13133).
  return `service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: info
extensions:
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:${ports.health}
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:${ports.query}
    grpc:
      endpoint: 127.0.0.1:${ports.queryGrpc}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${ports.otlp}
processors:
  batch:
    timeout: 200ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`;
}

/** Starts Jaeger with memory storage on free loopback ports; fails loudly when it cannot be had. */
export async function startJaeger(options: { logFile: string; timeoutMs?: number }): Promise<RunningJaeger> {
  const binary = await jaegerBinary();
  const ports = {
    otlp: await findFreePort(),
    query: await findFreePort(),
    queryGrpc: await findFreePort(),
    health: await findFreePort(),
  };
  const dir = mkdtempSync(join(tmpdir(), 'jaeger-'));
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, config(ports));
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child: ChildProcess = spawn(binary, ['--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve();
    }),
  );
  const queryUrl = `http://127.0.0.1:${ports.query}`;
  const stop = async (): Promise<void> => {
    if (exitCode === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (exitCode !== undefined) {
      await stop();
      throw new Error(`jaeger exited with code ${exitCode} before it was ready; see ${options.logFile}`);
    }
    try {
      const response = await fetch(`${queryUrl}/api/services`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`jaeger was not ready on ${queryUrl} in time; see ${options.logFile}`);
    }
    await sleep(100);
  }
  return {
    otlpEndpoint: `http://127.0.0.1:${ports.otlp}`,
    queryUrl,
    logFile: options.logFile,
    trace: async (traceId) => {
      const response = await fetch(`${queryUrl}/api/traces/${traceId}`);
      if (response.status === 404) return undefined;
      if (!response.ok)
        throw new Error(`GET /api/traces/${traceId}: ${response.status} ${await response.text()}`);
      const body = (await response.json()) as { data?: JaegerTrace[] };
      return body.data?.[0];
    },
    services: async () => {
      const response = await fetch(`${queryUrl}/api/services`);
      const body = (await response.json()) as { data?: string[] | null };
      return body.data ?? [];
    },
    stop,
  };
}

/** A span's tag value, or undefined. */
export function tagOf(span: JaegerSpan, key: string): JaegerTag['value'] | undefined {
  return span.tags.find((tag) => tag.key === key)?.value;
}

/** The service that produced a span. */
export function serviceOf(trace: JaegerTrace, span: JaegerSpan): string | undefined {
  return trace.processes[span.processID]?.serviceName;
}
