import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { newDashboard, quantiles, stat, table, timeseries, total } from './panels';

const ended = (metric: string) => total(metric, 'saga_type');
/** Every saga type ever seen, at 0: so a stat of a counter that never moved shows 0, not "No data". */
const zero = 'sum by (saga_type) (increase(saga_started_total[$__range])) * 0';

/** The OrderFulfillment saga: how many run, how they end, how long they take. */
export const sagas = () =>
  newDashboard(
    'hms-sagas',
    'HMS / Sagas',
    'Active, completed, compensated, failed and timed-out sagas; duration percentiles; completion rate',
  )
    .withRow(new RowBuilder('Now'))
    .withPanel(
      stat({
        title: 'Active sagas',
        description: 'sagas_active: STARTED or IN_PROGRESS, cluster-wide (read from the saga store)',
        width: 4,
        queries: [{ expr: 'max by (saga_type) (sagas_active)', legend: '{{saga_type}}' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Compensating',
        description: 'sagas_compensating: COMPENSATING or TIMED_OUT, cluster-wide',
        width: 4,
        queries: [{ expr: 'max by (saga_type) (sagas_compensating)', legend: '{{saga_type}}' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Completed',
        description: 'Sagas completed in the time range',
        width: 4,
        queries: [{ expr: `${ended('saga_completed_total')} or ${zero}`, legend: '{{saga_type}}' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Compensated',
        description: 'Sagas compensated in the time range (declines, out of stock, timeouts)',
        width: 4,
        queries: [{ expr: `${ended('saga_compensated_total')} or ${zero}`, legend: '{{saga_type}}' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Failed',
        description: 'Sagas that ended FAILED (a compensation kept failing) in the time range',
        width: 4,
        queries: [{ expr: `${ended('saga_failed_total')} or ${zero}`, legend: '{{saga_type}}' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Timed out',
        description: 'Sagas that passed their deadline in the time range',
        width: 4,
        queries: [{ expr: `${ended('saga_timed_out_total')} or ${zero}`, legend: '{{saga_type}}' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Completion rate',
        description: 'Completed out of ended sagas in the time range',
        unit: 'percentunit',
        width: 6,
        queries: [
          {
            expr: `(${ended('saga_completed_total')} or ${zero}) / ${ended('saga_duration_seconds_count')}`,
            legend: '{{saga_type}}',
          },
        ],
      }),
    )
    .withRow(new RowBuilder('Over time'))
    .withPanel(
      timeseries({
        title: 'Saga starts and ends per second',
        description: 'saga_started_total and ends by outcome (saga_duration_seconds_count)',
        unit: 'ops',
        queries: [
          { expr: 'sum by (saga_type) (rate(saga_started_total[$__rate_interval]))', legend: 'started' },
          {
            expr: 'sum by (outcome) (rate(saga_duration_seconds_count[$__rate_interval]))',
            legend: '{{outcome}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Saga duration p50/p95/p99',
        description: 'saga_duration_seconds over all outcomes',
        unit: 's',
        queries: quantiles('saga_duration_seconds', ['saga_type']),
      }),
    )
    .withPanel(
      timeseries({
        title: 'Saga duration p95 by outcome',
        description: 'saga_duration_seconds p95 per outcome',
        unit: 's',
        queries: [quantiles('saga_duration_seconds', ['outcome'])[1]!],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Compensation duration p95',
        description:
          'saga_compensation_duration_seconds: from the failure or timeout to the end of compensation',
        unit: 's',
        queries: [quantiles('saga_compensation_duration_seconds', ['outcome'])[1]!],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Steps per second',
        description: 'Steps completed, failed and compensated, by step',
        unit: 'ops',
        queries: [
          {
            expr: 'sum by (step) (rate(saga_step_completed_total[$__rate_interval]))',
            legend: 'completed {{step}}',
          },
          {
            expr: 'sum by (step) (rate(saga_step_failed_total[$__rate_interval]))',
            legend: 'failed {{step}}',
          },
          {
            expr: 'sum by (step) (rate(saga_compensation_steps_total[$__rate_interval]))',
            legend: 'compensated {{step}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Timeout detector',
        description: 'Detector passes per second and p95 pass duration',
        queries: [
          { expr: 'sum(rate(saga_timeout_checks_total[$__rate_interval]))', legend: 'passes/s' },
          {
            expr: 'histogram_quantile(0.95, sum by (le) (rate(saga_timeout_check_duration_seconds_bucket[$__rate_interval])))',
            legend: 'p95 pass (s)',
          },
        ],
      }),
    )
    .withRow(new RowBuilder('Recent sagas'))
    .withPanel(
      table({
        title: 'Recent sagas by outcome',
        description:
          'Sagas ended in the time range by type and outcome (ids are never labels: open a saga via /api/sagas or its trace in Jaeger)',
        width: 24,
        queries: [{ expr: `${total('saga_duration_seconds_count', 'saga_type, outcome')} > 0` }],
      }),
    );
