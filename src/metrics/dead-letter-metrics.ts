import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Parked events (src/subscriptions/dead-letter-store.ts), named after the Java framework's
 * `dlq_entries_*_total`. The gauge is read from the shared store at scrape time, so every replica reports
 * the same cluster-wide number: aggregate it with max, not sum.
 */
export class DeadLetterMetrics {
  readonly added: Counter<'consumer_group' | 'kind'>;
  readonly replayed: Counter<'consumer_group' | 'outcome'>;
  readonly discarded: Counter<'consumer_group' | 'kind'>;
  readonly pending: Gauge<'consumer_group'>;
  private readonly groups = new Map<string, () => Promise<number>>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.added = new Counter({
      name: 'dlq_entries_added_total',
      help: 'Events parked by a consumer group (kind: handler kept failing, or malformed stream item)',
      labelNames: ['consumer_group', 'kind'],
      registers,
    });
    this.replayed = new Counter({
      name: 'dlq_entries_replayed_total',
      help: 'Replays of parked events (outcome: replayed, or failed and parked again)',
      labelNames: ['consumer_group', 'outcome'],
      registers,
    });
    this.discarded = new Counter({
      name: 'dlq_entries_discarded_total',
      help: 'Parked events discarded by an operator',
      labelNames: ['consumer_group', 'kind'],
      registers,
    });
    const groups = this.groups;
    this.pending = new Gauge({
      name: 'dlq_entries_pending',
      help: 'Parked events of a consumer group waiting for an operator (cluster-wide, read at scrape time)',
      labelNames: ['consumer_group'],
      registers,
      async collect() {
        // All groups at once, each given a moment: an unreachable or silent store keeps the last value
        // rather than failing the scrape or holding it past Prometheus's timeout.
        await Promise.all(
          [...groups].map(async ([group, count]) => {
            const pending = await withinMs(count(), COUNT_WAIT_MS).catch(() => undefined);
            if (pending !== undefined) this.set({ consumer_group: group }, pending);
          }),
        );
      },
    });
  }

  /** Reports the group's open entries as `dlq_entries_pending{consumer_group=<group>}`. */
  trackGroup(group: string, count: () => Promise<number>): void {
    this.groups.set(group, count);
  }
}

/** How long a scrape waits for one group's count. */
const COUNT_WAIT_MS = 1_000;

function withinMs<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
