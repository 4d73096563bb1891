/**
 * Command line of `npm run bench:soak`. Flags take `--name=value` or `--name value`; flags win over
 * environment variables (BENCH_SOAK_*), which win over the defaults.
 */
import { LOCAL_MEMBER_HEAP } from '../../src/local/member-heap';
import { parseFlags } from '../bench-saga/options';
import { optionReader, UsageError } from '../bench/usage';

export const SOAK_MODES = ['memory', 'postgres'] as const;
export type SoakMode = (typeof SOAK_MODES)[number];

export interface SoakOptions {
  /** Load per mode, open loop: iterations per second of the mixed workload. */
  readonly rate: number;
  /** How long each mode is loaded. */
  readonly durationMs: number;
  /** Run in this order: memory first, then postgres. */
  readonly modes: readonly SoakMode[];
  /** Live heap, RSS and counters are sampled this often. */
  readonly sampleEveryMs: number;
  /** One order in this many has its saga read back (GET /api/sagas/{id}) for the saga latency. */
  readonly sagaSampleEvery: number;
  readonly customers: number;
  readonly products: number;
  /** Requests in flight at most (the order-and-poll polling is not counted). */
  readonly maxInFlight: number;
  /** After the load: how long to wait for running sagas to end. */
  readonly settleTimeoutMs: number;
  readonly heap: string;
  readonly outDir: string | undefined;
  /** Keep each run's PostgreSQL data directory instead of deleting it. */
  readonly keepData: boolean;
  /** Profile PostgreSQL's statements (pg_stat_statements) and write the busiest per order. */
  readonly pgStatements: boolean;
  readonly note: string;
}

export const USAGE = `Usage: npm run bench:soak -- [options]

  --duration <t>          load per mode: 600, 600s or 10m          (env BENCH_SOAK_DURATION, default 10m)
  --rate <n>              iterations per second of the mixed workload (env BENCH_SOAK_RATE, default 200)
  --mode <m>              memory, postgres or both (memory first) (env BENCH_SOAK_MODE, default both)
  --sample-every <t>      live heap (forces a member full GC), RSS and counters every t
                          (default 10s; shorter for runs under 2 min: duration / 12)
  --saga-sample <n>       read back the saga of 1 order in n for the saga latency (default 5)
  --customers <n>         customer pool the orders use             (default 100)
  --products <n>          product pool the orders and reservations use (default 100)
  --max-in-flight <n>     requests in flight at most               (default 1024)
  --settle-timeout <t>    after the load, wait this long for sagas to end (default 90s)
  --heap <size>           member heap                              (default ${LOCAL_MEMBER_HEAP}, as npm start)
  --out <dir>             result files                             (default .run/bench-soak)
  --keep-data             keep the PostgreSQL data directory of the run
  --pg-statements         profile PostgreSQL's statements (pg_stat_statements): the busiest, per order,
                          to <out>/<run>-postgres/statements.md
  --note <text>           what else the machine was doing, kept with the result
  --help

Smoke run: npm run bench:soak -- --duration 60s
`;

type Env = Readonly<Record<string, string | undefined>>;

const VALUED = [
  'duration',
  'rate',
  'mode',
  'sample-every',
  'saga-sample',
  'customers',
  'products',
  'max-in-flight',
  'settle-timeout',
  'heap',
  'out',
  'note',
];
const SWITCHES = ['keep-data', 'pg-statements', 'help'];

/** "600", "600s", "10m", "1.5m" → ms. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new UsageError(`--${flag} must look like 600, 600s or 10m, got '${text}'`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(unit === 'm' ? value * 60_000 : unit === 's' ? value * 1000 : value);
}

export function parseOptions(argv: readonly string[], env: Env): SoakOptions {
  const flags = parseFlags(argv, VALUED, SWITCHES);
  if (flags.has('help')) throw new UsageError('');
  const { pick, number } = optionReader(flags, env, 'BENCH_SOAK_');
  const duration = (flag: string, fallbackMs: number, minMs: number, maxMs: number): number => {
    const given = pick(flag);
    if (given === undefined || given === '') return fallbackMs;
    const ms = parseDuration(given, flag);
    if (ms < minMs || ms > maxMs) {
      throw new UsageError(`--${flag} must be from ${minMs / 1000} s to ${maxMs / 1000} s, got '${given}'`);
    }
    return ms;
  };
  const modeText = pick('mode') ?? 'both';
  const modes: readonly SoakMode[] =
    modeText === 'both'
      ? SOAK_MODES
      : SOAK_MODES.filter((mode) => mode === modeText).length === 1
        ? [modeText as SoakMode]
        : [];
  if (modes.length === 0) throw new UsageError(`--mode must be memory, postgres or both, got '${modeText}'`);
  const heap = pick('heap') ?? LOCAL_MEMBER_HEAP;
  if (!/^\d+[mMgG]$/.test(heap)) throw new UsageError(`--heap must look like 512m or 2g, got '${heap}'`);
  const durationMs = duration('duration', 600_000, 10_000, 6 * 3_600_000);
  return {
    rate: number('rate', 200, 1, 10_000),
    durationMs,
    modes,
    sampleEveryMs: duration('sample-every', Math.min(10_000, Math.floor(durationMs / 12)), 1_000, 600_000),
    sagaSampleEvery: Math.round(number('saga-sample', 5, 1, 1_000_000)),
    customers: Math.round(number('customers', 100, 1, 100_000)),
    products: Math.round(number('products', 100, 2, 100_000)),
    maxInFlight: Math.round(number('max-in-flight', 1024, 1, 100_000)),
    settleTimeoutMs: duration('settle-timeout', 90_000, 1_000, 3_600_000),
    heap,
    outDir: pick('out'),
    keepData: flags.has('keep-data'),
    pgStatements: flags.has('pg-statements'),
    note: pick('note') ?? '',
  };
}
