/**
 * Command line of `npm run bench:saga`. Flags take `--name=value` or `--name value`; flags win over
 * environment variables (BENCH_SAGA_*), which win over the defaults. `--quick` only changes defaults.
 */
import { SERVICE_NAMES, type ServiceName } from '../../src/local/service-process';
import { optionReader, UsageError } from '../bench/usage';

export interface FindMaxOptions {
  readonly startRate: number;
  readonly stepRate: number;
  readonly maxRate: number;
  readonly stepDurationMs: number;
  readonly stepWarmupMs: number;
}

export interface SagaBenchOptions {
  /** Orders per second offered (open loop). */
  readonly rate: number;
  /** Measured window, after the warm-up; the load runs warmup + duration. */
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly products: number;
  readonly customers: number;
  /** Line items per order: 1..maxLines (distinct products), uniform. */
  readonly maxLines: number;
  /** Order POSTs in flight at most; a request due while the cap is reached waits (and counts as late). */
  readonly maxInFlight: number;
  /** A request sent later than this after its scheduled time counts as late. */
  readonly lateToleranceMs: number;
  /** Poll GET /api/sagas/{id} for one saga in this many (0: no polling). */
  readonly pollEvery: number;
  readonly pollIntervalMs: number;
  /** How long to wait after the load for every saga to end before calling the rest lost. */
  readonly settleTimeoutMs: number;
  /** Applies a SagaPolicy with this timeout first (default: the services' default, 60 s). */
  readonly sagaTimeoutMs: number | undefined;
  readonly heap: string;
  /** Experiments only: another member config file, extra JVM flags, extra service environment. */
  readonly memberConfig: string | undefined;
  /**
   * Experiment, the baseline of bench:saga item 2: config/hazelcast.yaml with Hazelcast's default
   * `metadata-policy: CREATE_ON_UPDATE` on every map instead of the project's OFF.
   */
  readonly memberMetadataCreate: boolean;
  /** Applies a SagaPolicy with this check interval (the timeout detector's period) first. */
  readonly sagaCheckIntervalMs: number | undefined;
  readonly memberJvmOptions: string;
  readonly serviceEnv: Readonly<Record<string, string>>;
  readonly outDir: string | undefined;
  /** Services run with --cpu-prof (profiles land in <out>/profiles). */
  readonly profile: readonly ServiceName[];
  /** JFR execution samples of the member over each measured window (jcmd JFR.start/stop). */
  readonly profileMember: boolean;
  readonly findMax: FindMaxOptions | undefined;
  readonly quick: boolean;
  readonly note: string;
  /** Before the load: wait up to this long for the rest of the machine to go quiet (0: do not wait). */
  readonly waitQuietMs: number;
  /** "Quiet": CPU used outside this run's processes, % of one core, averaged over 3 s. */
  readonly quietBelowPercent: number;
  /** Hard cap on orders per load phase, whatever rate and duration say. */
  readonly maxOrders: number;
}

export const USAGE = `Usage: npm run bench:saga -- [options]

  --rate <n>               orders per second, open loop            (env BENCH_SAGA_RATE, default 150)
  --duration <s>           measured seconds                        (env BENCH_SAGA_DURATION, default 60)
  --warmup <s>             load at the same rate before the window (env BENCH_SAGA_WARMUP, default 10)
  --quick                  smoke run: 100/s, 2 s warm-up + 8 s measured
  --products <n>           products the orders are spread over     (default 200)
  --customers <n>          customers placing orders                (default 100)
  --lines <n>              line items per order, 1..n distinct products (default 1)
  --max-in-flight <n>      order POSTs in flight at most           (default 512)
  --late-tolerance-ms <n>  sent later than this = "late"           (default 10)
  --poll-every <n>         poll GET /api/sagas/{id} for 1 saga in n; 0 = off (default 10)
  --poll-interval-ms <n>   polling period of a sampled saga        (default 10)
  --settle-timeout <s>     wait this long for every saga to end    (default 90)
  --saga-timeout <s>       apply a SagaPolicy with this timeout first (default: services' 60 s)
  --heap <size>            member heap                             (default 1g)
  --member-config <file>   experiment: member config instead of config/hazelcast.yaml
  --member-metadata-create experiment: config/hazelcast.yaml with Hazelcast's default metadata-policy
                           (CREATE_ON_UPDATE) on every map, the setting before item 2 was applied
  --saga-check-interval <s> apply a SagaPolicy with this timeout-detector period first
  --member-jvm <flags>     experiment: extra JVM flags for the member (JAVA_TOOL_OPTIONS)
  --service-env <K=V,...>  experiment: extra environment for the four services
  --profile <list>         run these services with --cpu-prof: all or e.g. order,inventory
  --profile-member         record the member with JFR over the measured window (jcmd, jfr)
  --find-max               step the rate up until sagas fall behind, instead of one rate
  --start-rate <n>         find-max: first rate                    (default 100)
  --step-rate <n>          find-max: added per step                (default 50)
  --max-rate <n>           find-max: last rate tried               (default 1000)
  --step-duration <s>      find-max: measured seconds per step     (default 20)
  --out <dir>              result files                            (default .run/bench-saga)
  --max-orders <n>         hard cap on orders per load phase       (default 1000000)
  --wait-quiet <s>         before the load, wait up to s seconds for the rest of the machine
                           to use < --quiet-below % CPU over 3 s   (default 0: do not wait)
  --quiet-below <pct>      % of one core other processes may use   (default 30)
  --note <text>            what else the machine was doing, kept with the result
  --help
`;

