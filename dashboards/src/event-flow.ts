import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { newDashboard, quantiles, rateOrZero, timeseries } from './panels';

/** Events through the system: how many, how fast from commit to handled, where the time goes, who lags. */
export const eventFlow = () =>
  newDashboard(
    'hms-event-flow',
    'HMS / Event Flow',
    'Events per service, processing latency percentiles, stage timing and consumer lag',
  )
    .withRow(new RowBuilder('Volume'))
    .withPanel(
      timeseries({
        title: 'Events committed per second',
        description: 'events_appended_total by service and event type',
        unit: 'ops',
        queries: [
          {
            expr: 'sum by (service, event_type) (rate(events_appended_total[$__rate_interval]))',
            legend: '{{service}} {{event_type}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Events published per second',
        description: 'events_published_total by service (commit published to its stream)',
        unit: 'ops',
        queries: [
          {
            expr: 'sum by (service) (rate(events_published_total[$__rate_interval]))',
            legend: '{{service}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Events handled per second by consumer group',
        description: 'events_consumed_total by consumer group',
        unit: 'ops',
        queries: [
          {
            expr: 'sum by (consumer_group) (rate(events_consumed_total[$__rate_interval]))',
            legend: '{{consumer_group}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Handler failures per second by consumer group',
        description: 'event_handler_failures_total (0 when nothing failed)',
        unit: 'ops',
        queries: [
          {
            expr: rateOrZero('event_handler_failures_total', 'consumer_group', 'events_consumed_total'),
            legend: '{{consumer_group}}',
          },
        ],
      }),
    )
    .withRow(new RowBuilder('Latency'))
    .withPanel(
      timeseries({
        title: 'Processing latency (commit → handled) p50/p95/p99',
        description: 'event_end_to_end_seconds over all consumers',
        unit: 's',
        queries: quantiles('event_end_to_end_seconds', []),
      }),
    )
    .withPanel(
      timeseries({
        title: 'Processing latency p95 by consuming service',
        description: 'event_end_to_end_seconds p95 per consuming service',
        unit: 's',
        queries: [quantiles('event_end_to_end_seconds', ['service'])[1]!],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Stage timing p95',
        description: 'event_stage_duration_seconds p95 per stage: append, view_update, publish, handle',
        unit: 's',
        queries: [quantiles('event_stage_duration_seconds', ['stage'])[1]!],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Stage timing p50/p99 (handle)',
        description: 'event_stage_duration_seconds for the handle stage',
        unit: 's',
        queries: quantiles('event_stage_duration_seconds', [], '{stage="handle"}'),
      }),
    )
    .withRow(new RowBuilder('Lag and catch-ups'))
    .withPanel(
      timeseries({
        title: 'Consumer lag',
        description: 'subscription_lag_events: published but not yet handled, per group and stream',
        queries: [
          {
            expr: 'max by (consumer_group, stream) (subscription_lag_events)',
            legend: '{{consumer_group}} ← {{stream}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Append conflicts, outbox sweeps, catch-ups per second',
        description:
          'Optimistic-concurrency retries, commits published by the outbox sweeper, commits read back from the event store by a group its stream partition no longer served',
        unit: 'ops',
        queries: [
          {
            expr: rateOrZero('event_append_conflicts_total', 'service', 'events_appended_total'),
            legend: 'conflicts {{service}}',
          },
          {
            expr: rateOrZero('outbox_swept_commits_total', 'service', 'events_appended_total'),
            legend: 'outbox {{service}}',
          },
          {
            expr: rateOrZero(
              'subscription_caught_up_commits_total',
              'consumer_group',
              'events_consumed_total',
            ),
            legend: 'caught up {{consumer_group}}',
          },
        ],
      }),
    );
