import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The operator's own /metrics: reconciles, errors, durations, queue depth, leadership. */
export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: 'operator_reconcile_total',
    help: 'Reconciles by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'operator_reconcile_errors_total',
    help: 'Reconciles that failed',
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'operator_reconcile_duration_seconds',
    help: 'Time per reconcile',
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: 'operator_leader',
    help: '1 while this replica leads',
    registers: [this.registry],
  });

  constructor(depth: () => number) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'operator_workqueue_depth',
      help: 'Keys waiting to be reconciled',
      registers: [this.registry],
      collect() {
        this.set(depth());
      },
    });
  }
}
