/**
 * Which HTTP load tool holds a constant rate with the least CPU? Starts the memory-mode system of the soak,
 * creates one product, then offers GET /api/products/{id} of the inventory service at --rate for
 * --duration with vegeta and then with artillery (if --artillery names its bin script: default settings,
 * then with 10 pooled connections), each open loop. Per tool it prints requests sent and answered 200, the
 * rate it held, latency p50/p99 as the tool reports it, the tool's CPU seconds (every process of it, read
 * from /proc after it ends), the same for a run of one request (start-up), and the inventory service's CPU.
 *
 *   node build/scripts/load-tools/compare.js [--rate 500] [--duration 30s] [--artillery <its bin/run>]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { Cleanup } from '../bench/cleanup';
import { processCpuSeconds } from '../bench/cpu';
import { exitWhenDone } from '../bench/lifecycle';
import { optionReader, parseOrExit, UsageError } from '../bench/usage';
import { parseFlags } from '../bench-saga/options';
import { createShop } from '../bench-saga/shop';
import { parseDuration } from '../bench-soak/options';
import { startSoakSystem } from '../bench-soak/system';
import { startMeasured } from './measured-process';
import { targetLine, vegetaBinary } from './vegeta';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const USAGE =
  'Usage: node build/scripts/load-tools/compare.js [--rate 500] [--duration 30s] [--artillery <bin/run>]\n';

interface Figures {
  readonly sent: number;
  readonly ok: number;
  readonly heldPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

interface Tool {
  readonly name: string;
  /** A bash command line: $1 the result directory, $2… what `args` gives. */
  readonly script: string;
  args(rate: number, durationS: number): string[];
  read(dir: string, durationS: number): Figures;
}

const vegetaReport = z.object({
  requests: z.number(),
  rate: z.number(),
  latencies: z.object({ '50th': z.number(), '99th': z.number() }),
  status_codes: z.record(z.string(), z.number()),
});

const artilleryReport = z.object({
  aggregate: z.object({
    counters: z.record(z.string(), z.number()),
    summaries: z.record(z.string(), z.object({ p50: z.number(), p99: z.number() })),
  }),
});

/** vegeta as its README starts it: a target file, results to a file, then its report. */
function vegetaTool(binary: string, url: string): Tool {
  return {
    name: 'vegeta',
    script:
      'printf %s "$5" > "$1/targets.json" && "$2" attack -format=json -targets="$1/targets.json" ' +
      '-rate="$3/1s" -duration="$4s" -output="$1/results.bin" && ' +
      '"$2" report -type=json "$1/results.bin" > "$1/vegeta.json"',
    args: (rate, durationS) => [binary, String(rate), String(durationS), targetLine('GET', url)],
    read: (dir) => {
      const report = vegetaReport.parse(JSON.parse(readFileSync(join(dir, 'vegeta.json'), 'utf8')));
      return {
        sent: report.requests,
        ok: report.status_codes['200'] ?? 0,
        heldPerSecond: report.rate,
        p50Ms: report.latencies['50th'] / 1e6,
        p99Ms: report.latencies['99th'] / 1e6,
      };
    },
  };
}

/** Artillery as its docs start it: one virtual user per arrival; `pool` shares that many connections. */
function artilleryTool(bin: string, base: string, path: string, pool?: number): Tool {
  return {
    name: pool ? `artillery (http.pool ${pool})` : 'artillery',
    script:
      'printf %s "$4" > "$1/artillery.json" && ' +
      '"$2" "$3" run --quiet --output "$1/artillery-report.json" "$1/artillery.json" > /dev/null',
    args: (rate, durationS) => [
      process.execPath,
      bin,
      JSON.stringify({
        config: {
          target: base,
          phases: [{ duration: durationS, arrivalRate: rate }],
          ...(pool ? { http: { pool } } : {}),
        },
        scenarios: [{ flow: [{ get: { url: path } }] }],
      }),
    ],
    read: (dir, durationS) => {
      const report = artilleryReport.parse(
        JSON.parse(readFileSync(join(dir, 'artillery-report.json'), 'utf8')),
      ).aggregate;
      const sent = report.counters['http.requests'] ?? 0;
      const latency = report.summaries['http.response_time'];
      return {
        sent,
        ok: report.counters['http.codes.200'] ?? 0,
        // Artillery reports no rate over the whole run: requests over the planned duration.
        heldPerSecond: sent / durationS,
        p50Ms: latency?.p50 ?? Number.NaN,
        p99Ms: latency?.p99 ?? Number.NaN,
      };
    },
  };
}

