import { sleep } from '../../src/core/sleep';
import { heapHistogram } from '../bench-saga/member-insight';
import { memoryOf } from '../bench-saga/procfs';
import type { HttpLoadClient } from '../bench/http-scenario';

/**
 * What the soak records every few seconds: the member's live heap (after the full GC that
 * `jcmd GC.class_histogram` forces, so young garbage and uncollected old garbage do not count), the RSS of
 * every process, the load's counters and the saga counts of the order service's summary.
 */
export interface SoakSample {
  /** Seconds since the load started (0: just before the first iteration). */
  readonly atS: number;
  readonly liveHeapMb: number | undefined;
  /** How long the forced full GC and class histogram took (a pause the load sees). */
  readonly forcedGcMs: number | undefined;
  /** When jcmd ran, epoch ms: its JVM's start-up competes for the cores, then the member stops. */
  readonly forcedGcEpoch: readonly [number, number] | undefined;
  /** VmRSS, MB, per process. */
  readonly rssMb: Readonly<Record<string, number>>;
  readonly iterations: number;
  readonly ordersCreated: number;
  readonly shed: number;
  readonly errors: number;
  readonly sagasCompleted: number | undefined;
  /** Started, in progress, compensating or timed out. */
  readonly sagasRunning: number | undefined;
}

export interface LoadCounters {
  readonly iterations: number;
  readonly ordersCreated: number;
  readonly shed: number;
  readonly errors: number;
}

function parseSummary(body: string): { completed: number; running: number } | undefined {
  const parsed = JSON.parse(body) as {
    sagas?: { completed?: unknown };
    gauges?: { activeSagas?: unknown; compensatingSagas?: unknown };
  };
  const { completed } = parsed.sagas ?? {};
  const { activeSagas, compensatingSagas } = parsed.gauges ?? {};
  if (typeof completed !== 'number' || typeof activeSagas !== 'number') return undefined;
  return {
    completed,
    running: activeSagas + (typeof compensatingSagas === 'number' ? compensatingSagas : 0),
  };
}

/** GET /api/metrics/summary's saga counts (cluster-wide, from the saga store). */
export async function sagaCounts(
  admin: HttpLoadClient,
): Promise<{ completed: number; running: number } | undefined> {
  try {
    const response = await admin.get('/api/metrics/summary');
    return response.status === 200 ? parseSummary(response.body) : undefined;
  } catch {
    return undefined;
  }
}

export class SoakSampler {
  private loadStart = performance.now();

  constructor(
    private readonly memberPid: number,
    private readonly pids: () => Readonly<Record<string, number | undefined>>,
    private readonly admin: HttpLoadClient,
    private readonly counters: () => LoadCounters,
    private readonly say: (line: string) => void,
  ) {}

  /** Times of the samples count from here (performance.now() of the first iteration). */
  begin(loadStart: number): void {
    this.loadStart = loadStart;
  }

  /** One sample now. */
  async take(): Promise<SoakSample> {
    const atS = Math.round((performance.now() - this.loadStart) / 100) / 10;
    const counters = this.counters();
    const rssMb: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids())) {
      const memory = pid === undefined ? undefined : memoryOf(pid);
      if (memory) rssMb[name] = Math.round(memory.rssMb);
    }
    const gcStart = performance.now();
    const gcStartEpoch = Date.now();
    const heap = await heapHistogram(this.memberPid).catch((error: unknown) => {
      this.say(
        `  (jcmd GC.class_histogram failed: ${error instanceof Error ? error.message : String(error)})`,
      );
      return undefined;
    });
    const forcedGcMs = heap ? Math.round(performance.now() - gcStart) : undefined;
    const forcedGcEpoch = heap ? ([gcStartEpoch, Date.now()] as const) : undefined;
    const sagas = await sagaCounts(this.admin);
    const sample: SoakSample = {
      atS,
      liveHeapMb: heap ? Math.round(heap.liveMb * 10) / 10 : undefined,
      forcedGcMs,
      forcedGcEpoch,
      rssMb,
      ...counters,
      sagasCompleted: sagas?.completed,
      sagasRunning: sagas?.running,
    };
    return sample;
  }

  /**
   * Samples at the load's start + k × everyMs until `done()`; a sample that overruns its slot (a slow jcmd)
   * moves the next one to the following slot instead of piling up.
   */
  async run(everyMs: number, done: () => boolean, onSample: (sample: SoakSample) => void): Promise<void> {
    for (let slot = 1; !done(); slot++) {
      const due = this.loadStart + slot * everyMs;
      const wait = due - performance.now();
      if (wait < 0) continue;
      while (!done() && performance.now() < due) await sleep(Math.min(500, due - performance.now()));
      if (done()) return;
      onSample(await this.take());
    }
  }
}
