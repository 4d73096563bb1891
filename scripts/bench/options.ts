import { UsageError } from './usage';
/**
 * Command line and environment of `npm run bench:core`. Flags win over environment variables, which win
 * over the defaults; `--quick` only changes the defaults (an explicit duration still applies).
 */

export const PHASES = ['raw', 'framework', 'raw-hot', 'framework-hot', 'http'] as const;
export type Phase = (typeof PHASES)[number];

export const HTTP_CLIENTS = ['http', 'fetch'] as const;
export type HttpClientKind = (typeof HTTP_CLIENTS)[number];

/** Experiments on the raw baseline only, to measure what a fix would gain (default: mirror the framework). */
export const RAW_VIEWS = ['mirror', 'bounded'] as const;
export const RAW_CONFLICTS = ['walk', 'reread'] as const;
export type RawView = (typeof RAW_VIEWS)[number];
export type RawConflict = (typeof RAW_CONFLICTS)[number];

export interface BenchOptions {
  readonly durationMs: number;
  readonly warmupMs: number;
  /** Unmeasured load before the first phase, so the member's JIT is warm for every phase alike. */
  readonly memberWarmupMs: number;
  readonly concurrency: number;
  readonly products: number;
  readonly phases: readonly Phase[];
  readonly httpClient: HttpClientKind;
  readonly quick: boolean;
  /** Member heap, -Xms/-Xmx. */
  readonly heap: string;
  /** Where the JSON result and the markdown section go; default .run/bench/. */
  readonly outDir: string | undefined;
  /** Runs the inventory service with --cpu-prof (profile written to the out dir when it stops). */
  readonly profileService: boolean;
  /** Hard cap on operations per phase, so a loop is bounded in count as well as in time. */
  readonly maxOpsPerPhase: number;
  /** Free text recorded with the result: what else the machine was doing. */
  readonly note: string;
  /** mirror: the view keeps every reservation, like the inventory decider; bounded: it does not. */
  readonly rawView: RawView;
  /** walk: a conflict folds the one winning commit and retries (the framework); reread: re-reads the view. */
  readonly rawConflict: RawConflict;
}

export const USAGE = `Usage: npm run bench:core -- [options]

  --quick                 smoke run: 3 s per phase after a 1 s warm-up (3 s member warm-up)
  --duration=<s>          measured seconds per phase      (env BENCH_DURATION_S, default 15)
  --warmup=<s>            warm-up seconds per phase       (env BENCH_WARMUP_S, default 3)
  --member-warmup=<s>     unmeasured load before the first phase, to warm the member JVM
                                                          (env BENCH_MEMBER_WARMUP_S, default 10)
  --concurrency=<n>       operations in flight            (env BENCH_CONCURRENCY, default 64)
  --products=<n>          products the load is spread on  (env BENCH_PRODUCTS, default 100)
  --phases=<list>         comma-separated subset of ${PHASES.join(',')}
                                                          (env BENCH_PHASES, default all)
  --http-client=<kind>    load generator for the http phase: http (node:http, keep-alive agent) or fetch
                                                          (env BENCH_HTTP_CLIENT, default http)
  --heap=<size>           member heap                     (env BENCH_HEAP, default 512m)
  --out=<dir>             result files                    (env BENCH_OUT_DIR, default .run/bench)
  --profile-service       run the inventory service with --cpu-prof (profile in the out dir)
  --max-ops=<n>           cap on operations per phase     (env BENCH_MAX_OPS, default 2000000)
  --note=<text>           what else the machine was doing (env BENCH_NOTE), recorded in the result
  Experiments on the raw phases only (what would a fix gain?):
  --raw-view=bounded      the view does not accumulate per-order reservations (default mirror)
  --raw-conflict=reread   on an append conflict, re-read the view instead of walking one version per
                          round trip (default walk, as the framework does)
  --help
`;

type Env = Readonly<Record<string, string | undefined>>;

