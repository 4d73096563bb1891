/**
 * `npm run bench:tracing`: what does tracing cost? In one run it starts its own Hazelcast member and a real
 * Jaeger, and three inventory service processes side by side, each with its own products:
 *   off       no OTEL_EXPORTER_OTLP_ENDPOINT: no SDK loaded, the event-span code runs its no-op path
 *   sdk-idle  the SDK and the HTTP/Koa instrumentations loaded, TRACING_SAMPLE_RATIO=0: spans are created but
 *             not recorded, nothing is exported ("off, but the instrumentation code is present")
 *   on        the SDK exporting every trace (ratio 1) over OTLP/HTTP to the running Jaeger
 * It measures stock reservations over HTTP (POST /api/products/{id}/stock/reserve, closed loop, fixed
 * concurrency) in rounds, the three modes one after another in each round (rotating the order), and
 * reports per mode the medians over rounds of throughput and latency, with ratios to "off". A first
 * warm-up round of all three is run and not counted.
 *
 *   npm run bench:tracing -- [--rounds 5] [--duration-s 8] [--warmup-s 2] [--concurrency 16] [--quick]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { connectHazelcast } from '../src/hazelcast/client';
import { HAZELCAST_VERSION, requireJava } from '../src/hazelcast/jar';
import { projectRoot, startMember } from '../src/hazelcast/member';
import { ServiceProcess } from '../src/local/service-process';
import { findFreePort } from '../src/net/free-port';
import { runClosedLoop } from './bench/closed-loop';
import { createHttpClient, setUpHttp, type HttpLoadClient, type HttpScenario } from './bench/http-scenario';
import { benchServiceEnv } from './bench/service-env';
import { destroyPrefixed } from './bench/workload';
import { startJaeger, type RunningJaeger } from './tracing-tools/jaeger-process';

const HOST = '127.0.0.1';
const MODES = ['off', 'sdk-idle', 'on'] as const;
type Mode = (typeof MODES)[number];
const say = (line: string): void => void process.stdout.write(`${line}\n`);

interface Options {
  readonly rounds: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly concurrency: number;
  readonly products: number;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string, fallback: number): number => {
    const index = argv.indexOf(name);
    if (index < 0) return fallback;
    const parsed = Number(argv[index + 1]);
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${name} needs a positive number`);
    return parsed;
  };
  const quick = argv.includes('--quick');
  return {
    rounds: value('--rounds', quick ? 2 : 5),
    durationMs: value('--duration-s', quick ? 3 : 8) * 1000,
    warmupMs: value('--warmup-s', quick ? 1 : 2) * 1000,
    concurrency: value('--concurrency', 16),
    products: value('--products', 200),
  };
}

interface Sample {
  readonly opsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

interface Target {
  readonly mode: Mode;
  readonly service: ServiceProcess;
  readonly client: HttpLoadClient;
  scenario?: HttpScenario;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const root = projectRoot();
  const outDir = join(root, '.run', 'bench');
  mkdirSync(outDir, { recursive: true });
  const runId = `tr${Date.now().toString(36)}`;
  const java = await requireJava();
  say(
    `bench:tracing: ${options.rounds} rounds × ${MODES.join(' / ')}, ${options.durationMs / 1000} s measured after ` +
      `${options.warmupMs / 1000} s warm-up each, ${options.concurrency} in flight, ${options.products} products per mode`,
  );
  say(
    `Machine: ${os.cpus().length} cores, Node ${process.version}, Java ${java.version}; results go to ${outDir}`,
  );

  const cleanups: Array<() => Promise<void>> = [];
  const cleanUp = async (): Promise<void> => {
    while (cleanups.length > 0)
      await cleanups.pop()!().catch((error: unknown) => say(`  cleanup: ${String(error)}`));
  };
  process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));
  try {
    say(`Starting a Hazelcast ${HAZELCAST_VERSION} member and Jaeger …`);
    const member = await startMember({
      clusterName: `bench-${runId}`,
      host: HOST,
      heap: '1g',
      logFile: join(outDir, 'tracing-hazelcast-member.log'),
    });
    cleanups.push(() => member.stop());
    const jaeger: RunningJaeger = await startJaeger({ logFile: join(outDir, 'tracing-jaeger.log') });
    cleanups.push(() => jaeger.stop());
    const hz = await connectHazelcast({ clusterName: member.clusterName, addresses: [member.address] });
    cleanups.push(async () => {
      for (const mode of MODES) await destroyPrefixed(hz, `${runId}-${mode}.`);
      await hz.shutdown();
    });

    const modeEnv: Readonly<Record<Mode, Record<string, string>>> = {
      off: {},
      'sdk-idle': { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, TRACING_SAMPLE_RATIO: '0' },
      on: { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, TRACING_SAMPLE_RATIO: '1' },
    };
    const targets: Target[] = [];
    for (const mode of MODES) {
      const service = new ServiceProcess({
        name: 'inventory',
        port: await findFreePort(HOST),
        buildDir: join(root, 'build'),
        logFile: join(outDir, `tracing-inventory-${mode}.log`),
        env: {
          ...benchServiceEnv(member, `${runId}-${mode}.`),
          ...modeEnv[mode],
        },
      });
      service.start();
      cleanups.push(() => service.stop());
      await service.waitReady(60_000);
      const client = createHttpClient('http', service.baseUrl, options.concurrency + 1);
      cleanups.push(async () => client.close());
      const target: Target = { mode, service, client };
      target.scenario = await setUpHttp(client, { products: options.products, orderTag: `${mode}` });
      targets.push(target);
      say(`  inventory (${mode}) ready on ${service.baseUrl}`);
    }

    const samples: Record<Mode, Sample[]> = { off: [], 'sdk-idle': [], on: [] };
    // Round 0 is not counted: the member's JIT and the services' V8 compile their hot paths during it.
    for (let round = -1; round < options.rounds; round++) {
      const order = targets.map((_, index) => targets[(index + Math.max(round, 0)) % targets.length]!);
      for (const target of order) {
        const loop = await runClosedLoop(target.scenario!.operation, {
          label: `round ${round + 1} ${target.mode}`,
          concurrency: options.concurrency,
          warmupMs: options.warmupMs,
          durationMs: options.durationMs,
          maxOps: Number.MAX_SAFE_INTEGER,
          drainTimeoutMs: 15_000,
          progressEveryMs: 60_000,
          say: () => {},
        });
        const sample: Sample = {
          opsPerSecond: loop.opsPerSecond,
          p50Ms: loop.latency.percentileMs(0.5),
          p99Ms: loop.latency.percentileMs(0.99),
          errors: loop.errors,
        };
        if (round >= 0) samples[target.mode].push(sample);
        say(
          `  ${round < 0 ? 'warm-up' : `round ${round + 1}`} ${target.mode.padEnd(8)} ${sample.opsPerSecond.toFixed(0).padStart(6)} ops/s  ` +
            `p50 ${sample.p50Ms.toFixed(2)} ms  p99 ${sample.p99Ms.toFixed(2)} ms  errors ${sample.errors}`,
        );
      }
    }

    // Evidence that "on" really exported: Jaeger has inventory's spans.
    const exported = (await jaeger.services()).includes('inventory');
    const summary = MODES.map((mode) => ({
      mode,
      opsPerSecond: median(samples[mode].map((sample) => sample.opsPerSecond)),
      p50Ms: median(samples[mode].map((sample) => sample.p50Ms)),
      p99Ms: median(samples[mode].map((sample) => sample.p99Ms)),
      errors: samples[mode].reduce((sum, sample) => sum + sample.errors, 0),
    }));
    const off = summary[0]!;
    // Paired: each mode against "off" of the same round, which saw the same machine load; the median of
    // those is steadier than a ratio of medians when the load drifts during the run.
    const pairedRatio = (mode: Mode, pick: (sample: Sample) => number): number =>
      median(samples[mode].map((sample, round) => pick(sample) / pick(samples.off[round]!)));
    const rows = summary.map((row) => ({
      ...row,
      throughputRatio: row.opsPerSecond / off.opsPerSecond,
      p50Ratio: row.p50Ms / off.p50Ms,
      pairedThroughputRatio: pairedRatio(row.mode, (sample) => sample.opsPerSecond),
      pairedP50Ratio: pairedRatio(row.mode, (sample) => sample.p50Ms),
    }));
    const table = [
      '| mode | ops/s (median) | × off | p50 ms (median) | × off | p99 ms (median) | paired ops/s × off | paired p50 × off | errors |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows.map(
        (row) =>
          `| ${row.mode} | ${row.opsPerSecond.toFixed(0)} | ${row.throughputRatio.toFixed(3)} | ${row.p50Ms.toFixed(2)} | ` +
          `${row.p50Ratio.toFixed(3)} | ${row.p99Ms.toFixed(2)} | ${row.pairedThroughputRatio.toFixed(3)} | ` +
          `${row.pairedP50Ratio.toFixed(3)} | ${row.errors} |`,
      ),
    ].join('\n');
    say(`\n${table}\n`);
    say(`Jaeger received spans from inventory in mode "on": ${exported ? 'yes' : 'NO'}`);
    const result = {
      runId,
      date: new Date().toISOString(),
      machine: { cores: os.cpus().length, node: process.version, java: java.version },
      options,
      jaegerReceivedInventorySpans: exported,
      samples,
      summary: rows,
    };
    writeFileSync(join(outDir, 'tracing.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(join(outDir, 'tracing.md'), `${table}\n`);
    say(`Written: ${join(outDir, 'tracing.json')} and tracing.md`);
    if (!exported) throw new Error('mode "on" exported nothing to Jaeger: the measurement is not of tracing');
  } finally {
    await cleanUp();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench:tracing: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
