import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { z } from 'zod';
import { projectRoot } from '../../src/hazelcast/member';
import { startMeasured, type MeasuredProcess } from './measured-process';

/**
 * vegeta (github.com/tsenart/vegeta/v12), the HTTP load tool of the benchmarks: `attack` sends at a
 * constant rate whatever the answers take (open loop), reading JSON targets lazily from stdin, and its
 * results come back one JSON line each through `encode`. Built once by scripts/load-tools/ensure-vegeta.sh.
 */
const ENSURE = join(projectRoot(), 'scripts', 'load-tools', 'ensure-vegeta.sh');

/** The path of the cached vegeta binary; throws with the install command when it is not installed. */
export async function vegetaBinary(): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('bash', [ENSURE, '--check', '--print-env']);
    const line = stdout.split('\n').find((entry) => entry.startsWith('VEGETA='));
    if (!line) throw new Error(`${ENSURE} --print-env printed no VEGETA= line`);
    return line.slice('VEGETA='.length);
  } catch (error) {
    throw new Error(
      `the HTTP load tool (vegeta) is not installed: run "npm run setup" or "bash ${ENSURE}" ` +
        `(builds it with Go from the module proxy, once).\n${String(error)}`,
    );
  }
}

/** One JSON target line of `attack -format=json` (the body base64, as Go encodes []byte). */
export function targetLine(method: 'GET' | 'POST', url: string, body?: string): string {
  return `${JSON.stringify({
    method,
    url,
    ...(body !== undefined
      ? { body: Buffer.from(body).toString('base64'), header: { 'Content-Type': ['application/json'] } }
      : {}),
  })}\n`;
}

/** One result line of `vegeta encode -to=json`; what the benchmarks read of it. */
const resultLine = z.object({
  code: z.number().int(),
  /** When the request was sent (RFC 3339, wall clock). */
  timestamp: z.string(),
  /** Nanoseconds from sending the request to having read the whole answer. */
  latency: z.number(),
  error: z.string(),
  /** Base64; null when the answer had none. */
  body: z.string().nullable(),
  method: z.string(),
  url: z.string(),
});

export interface VegetaResult {
  readonly code: number;
  readonly sentAtEpochMs: number;
  readonly latencyMs: number;
  readonly error: string;
  readonly body: string;
  readonly method: string;
  readonly url: string;
}

export function parseResult(line: string): VegetaResult {
  const raw = resultLine.parse(JSON.parse(line));
  return {
    code: raw.code,
    sentAtEpochMs: Date.parse(raw.timestamp),
    latencyMs: raw.latency / 1e6,
    error: raw.error,
    body: raw.body === null ? '' : Buffer.from(raw.body, 'base64').toString('utf8'),
    method: raw.method,
    url: raw.url,
  };
}

export interface AttackOptions {
  readonly ratePerSecond: number;
  readonly durationMs: number;
  /** At most this many requests in flight (vegeta's workers). */
  readonly maxWorkers: number;
  readonly timeoutMs: number;
}

export interface VegetaAttack {
  /** Target lines (see targetLine) go to its stdin, ended when there are no more. */
  readonly process: MeasuredProcess;
  /** Every result, in the order the answers came. */
  results(): AsyncIterable<VegetaResult>;
}

/** `vegeta attack -lazy -format=json … | vegeta encode -to=json`, its CPU measured as one. */
export function startAttack(binary: string, options: AttackOptions): VegetaAttack {
  const attack = [
    'attack',
    '-lazy',
    '-format=json',
    `-rate=${options.ratePerSecond}/1s`,
    `-duration=${Math.round(options.durationMs)}ms`,
    `-max-workers=${options.maxWorkers}`,
    `-timeout=${Math.round(options.timeoutMs)}ms`,
  ];
  const measured = startMeasured('"$1" "${@:2}" | "$1" encode -to=json', [binary, ...attack]);
  // Once its duration is up vegeta stops reading targets: what the generator still writes is not sent.
  measured.stdin.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  return {
    process: measured,
    results: async function* () {
      for await (const line of createInterface({ input: measured.stdout })) {
        if (line !== '') yield parseResult(line);
      }
    },
  };
}

/** The attack's processes by what they do ('vegeta attack', 'vegeta encode'), for RSS samples. */
export function attackPids(attack: VegetaAttack): Record<string, number> {
  const named: Record<string, number> = {};
  for (const pid of attack.process.processes()) {
    try {
      const [program, command] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      // Not the shell's own short-lived forks of the pipeline.
      if (program?.endsWith('vegeta') && command) named[`vegeta ${command}`] = pid;
    } catch {
      // gone
    }
  }
  return named;
}
