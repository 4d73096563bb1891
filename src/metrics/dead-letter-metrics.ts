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
        for (const [group, count] of groups) {
          // An unreachable store keeps the last value rather than failing the whole scrape.
          const pending = await count().catch(() => undefined);
          if (pending !== undefined) this.set({ consumer_group: group }, pending);
        }
      },
    });
  }

  /** Reports the group's open entries as `dlq_entries_pending{consumer_group=<group>}`. */
  trackGroup(group: string, count: () => Promise<number>): void {
    this.groups.set(group, count);
  }
}
