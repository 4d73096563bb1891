/**
 * Command line of `npm run bench:mixed`. Flags take `--name=value` or `--name value`; flags win over
 * environment variables (BENCH_MIXED_*), which win over the defaults.
 */
import { LOCAL_MEMBER_HEAP } from '../../src/local/member-heap';
import { parseFlags } from '../bench-saga/options';
import { parseDuration, SOAK_MODES, type SoakMode, type SoakOptions } from '../bench-soak/options';
import { optionReader, UsageError } from '../bench/usage';

/** What it shares with the soak keeps the soak's meaning (see SoakOptions). */
export interface MixedOptions extends Pick<
  SoakOptions,
  | 'sagaSampleEvery'
  | 'customers'
  | 'products'
  | 'maxInFlight'
  | 'settleTimeoutMs'
  | 'heap'
  | 'outDir'
  | 'note'
> {
  /** Iterations per second of the mix, one fresh system and run per rate, in this order. */
  readonly rates: readonly number[];
  /** How long each rate is offered. */
  readonly durationMs: number;
  readonly mode: SoakMode;
}

export const USAGE = `Usage: npm run bench:mixed -- [options]

  --rates <list>          iterations/s, one run each, e.g. 100,250,500 (env BENCH_MIXED_RATES, default 100,250,500)
  --duration <t>          load per rate: 300, 300s or 5m            (env BENCH_MIXED_DURATION, default 5m)
  --mode <m>              memory or postgres                        (env BENCH_MIXED_MODE, default memory)
  --saga-sample <n>       read back the saga of 1 order in n for the saga latency (default 5)
  --customers <n>         customer pool the orders use             (default 100)
  --products <n>          product pool the orders and reservations use (default 100)
  --max-in-flight <n>     vegeta's workers: requests in flight at most (default 1024)
  --settle-timeout <t>    after the load, wait this long for sagas to end (default 90s)
  --heap <size>           member heap                              (default ${LOCAL_MEMBER_HEAP}, as npm start)
  --out <dir>             result files (JSON and SVG chart)        (default .run/bench-mixed)
  --note <text>           what else the machine was doing, kept with the result
  --help

Short run: npm run bench:mixed -- --duration 60s
`;

const VALUED = [
  'rates',
  'duration',
  'mode',
  'saga-sample',
  'customers',
  'products',
  'max-in-flight',
  'settle-timeout',
  'heap',
  'out',
  'note',
];

function parseRates(text: string): number[] {
  const rates = text.split(',').map((part) => Number(part.trim()));
  if (rates.length === 0 || rates.some((rate) => !Number.isInteger(rate) || rate < 1 || rate > 20_000)) {
    throw new UsageError(`--rates must be whole numbers from 1 to 20000, comma separated, got '${text}'`);
  }
  return rates;
}

export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): MixedOptions {
  const flags = parseFlags(argv, VALUED, ['help']);
  if (flags.has('help')) throw new UsageError('');
  const { pick, number } = optionReader(flags, env, 'BENCH_MIXED_');
  const duration = (flag: string, fallbackMs: number, minMs: number): number => {
    const ms = parseDuration(pick(flag) ?? `${fallbackMs}ms`, flag);
    if (ms < minMs || ms > 3_600_000) {
      throw new UsageError(`--${flag} must be from ${minMs / 1000} s to 3600 s, got '${pick(flag)}'`);
    }
    return ms;
  };
  const mode = pick('mode') ?? 'memory';
  if (!SOAK_MODES.some((known) => known === mode)) {
    throw new UsageError(`--mode must be memory or postgres, got '${mode}'`);
  }
  const heap = pick('heap') ?? LOCAL_MEMBER_HEAP;
  if (!/^\d+[mMgG]$/.test(heap)) throw new UsageError(`--heap must look like 512m or 2g, got '${heap}'`);
  return {
    rates: parseRates(pick('rates') ?? '100,250,500'),
    durationMs: duration('duration', 300_000, 5_000),
    mode: mode as SoakMode,
    sagaSampleEvery: Math.round(number('saga-sample', 5, 1, 1_000_000)),
    customers: Math.round(number('customers', 100, 1, 100_000)),
    products: Math.round(number('products', 100, 2, 100_000)),
    maxInFlight: Math.round(number('max-in-flight', 1024, 1, 100_000)),
    settleTimeoutMs: duration('settle-timeout', 90_000, 1_000),
    heap,
    outDir: pick('out'),
    note: pick('note') ?? '',
  };
}
