import type { Counter } from 'prom-client';
import type { Clock } from '../core/clock';
import { sleep } from '../core/sleep';
import type { Logger } from '../logging/logger';
import type { KeyValueMap } from '../storage/key-value';
import type { FrameworkMetrics } from './framework-metrics';

export interface EventCounts {
  readonly submitted: number;
  readonly processed: number;
  readonly failed: number;
}

interface InstanceCounts extends EventCounts {
  readonly service: string;
  readonly updatedAt: number;
}

async function total(counter: Counter<string>): Promise<number> {
  return (await counter.get()).values.reduce((sum, sample) => sum + sample.value, 0);
}

/**
 * Event counts summed over every process of the cluster, for `/api/metrics/summary`. Each process
 * publishes its own totals under a key of its own incarnation every few seconds and when it stops, so
 * the sum survives restarts (a SIGKILL loses at most one interval of counting).
 */
export class ClusterCounters {
  private readonly key: string;
  private readonly stopper = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly options: {
      readonly counts: KeyValueMap<InstanceCounts>;
      readonly metrics: FrameworkMetrics;
      readonly instanceId: string;
      readonly clock: Clock;
      readonly logger: Logger;
      readonly intervalMs?: number;
    },
  ) {
    this.key = `${options.instanceId}@${options.clock.now()}`;
  }

  async flush(): Promise<void> {
    const { metrics, counts, clock } = this.options;
    await counts.set(this.key, {
      service: metrics.service,
      submitted: await total(metrics.eventsAppended),
      processed: await total(metrics.eventsConsumed),
      failed: await total(metrics.handlerFailures),
      updatedAt: clock.now(),
    });
  }

  async totals(): Promise<EventCounts> {
    await this.flush();
    // The whole map, on purpose: a sum needs every process's entry, and there is one small entry (~100 B)
    // per process start, so it grows with restarts (a few thousand a year), never with traffic or history.
    const all = await this.options.counts.query([]);
    return all.reduce(
      (sum, [, stored]) => ({
        submitted: sum.submitted + stored.value.submitted,
        processed: sum.processed + stored.value.processed,
        failed: sum.failed + stored.value.failed,
      }),
      { submitted: 0, processed: 0, failed: 0 },
    );
  }

  start(): void {
    this.loop ??= this.run();
  }

  async close(): Promise<void> {
    this.stopper.abort();
    await this.loop;
    await this.flush().catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (!this.stopper.signal.aborted) {
      await sleep(this.options.intervalMs ?? 2_000, this.stopper.signal);
      if (this.stopper.signal.aborted) return;
      await this.flush().catch((error: unknown) =>
        this.options.logger.debug({ err: error }, 'counter flush failed'),
      );
    }
  }
}
