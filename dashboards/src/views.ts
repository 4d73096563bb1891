import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { newDashboard, quantiles, stat, timeseries } from './panels';

/** The read side: how big the views are, how often they change, how far behind the events they are. */
export const materializedViews = () =>
  newDashboard(
    'hms-materialized-views',
    'HMS / Materialized Views',
    'Entries, update rates and staleness of every materialized view',
  )
    .withRow(new RowBuilder('Views'))
    .withPanel(
      stat({
        title: 'Entries per view',
        description: 'view_entries: cluster-wide size of each view map',
        width: 24,
        queries: [{ expr: 'max by (view) (view_entries)', legend: '{{view}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'View entries',
        description: 'view_entries over time',
        queries: [{ expr: 'max by (view) (view_entries)', legend: '{{view}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'View updates per second',
        description: 'view_updates_total: entries written per view',
        unit: 'ops',
        queries: [{ expr: 'sum by (view) (rate(view_updates_total[$__rate_interval]))', legend: '{{view}}' }],
      }),
    )
    .withRow(new RowBuilder('Staleness'))
    .withPanel(
      timeseries({
        title: 'Staleness p50/p95/p99 (all views)',
        description: 'view_staleness_seconds: from the event commit to the view reflecting it',
        unit: 's',
        queries: quantiles('view_staleness_seconds', []),
      }),
    )
    .withPanel(
      timeseries({
        title: 'Staleness p95 per view',
        description: 'view_staleness_seconds p95 per view',
        unit: 's',
        queries: [quantiles('view_staleness_seconds', ['view'])[1]!],
      }),
    )
    .withPanel(
      timeseries({
        title: 'View update stage p95',
        description: 'event_stage_duration_seconds{stage="view_update"} per service',
        unit: 's',
        queries: [quantiles('event_stage_duration_seconds', ['service'], '{stage="view_update"}')[1]!],
      }),
    );
