import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SagaState, SagaStatus } from './saga-state';
import type { SagaStateStore } from './saga-state-store';

const durationBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * The saga metrics of OBSERVABILITY.md. Counters move on transitions this process won by compare-and-set,
 * so their sum over replicas counts each saga once; the gauges are read from the store, cluster-wide.
 */
export class SagaMetrics {
  private readonly started: Counter<'saga_type'>;
  private readonly ended: Record<'COMPLETED' | 'COMPENSATED' | 'FAILED' | 'TIMED_OUT', Counter<'saga_type'>>;
  private readonly stepCompleted: Counter<'saga_type' | 'step'>;
  private readonly stepFailed: Counter<'saga_type' | 'step'>;
  private readonly compensationSteps: Counter<'saga_type' | 'step'>;
  private readonly duration: Histogram<'saga_type' | 'outcome'>;
  private readonly compensationDuration: Histogram<'saga_type' | 'outcome'>;
  readonly timeoutChecks: Counter;
  readonly timeoutCheckDuration: Histogram;

  constructor(registry: Registry, store: () => SagaStateStore | undefined, sagaTypes: readonly string[]) {
    const registers = [registry];
    const counter = (name: string, help: string) =>
      new Counter({ name, help, labelNames: ['saga_type'] as const, registers });
    this.started = counter('saga_started_total', 'Sagas started');
    this.ended = {
      COMPLETED: counter('saga_completed_total', 'Sagas completed'),
      COMPENSATED: counter('saga_compensated_total', 'Sagas whose completed steps were all compensated'),
      FAILED: counter('saga_failed_total', 'Sagas that ended FAILED (a compensation kept failing)'),
      TIMED_OUT: counter('saga_timed_out_total', 'Sagas that passed their deadline'),
    };
    const stepCounter = (name: string, help: string) =>
      new Counter({ name, help, labelNames: ['saga_type', 'step'] as const, registers });
    this.stepCompleted = stepCounter('saga_step_completed_total', 'Saga steps completed');
    this.stepFailed = stepCounter('saga_step_failed_total', 'Saga steps failed');
    this.compensationSteps = stepCounter('saga_compensation_steps_total', 'Saga steps compensated');
    this.duration = new Histogram({
      name: 'saga_duration_seconds',
      help: 'From start to the end of the saga, by outcome',
      labelNames: ['saga_type', 'outcome'],
      buckets: durationBuckets,
      registers,
    });
    this.compensationDuration = new Histogram({
      name: 'saga_compensation_duration_seconds',
      help: 'From the failure or timeout to the end of compensation',
      labelNames: ['saga_type', 'outcome'],
      buckets: durationBuckets,
      registers,
    });
    this.timeoutChecks = new Counter({
      name: 'saga_timeout_checks_total',
      help: 'Timeout detector passes',
      registers,
    });
    this.timeoutCheckDuration = new Histogram({
      name: 'saga_timeout_check_duration_seconds',
      help: 'Duration of one timeout detector pass',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    const gauge = (name: string, help: string, statuses: readonly SagaStatus[]) =>
      new Gauge({
        name,
        help,
        labelNames: ['saga_type'] as const,
        registers,
        async collect() {
          const sagas = store();
          if (!sagas) return;
          for (const sagaType of sagaTypes) {
            let total = 0;
            for (const status of statuses) total += await sagas.countByStatus(status, sagaType);
            this.set({ saga_type: sagaType }, total);
          }
        },
      });
    gauge('sagas_active', 'Sagas in STARTED or IN_PROGRESS, cluster-wide', ['STARTED', 'IN_PROGRESS']);
    gauge('sagas_compensating', 'Sagas in COMPENSATING or TIMED_OUT, cluster-wide', [
      'COMPENSATING',
      'TIMED_OUT',
    ]);
  }

  /** The store's observer: turns each transition into counts and durations. */
  readonly observe = (previous: SagaState | undefined, next: SagaState): void => {
    const labels = { saga_type: next.sagaType };
    if (!previous) {
      this.started.inc(labels);
      return;
    }
    next.steps.forEach((step, index) => {
      const before = previous.steps[index]?.status;
      if (before === step.status) return;
      const stepLabels = { ...labels, step: step.stepName };
      if (step.status === 'COMPLETED') this.stepCompleted.inc(stepLabels);
      if (step.status === 'FAILED') this.stepFailed.inc(stepLabels);
      if (step.status === 'COMPENSATED') this.compensationSteps.inc(stepLabels);
    });
    if (previous.status === next.status) return;
    if (
      next.status === 'COMPLETED' ||
      next.status === 'COMPENSATED' ||
      next.status === 'FAILED' ||
      next.status === 'TIMED_OUT'
    ) {
      this.ended[next.status].inc(labels);
    }
    if (next.completedAt !== null && previous.completedAt === null) {
      const outcome = next.timedOut ? 'timed_out' : next.status.toLowerCase();
      this.duration.observe({ ...labels, outcome }, (next.completedAt - next.startedAt) / 1000);
      if (next.compensationStartedAt !== null) {
        const seconds = Math.max(0, next.completedAt - next.compensationStartedAt) / 1000;
        this.compensationDuration.observe({ ...labels, outcome }, seconds);
      }
    }
  };
}