export function parseOptions(argv: readonly string[], env: Env): BenchOptions {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`Unknown argument '${arg}'`);
    flags.set(match[1]!, match[2] ?? 'true');
  }
  const known = [
    'quick',
    'duration',
    'warmup',
    'member-warmup',
    'concurrency',
    'products',
    'phases',
    'http-client',
    'heap',
    'out',
    'profile-service',
    'max-ops',
    'note',
    'raw-view',
    'raw-conflict',
    'help',
  ];
  for (const name of flags.keys()) {
    if (!known.includes(name)) throw new UsageError(`Unknown option '--${name}'`);
  }
  if (flags.has('help')) throw new UsageError('');

  const quick = flags.has('quick') || env.BENCH_QUICK === '1';
  const pick = (flag: string, variable: string): string | undefined => flags.get(flag) ?? env[variable];
  const number = (flag: string, variable: string, fallback: number, min: number, max: number): number => {
    const given = pick(flag, variable);
    if (given === undefined || given === '') return fallback;
    const value = Number(given);
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new UsageError(`--${flag} (${variable}) must be a number from ${min} to ${max}, got '${given}'`);
    }
    return value;
  };

  const phasesText = pick('phases', 'BENCH_PHASES');
  const phases = phasesText ? phasesText.split(',').map((name) => name.trim()) : [...PHASES];
  for (const phase of phases) {
    if (!(PHASES as readonly string[]).includes(phase)) {
      throw new UsageError(`Unknown phase '${phase}'; phases are ${PHASES.join(', ')}`);
    }
  }
  const httpClient = pick('http-client', 'BENCH_HTTP_CLIENT') ?? 'http';
  if (!(HTTP_CLIENTS as readonly string[]).includes(httpClient)) {
    throw new UsageError(`--http-client must be one of ${HTTP_CLIENTS.join(', ')}, got '${httpClient}'`);
  }
  const rawView = flags.get('raw-view') ?? 'mirror';
  if (!(RAW_VIEWS as readonly string[]).includes(rawView)) {
    throw new UsageError(`--raw-view must be one of ${RAW_VIEWS.join(', ')}, got '${rawView}'`);
  }
  const rawConflict = flags.get('raw-conflict') ?? 'walk';
  if (!(RAW_CONFLICTS as readonly string[]).includes(rawConflict)) {
    throw new UsageError(`--raw-conflict must be one of ${RAW_CONFLICTS.join(', ')}, got '${rawConflict}'`);
  }
  const heap = pick('heap', 'BENCH_HEAP') ?? '512m';
  if (!/^\d+[mMgG]$/.test(heap)) throw new UsageError(`--heap must look like 512m or 1g, got '${heap}'`);

  return {
    durationMs: number('duration', 'BENCH_DURATION_S', quick ? 3 : 15, 0.5, 600) * 1000,
    warmupMs: number('warmup', 'BENCH_WARMUP_S', quick ? 1 : 3, 0, 120) * 1000,
    memberWarmupMs: number('member-warmup', 'BENCH_MEMBER_WARMUP_S', quick ? 3 : 10, 0, 300) * 1000,
    concurrency: Math.round(number('concurrency', 'BENCH_CONCURRENCY', 64, 1, 1024)),
    products: Math.round(number('products', 'BENCH_PRODUCTS', 100, 1, 10_000)),
    phases: PHASES.filter((phase) => phases.includes(phase)),
    httpClient: httpClient as HttpClientKind,
    quick,
    heap,
    outDir: pick('out', 'BENCH_OUT_DIR'),
    profileService: flags.has('profile-service'),
    maxOpsPerPhase: Math.round(number('max-ops', 'BENCH_MAX_OPS', 2_000_000, 1, 100_000_000)),
    note: pick('note', 'BENCH_NOTE') ?? '',
    rawView: rawView as RawView,
    rawConflict: rawConflict as RawConflict,
  };
}