type Env = Readonly<Record<string, string | undefined>>;

const VALUED = [
  'rate',
  'duration',
  'warmup',
  'products',
  'customers',
  'lines',
  'max-in-flight',
  'late-tolerance-ms',
  'poll-every',
  'poll-interval-ms',
  'settle-timeout',
  'saga-timeout',
  'heap',
  'profile',
  'start-rate',
  'step-rate',
  'max-rate',
  'step-duration',
  'out',
  'max-orders',
  'note',
  'wait-quiet',
  'member-config',
  'member-jvm',
  'service-env',
  'saga-check-interval',
  'quiet-below',
];
const SWITCHES = ['quick', 'find-max', 'profile-member', 'member-metadata-create', 'help'];

/**
 * `--a=1 --b 2 --c` → {a: '1', b: '2', c: 'true'}; a valued flag without a value is an error. Other
 * benchmarks pass their own flag names.
 */
export function parseFlags(
  argv: readonly string[],
  valued: readonly string[] = VALUED,
  switches: readonly string[] = SWITCHES,
): Map<string, string> {
  const flags = new Map<string, string>();
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new UsageError(`Unknown argument '${arg}'`);
    const name = match[1]!;
    if (switches.includes(name)) {
      if (match[2] !== undefined) throw new UsageError(`--${name} takes no value`);
      flags.set(name, 'true');
    } else if (valued.includes(name)) {
      let value = match[2];
      if (value === undefined) {
        const next = argv[index + 1];
        if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name} needs a value`);
        value = next;
        index++;
      }
      flags.set(name, value);
    } else {
      throw new UsageError(`Unknown option '--${name}'`);
    }
  }
  return flags;
}

export function parseOptions(argv: readonly string[], env: Env): SagaBenchOptions {
  const flags = parseFlags(argv);
  if (flags.has('help')) throw new UsageError('');
  const quick = flags.has('quick') || env.BENCH_SAGA_QUICK === '1';
  const { pick, number } = optionReader(flags, env, 'BENCH_SAGA_');
  const heap = pick('heap') ?? '1g';
  if (!/^\d+[mMgG]$/.test(heap)) throw new UsageError(`--heap must look like 512m or 1g, got '${heap}'`);
  const profileText = pick('profile') ?? '';
  const profile: ServiceName[] =
    profileText === 'all'
      ? [...SERVICE_NAMES]
      : profileText
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== '')
          .map((name) => {
            const known = SERVICE_NAMES.find((service) => service === name);
            if (!known)
              throw new UsageError(`--profile: unknown service '${name}' (${SERVICE_NAMES.join(', ')})`);
            return known;
          });
  const serviceEnv: Record<string, string> = {};
  for (const pair of (pick('service-env') ?? '').split(',').filter((text) => text.trim() !== '')) {
    const match = /^\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(pair);
    if (!match) throw new UsageError(`--service-env: expected NAME=value, got '${pair}'`);
    serviceEnv[match[1]!] = match[2]!.trim();
  }
  const sagaTimeout = pick('saga-timeout');
  const findMax = flags.has('find-max')
    ? {
        startRate: number('start-rate', 100, 1, 100_000),
        stepRate: number('step-rate', 50, 1, 100_000),
        maxRate: number('max-rate', 1000, 1, 100_000),
        stepDurationMs: number('step-duration', 20, 1, 600) * 1000,
        stepWarmupMs: number('warmup', 3, 0, 120) * 1000,
      }
    : undefined;
  return {
    rate: number('rate', quick ? 100 : 150, 0.1, 100_000),
    durationMs: number('duration', quick ? 8 : 60, 1, 3600) * 1000,
    warmupMs: number('warmup', quick ? 2 : 10, 0, 600) * 1000,
    products: Math.round(number('products', 200, 1, 100_000)),
    customers: Math.round(number('customers', 100, 1, 100_000)),
    maxLines: Math.round(number('lines', 1, 1, 20)),
    maxInFlight: Math.round(number('max-in-flight', 512, 1, 10_000)),
    lateToleranceMs: number('late-tolerance-ms', 10, 0, 60_000),
    pollEvery: Math.round(number('poll-every', 10, 0, 1_000_000)),
    pollIntervalMs: number('poll-interval-ms', 10, 1, 10_000),
    settleTimeoutMs: number('settle-timeout', 90, 1, 3600) * 1000,
    sagaTimeoutMs: sagaTimeout === undefined ? undefined : number('saga-timeout', 60, 1, 86_400) * 1000,
    heap,
    memberConfig: pick('member-config'),
    memberMetadataCreate: flags.has('member-metadata-create'),
    sagaCheckIntervalMs:
      pick('saga-check-interval') === undefined
        ? undefined
        : number('saga-check-interval', 5, 0.1, 3600) * 1000,
    memberJvmOptions: pick('member-jvm') ?? '',
    serviceEnv,
    outDir: pick('out'),
    profile,
    profileMember: flags.has('profile-member'),
    findMax,
    quick,
    note: pick('note') ?? '',
    waitQuietMs: number('wait-quiet', 0, 0, 3600) * 1000,
    quietBelowPercent: number('quiet-below', 30, 1, 10_000),
    maxOrders: Math.round(number('max-orders', 1_000_000, 1, 100_000_000)),
  };
}