async function measure(
  tool: Tool,
  dir: string,
  rate: number,
  durationS: number,
  servicePid: number,
): Promise<{ cpuSeconds: number; serviceCpuSeconds: number }> {
  const before = processCpuSeconds(servicePid) ?? 0;
  const run = startMeasured(tool.script, [dir, ...tool.args(rate, durationS)], {
    ...process.env,
    ARTILLERY_DISABLE_TELEMETRY: 'true',
  });
  run.stdin.end();
  let stderr = '';
  run.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  run.stdout.resume();
  const { code, cpuSeconds } = await run.ended;
  if (code !== 0) throw new Error(`${tool.name} exited with code ${code}: ${stderr.slice(-2_000)}`);
  return { cpuSeconds, serviceCpuSeconds: (processCpuSeconds(servicePid) ?? 0) - before };
}

function parseOptions(argv: readonly string[]): { rate: number; durationS: number; artillery?: string } {
  const flags = parseFlags(argv, ['rate', 'duration', 'artillery'], ['help']);
  if (flags.has('help')) throw new UsageError('');
  const { pick, number } = optionReader(flags, process.env, 'COMPARE_');
  const artillery = pick('artillery');
  return {
    rate: number('rate', 500, 1, 100_000),
    durationS: parseDuration(pick('duration') ?? '30s', 'duration') / 1000,
    ...(artillery ? { artillery } : {}),
  };
}

async function main(): Promise<void> {
  const options = parseOrExit('load-tools/compare', USAGE, () => parseOptions(process.argv.slice(2)));
  const vegeta = await vegetaBinary();
  const dir = mkdtempSync(join(tmpdir(), 'load-tools-'));
  const cleanup = new Cleanup(say);
  cleanup.push('result directory', async () => rmSync(dir, { recursive: true, force: true }));
  try {
    const system = await startSoakSystem(
      {
        mode: 'memory',
        runId: 'cmp',
        dir,
        heap: '1g',
        maxInFlight: 16,
        keepData: false,
        pgStatements: false,
        say,
      },
      cleanup,
    );
    const shop = await createShop(system.http, { customers: 1, products: 1, tag: 'cmp' });
    const base = system.services.inventory.baseUrl;
    const path = `/api/products/${shop.productIds[0]}`;
    const tools = [
      vegetaTool(vegeta, `${base}${path}`),
      ...(options.artillery
        ? [artilleryTool(options.artillery, base, path), artilleryTool(options.artillery, base, path, 10)]
        : []),
    ];
    const rows: string[] = [];
    for (const tool of tools) {
      say(`${tool.name}: start-up (1 request) …`);
      const idle = await measure(tool, dir, 1, 1, system.services.inventory.pid!);
      say(`${tool.name}: ${options.rate}/s for ${options.durationS} s …`);
      const run = await measure(tool, dir, options.rate, options.durationS, system.services.inventory.pid!);
      const figures = tool.read(dir, options.durationS);
      const perRequestMs = ((run.cpuSeconds - idle.cpuSeconds) / figures.sent) * 1000;
      rows.push(
        `| ${tool.name} | ${figures.sent} | ${figures.ok} | ${figures.heldPerSecond.toFixed(1)} | ` +
          `${figures.p50Ms.toFixed(2)} | ${figures.p99Ms.toFixed(2)} | ${run.cpuSeconds.toFixed(2)} | ` +
          `${idle.cpuSeconds.toFixed(2)} | ${perRequestMs.toFixed(3)} | ${run.serviceCpuSeconds.toFixed(2)} |`,
      );
    }
    say(
      '\n| tool | sent | 200 | held/s | p50 ms | p99 ms | tool CPU s | of it start-up | ' +
        'CPU ms per request (less start-up) | inventory CPU s |',
    );
    say('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const row of rows) say(row);
  } finally {
    await cleanup.runAll();
  }
}

exitWhenDone(
  'load-tools/compare',
  main(),
  () => false,
  async () => undefined,
);
