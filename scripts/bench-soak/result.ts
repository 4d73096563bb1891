import type { CpuUsage } from '../bench/cpu';
import type { Bar, BenchResultHeader } from '../bench/report';
import type { MemberGc } from '../bench/member-gc';
import type { Quantiles } from '../bench-saga/report';
import { quantilesOf } from '../bench-saga/report';
import type { Kind, KindStats } from './mix';
import type { SoakMode, SoakOptions } from './options';
import type { SoakSample } from './sampler';

/** The result of one `npm run bench:soak`, also written as JSON so runs can be compared later. */
export interface KindResult {
  readonly ok: number;
  readonly shed: number;
  readonly errors: number;
  /** Scheduled send → answer, ms. */
  readonly latencyMs: Quantiles;
  readonly errorSamples: Readonly<Record<string, number>>;
  readonly shedSamples: Readonly<Record<string, number>>;
}

export function kindResult(stats: KindStats): KindResult {
  return {
    ok: stats.ok,
    shed: stats.shed,
    errors: stats.errors,
    latencyMs: quantilesOf(stats.latency),
    errorSamples: stats.errorSamples,
    shedSamples: stats.shedSamples,
  };
}

export interface MemoryFigures {
  /** Mean live heap of the samples in the second tenth of the run (the second minute of 10), MB. */
  readonly secondMinuteHeapMb: number | undefined;
  /** The same for the last tenth (the last minute of 10). */
  readonly lastMinuteHeapMb: number | undefined;
  /** lastMinute ÷ secondMinute − 1. */
  readonly heapChange: number | undefined;
  /** Live heap after the sagas settled minus before the load, MB. */
  readonly heapGrowthMb: number | undefined;
  /** Least-squares slope of live heap over orders created, samples from the second tenth on: bytes. */
  readonly bytesPerOrder: number | undefined;
  /** heapGrowth ÷ orders created (includes what fills once: ringbuffers, caches), bytes. */
  readonly bytesPerOrderOverall: number | undefined;
  /** Highest and last VmRSS sampled per process during the load, MB. */
  readonly rssMaxMb: Readonly<Record<string, number>>;
  readonly rssEndMb: Readonly<Record<string, number>>;
}

export interface SagaFigures {
  /** Orders whose saga was read back (1 in --saga-sample). */
  readonly sampled: number;
  readonly completed: number;
  readonly compensated: number;
  readonly failed: number;
  readonly timedOut: number;
  /** Not ended (or not found) when read back after the settle wait. */
  readonly unfinished: number;
  /** Server-side durationMs of the sampled COMPLETED sagas. */
  readonly durationMs: Quantiles;
  /**
   * The same, leaving out sagas that overlapped one of the bench's own forced full GCs (jcmd, plus a
   * margin after it for the backlog): the latency of the system rather than of the measurement. The bar.
   */
  readonly durationMsOutsideSampling: Quantiles;
  /** Completed sagas per second over the load (the summary's completed count, start to end of load). */
  readonly perSecond: number | undefined;
  /** Sagas still running when the settle wait ended. */
  readonly runningAfterSettle: number | undefined;
}

export interface ModeResult {
  readonly mode: SoakMode;
  readonly startedAt: string;
  readonly rate: number;
  readonly durationMs: number;
  /** Set when the mode stopped early: which process died, or what failed. */
  readonly broken?: string;
  readonly load: {
    readonly scheduled: number;
    readonly sent: number;
    readonly late: number;
    readonly notSent: number;
    readonly latenessP99Ms: number;
    readonly maxInFlight: number;
  };
  readonly kinds: Readonly<Record<Kind, KindResult>>;
  readonly polls: KindResult & {
    /** Order-and-poll: scheduled POST → the order seen no longer PENDING, ms. */
    readonly settledMs: Quantiles;
    readonly timedOut: number;
  };
  readonly ordersCreated: number;
  readonly shed: number;
  readonly errors: number;
  /** CPU over the load, % of one core, per process (postgres: all its processes); other = the rest. */
  readonly cpu: CpuUsage;
  /** Before the first iteration, every sampling interval of the load, and after the sagas settled. */
  readonly baseline: SoakSample | undefined;
  readonly samples: readonly SoakSample[];
  readonly settled: SoakSample | undefined;
  readonly memory: MemoryFigures;
  readonly sagas: SagaFigures;
  /** The member's GC log over the load (the forced full GCs of the sampling included). */
  readonly memberGc?: MemberGc;
  readonly databaseBytes?: number;
}

export interface SoakResult extends BenchResultHeader<'bench-soak/1', SoakOptions> {
  readonly modes: readonly ModeResult[];
  readonly bars: readonly Bar[];
}
