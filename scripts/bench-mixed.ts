/**
 * `npm run bench:mixed`: the mixed workload of the Java framework's k6 script (54 % orders, 25 % direct
 * reservations, 15 % new customers, 6 % order-and-poll; pools of 100 customers and 100 products), offered
 * open loop by vegeta at each of --rates for --duration, each rate on a fresh system (member, PostgreSQL in
 * postgres mode, the four services). Per rate: sagas completed/s, order create p50/p99 (vegeta's latency),
 * saga p50/p99 (the server's durationMs), CPU per completed saga over every process, RSS of every process.
 * Prints a table and writes JSON and an SVG chart to .run/bench-mixed/. See docs/benchmarks.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { requireJava } from '../src/hazelcast/jar';
import { projectRoot } from '../src/hazelcast/member';
import { Cleanup, withTimeout } from './bench/cleanup';
import { exitWhenDone, startWatchdog } from './bench/lifecycle';
import { codeState, machineInfo } from './bench/report';
import { parseOrExit } from './bench/usage';
import { mixedChart } from './bench-mixed/chart';
import { parseOptions, USAGE } from './bench-mixed/options';
import { renderMixed } from './bench-mixed/render';
import type { MixedResult, RateResult } from './bench-mixed/result';
import { runRate } from './bench-mixed/run-rate';
import { vegetaBinary } from './load-tools/vegeta';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

let aborted = false;
let current: Cleanup | undefined;
let running: Promise<RateResult> | undefined;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parseOrExit('bench:mixed', USAGE, () => parseOptions(argv, process.env));
  const startedAt = new Date();
  const outDir = resolve(options.outDir ?? join(projectRoot(), '.run', 'bench-mixed'));
  mkdirSync(outDir, { recursive: true });
  const runId = startedAt.getTime().toString(36);

  const stopEverything = async (why: string, code: number): Promise<never> => {
    aborted = true;
    say(`\n${why}: stopping what this run started …`);
    if (running) await withTimeout(running, 180_000, 'run').catch(() => undefined);
    await current?.runAll();
    say('Stopped.');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => void stopEverything(`Got ${signal}`, 130));
  }
  const perRateMs = 240_000 + options.durationMs + options.settleTimeoutMs + 120_000;
  startWatchdog(60_000 + options.rates.length * perRateMs, stopEverything);

  const vegeta = await vegetaBinary();
  const java = await requireJava();
  say(
    `bench:mixed: ${options.rates.join(', ')} iterations/s, ${options.durationMs / 1000} s each, ` +
      `${options.mode} mode; results in ${outDir}`,
  );
  const runs: RateResult[] = [];
  for (const rate of options.rates) {
    if (aborted) break;
    say(`\n== ${rate} iterations/s ==`);
    const cleanup = new Cleanup(say);
    current = cleanup;
    const dir = join(outDir, `${runId}-${rate}`);
    mkdirSync(dir, { recursive: true });
    running = runRate({ options, rate, runId, dir, vegeta, cleanup, aborted: () => aborted, say });
    try {
      runs.push(await running);
    } finally {
      say(`  stopping the system of ${rate}/s …`);
      await cleanup.runAll();
      running = undefined;
    }
  }
  if (aborted) return;

  const code = codeState(projectRoot());
  const result: MixedResult = {
    format: 'bench-mixed/1',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: `npm run bench:mixed${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    options,
    machine: machineInfo(java.version),
    ...(code ? { code } : {}),
    runs,
  };
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const jsonFile = join(outDir, `bench-mixed-${stamp}.json`);
  const svgFile = join(outDir, `bench-mixed-${stamp}.svg`);
  writeFileSync(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(svgFile, mixedChart(result));
  say(`\n${renderMixed(result)}\n\nWritten: ${jsonFile}\n         ${svgFile}`);
}

exitWhenDone(
  'bench:mixed',
  main(),
  () => aborted,
  async () => current?.runAll(),
);
