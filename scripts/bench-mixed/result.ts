import type { BenchResultHeader } from '../bench/report';
import type { Quantiles } from '../bench-saga/report';
import type { Kind } from '../bench-soak/mix';
import type { SoakMode } from '../bench-soak/options';
import type { KindResult } from '../bench-soak/result';
import type { MixedOptions } from './options';

/** The result of one `npm run bench:mixed`, written as JSON beside its chart. */
export interface RateResult {
  readonly rate: number;
  readonly mode: SoakMode;
  readonly startedAt: string;
  readonly durationMs: number;
  /** Set when the run stopped early: which process died, or what failed. */
  readonly broken?: string;
  readonly load: {
    /** rate × duration: the targets the generator fed vegeta. */
    readonly planned: number;
    /** Results vegeta gave back. */
    readonly answered: number;
    /** Requests over the time from the first send to the last (vegeta's timestamps). */
    readonly heldPerSecond: number;
    /** vegeta's CPU (attack and encode) over its life, s. */
    readonly vegetaCpuSeconds: number;
  };
  /** Per kind of iteration; latency is vegeta's (send → whole answer read). */
  readonly kinds: Readonly<Record<Kind, KindResult>>;
  readonly polls: KindResult & { readonly settledMs: Quantiles; readonly timedOut: number };
  readonly ordersCreated: number;
  readonly sagas: {
    /** The order service's COMPLETED count from the start to the end of the load, over its length. */
    readonly completedPerSecond: number | undefined;
    /** COMPLETED from the start of the load until the sagas settled. */
    readonly completed: number | undefined;
    readonly runningAfterSettle: number | undefined;
    /** Orders whose saga was read back (1 in --saga-sample), and what they ended as. */
    readonly sampled: number;
    readonly sampledCompleted: number;
    readonly compensated: number;
    readonly failed: number;
    readonly timedOut: number;
    readonly unfinished: number;
    /** The server's own durationMs of the sampled COMPLETED sagas. */
    readonly durationMs: Quantiles;
  };
  readonly cpu: {
    /** From the start of the load until the sagas settled, s. */
    readonly windowSeconds: number;
    /** CPU seconds per process over the window (PostgreSQL's processes as one, vegeta over its life). */
    readonly seconds: Readonly<Record<string, number>>;
    /** Every process above: ms of CPU per completed saga (the mix's reservations and customers included). */
    readonly msPerSaga: number | undefined;
    /** The same for the system alone: member, services, PostgreSQL (no load generator, no bench). */
    readonly systemMsPerSaga: number | undefined;
  };
  /** VmRSS per process, MB: the highest sampled (every second) and at the end of the load. */
  readonly rssMb: {
    readonly max: Readonly<Record<string, number>>;
    readonly end: Readonly<Record<string, number>>;
  };
}

export interface MixedResult extends BenchResultHeader<'bench-mixed/1', MixedOptions> {
  readonly runs: readonly RateResult[];
}
