import type { HttpLoadClient } from '../bench/http-scenario';
import { LatencyHistogram } from '../bench/histogram';
import { forEachLimited } from '../bench/workload';
import { quantilesOf } from '../bench-saga/report';
import type { SampledSaga } from './mix';
import type { SagaFigures } from './result';

/** After a forced full GC the backlog it built still delays what comes next for a moment. */
const FORCED_GC_MARGIN_MS = 500;

/**
 * GET /api/sagas/{id} of every sampled saga (16 at a time, after the load): outcomes and the server's own
 * durationMs, also without the sagas that overlapped one of the bench's forced full GCs (`forcedGcs`, epoch
 * ms).
 */
export async function readSagas(
  admin: HttpLoadClient,
  sampled: readonly SampledSaga[],
  forcedGcs: ReadonlyArray<readonly [number, number]> = [],
): Promise<Omit<SagaFigures, 'perSecond' | 'runningAfterSettle'>> {
  const durations = new LatencyHistogram();
  const outside = new LatencyHistogram();
  const overlapsForcedGc = (from: number, to: number): boolean =>
    forcedGcs.some(([start, end]) => from < end + FORCED_GC_MARGIN_MS && to > start);
  let completed = 0;
  let compensated = 0;
  let failed = 0;
  let timedOut = 0;
  let unfinished = 0;
  await forEachLimited(sampled.length, 16, async (index) => {
    let saga:
      | {
          status: string;
          durationMs: number;
          timedOut: boolean;
          startedAt: string;
          completedAt: string | null;
        }
      | undefined;
    try {
      const response = await admin.get(`/api/sagas/${sampled[index]!.sagaId}`);
      if (response.status === 200) saga = JSON.parse(response.body) as typeof saga;
    } catch {
      saga = undefined;
    }
    if (saga?.timedOut) timedOut++;
    if (saga?.status === 'COMPLETED') {
      completed++;
      durations.recordMs(saga.durationMs);
      const startedAt = Date.parse(saga.startedAt);
      if (!overlapsForcedGc(startedAt, Date.parse(saga.completedAt ?? saga.startedAt))) {
        outside.recordMs(saga.durationMs);
      }
    } else if (saga?.status === 'COMPENSATED') compensated++;
    else if (saga?.status === 'FAILED') failed++;
    else unfinished++;
  });
  return {
    sampled: sampled.length,
    completed,
    compensated,
    failed,
    timedOut,
    unfinished,
    durationMs: quantilesOf(durations),
    durationMsOutsideSampling: quantilesOf(outside),
  };
}
