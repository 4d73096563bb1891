import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock';
import type { WriteAdmission, WriteRefusal } from '../http/write-shedding';
import { parseHeapReading } from './heap-reading';
import {
  type HeapObservation,
  type HighWaterSettings,
  type HighWaterState,
  nextHighWaterState,
  NOT_SHEDDING,
} from './high-water-mark';

/** Where the member heap comes from: the real one fetches the agents' /metrics, tests pass a fake. */
export type HeapSource = () => Promise<HeapObservation>;

export interface MemberHeapGuardOptions extends HighWaterSettings {
  readonly source: HeapSource;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly registry: Registry;
  /** How often the heap is read; a shed write is told to come back after two fresh readings. */
  readonly pollMs: number;
}

const percent = (fraction: number): string => `${Math.round(fraction * 100)} %`;

/**
 * Sheds new HTTP writes while a member's old generation is above the high-water mark, so the member never
 * runs out of memory with acknowledged writes in it (in memory mode the grid is the only copy). Only HTTP
 * writes: reads, event handlers and sagas in flight go on, which is what the headroom above the mark is for.
 */
export class MemberHeapGuard implements WriteAdmission {
  private state: HighWaterState = NOT_SHEDDING;
  private readFailing = false;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private readonly ratio: Gauge;
  private readonly sheddingGauge: Gauge;
  private readonly shed: Counter;

  constructor(private readonly options: MemberHeapGuardOptions) {
    this.ratio = new Gauge({
      name: 'hazelcast_member_old_gen_ratio',
      help: "Each member's old generation (the larger of now and after its last collection), as a share of its maximum (the write guard's input)",
      labelNames: ['member'],
      registers: [options.registry],
    });
    this.sheddingGauge = new Gauge({
      name: 'http_write_shedding',
      help: '1 while HTTP writes are refused because a member heap is above the high-water mark',
      registers: [options.registry],
    });
    this.shed = new Counter({
      name: 'http_writes_shed_total',
      help: 'HTTP writes answered 503 because a member heap was above the high-water mark',
      registers: [options.registry],
    });
    this.sheddingGauge.set(0);
  }

  get shedding(): boolean {
    return this.state.shedding;
  }

  admitWrite(): WriteRefusal | undefined {
    const { shedding, fullest } = this.state;
    if (!shedding || !fullest) return undefined;
    this.shed.inc();
    return {
      message:
        `The Hazelcast member's heap is ${percent(fullest.fraction)} full (its old generation) ` +
        `(high-water mark ${percent(this.options.highWater)}): new writes are refused so that nothing ` +
        'acknowledged is lost to an out-of-memory; reads still work. Retry later.',
      retryAfterSeconds: Math.max(1, Math.ceil((2 * this.options.pollMs) / 1000)),
      details: {
        reason: 'MEMBER_HEAP_HIGH_WATER',
        member: fullest.member,
        heapUsedAfterGc: Number(fullest.fraction.toFixed(3)),
        highWater: this.options.highWater,
      },
    };
  }

  /** Reads every member once and applies the decision; never throws, never runs twice at once. */
  poll(): Promise<void> {
    this.polling ??= this.readAndDecide().finally(() => (this.polling = undefined));
    return this.polling;
  }

  start(): void {
    if (this.timer) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.options.pollMs);
    // Never what keeps a process alive.
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async readAndDecide(): Promise<void> {
    const { logger, clock, highWater, resumeGap } = this.options;
    const observation = await this.options.source().catch((error: unknown): HeapObservation => ({
      ok: false,
      error: error instanceof Error ? error.message : String(error),
    }));
    if (!observation.ok && !this.readFailing) {
      logger.warn(
        { error: observation.error, shedding: this.state.shedding },
        `cannot read the member heap (${observation.error}); the write guard keeps its last decision`,
      );
    } else if (observation.ok && this.readFailing) {
      logger.info('the member heap can be read again');
    }
    this.readFailing = !observation.ok;
    if (observation.ok) {
      for (const { member, heap } of observation.members) {
        this.ratio.set({ member }, heap.oldGenBytes / heap.maxBytes);
      }
    }

    const since = this.state.since;
    const { state, change } = nextHighWaterState(this.state, observation, clock.now(), {
      highWater,
      resumeGap,
    });
    this.state = state;
    this.sheddingGauge.set(state.shedding ? 1 : 0);
    const fullest = state.fullest;
    if (change === 'started' && fullest) {
      logger.warn(
        { member: fullest.member, heapUsedAfterGc: fullest.fraction, highWater },
        `member ${fullest.member} old generation is ${percent(fullest.fraction)} of its maximum ` +
          `(high-water mark ${percent(highWater)}): shedding HTTP writes with 503 until it is below ` +
          percent(highWater - resumeGap),
      );
    } else if (change === 'stopped' && fullest) {
      const seconds = since === undefined ? 0 : Math.round((clock.now() - since) / 1000);
      logger.info(
        { member: fullest.member, heapUsedAfterGc: fullest.fraction, shedSeconds: seconds },
        `member old generation is down to ${percent(fullest.fraction)}: accepting HTTP writes again ` +
          `after ${seconds} s of shedding`,
      );
    }
  }
}

/** Fetches and parses each member's JMX exporter page; any member unreadable makes the poll a failure. */
export function prometheusHeapSource(urls: readonly string[], timeoutMs: number): HeapSource {
  return async () => {
    const members = await Promise.all(
      urls.map(async (url) => {
        let text: string;
        try {
          const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
          if (!response.ok) throw new Error(`answered ${response.status}`);
          text = await response.text();
        } catch (error) {
          throw new Error(`${url}: ${fetchFailure(error)}`, { cause: error });
        }
        return { member: new URL(url).host, heap: parseHeapReading(text) };
      }),
    );
    return { ok: true, members };
  };
}

/** fetch's own message is a bare "fetch failed"; the reason (ECONNREFUSED, a timeout) is in its cause. */
function fetchFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  if (typeof cause?.code === 'string') return cause.code;
  return error.name === 'TimeoutError' ? 'timed out' : error.message;
}

/** The guard a service runs, started; undefined (the guard off) when no member metrics URL is configured. */
export function startMemberHeapGuard(options: {
  readonly config: {
    readonly HAZELCAST_METRICS_URLS?: readonly string[] | undefined;
    readonly HAZELCAST_HEAP_HIGH_WATER: number;
    readonly HAZELCAST_HEAP_POLL_MS: number;
  };
  readonly logger: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
}): MemberHeapGuard | undefined {
  const { config } = options;
  const urls = config.HAZELCAST_METRICS_URLS ?? [];
  if (urls.length === 0) return undefined;
  const guard = new MemberHeapGuard({
    // A member busy collecting answers late; polls never overlap, so a generous timeout costs nothing.
    source: prometheusHeapSource(urls, 2_000),
    clock: options.clock,
    logger: options.logger,
    registry: options.registry,
    pollMs: config.HAZELCAST_HEAP_POLL_MS,
    highWater: config.HAZELCAST_HEAP_HIGH_WATER,
    // Five points of hysteresis: writes come back at 80 % after shedding from 85 %.
    resumeGap: 0.05,
  });
  guard.start();
  return guard;
}
