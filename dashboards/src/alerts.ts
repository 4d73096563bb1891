import { stringify } from 'yaml';

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: { readonly severity: 'critical' | 'warning' };
  readonly annotations: { readonly summary: string; readonly description: string };
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** The alerts of OBSERVABILITY.md, as a Prometheus rule file (dashboards/generated/hms-alerts.rules.yaml). */
/**
 * "Did this counter move in the window", counting series born in the window with their value: Prometheus
 * sees a counter series first when it is already 1 (labelled counters appear on their first increment), and
 * increase() cannot see that first step. Approximate as a count, exact as "> 0".
 */
const moved = (metric: string, window: string, by: string): string =>
  `sum by (${by}) (increase(${metric}[${window}])) > 0 or sum by (${by}) (${metric} unless ${metric} offset ${window}) > 0`;

export const ruleGroups = (): RuleGroup[] => [
  {
    name: 'hms-sagas',
    rules: [
      {
        alert: 'SagaFailed',
        expr: moved('saga_failed_total', '5m', 'saga_type'),
        labels: { severity: 'critical' },
        annotations: {
          summary: '{{ $labels.saga_type }} sagas ended FAILED',
          description:
            'About {{ $value }} {{ $labels.saga_type }} saga(s) ended FAILED in 5m: a compensation kept failing and needs a human (GET /api/sagas?status=FAILED).',
        },
      },
      {
        alert: 'SagaCompensationStuck',
        expr: 'max by (saga_type) (sagas_compensating) > 0',
        for: '10m',
        labels: { severity: 'warning' },
        annotations: {
          summary: '{{ $labels.saga_type }} sagas stuck compensating',
          description:
            '{{ $value }} {{ $labels.saga_type }} saga(s) have been compensating for 10m: a compensation step is not completing.',
        },
      },
      {
        alert: 'SagaTimeouts',
        expr: moved('saga_timed_out_total', '5m', 'saga_type'),
        labels: { severity: 'warning' },
        annotations: {
          summary: '{{ $labels.saga_type }} sagas timing out',
          description:
            'About {{ $value }} {{ $labels.saga_type }} saga(s) passed their deadline in 5m: a participant is down or slow.',
        },
      },
      {
        alert: 'SagaSuccessRateLow',
        expr:
          '(sum by (saga_type) (increase(saga_completed_total[15m]))' +
          ' or sum by (saga_type) (increase(saga_duration_seconds_count[15m])) * 0)' +
          ' / sum by (saga_type) (increase(saga_duration_seconds_count[15m])) < 0.8' +
          ' and sum by (saga_type) (increase(saga_duration_seconds_count[15m])) >= 10',
        for: '5m',
        labels: { severity: 'warning' },
        annotations: {
          summary: '{{ $labels.saga_type }} success rate below 80%',
          description:
            'Only {{ $value | humanizePercentage }} of the {{ $labels.saga_type }} sagas ended in 15m completed.',
        },
      },
    ],
  },
  {
    name: 'hms-events',
    rules: [
      {
        alert: 'EventHandlerErrorRateHigh',
        expr:
          'sum by (service, consumer_group) (rate(event_handler_failures_total[5m]))' +
          ' / (sum by (service, consumer_group) (rate(events_consumed_total[5m]))' +
          ' + sum by (service, consumer_group) (rate(event_handler_failures_total[5m]))) > 0.05',
        for: '5m',
        labels: { severity: 'warning' },
        annotations: {
          summary: '{{ $labels.consumer_group }} handler failures above 5%',
          description:
            '{{ $value | humanizePercentage }} of the attempts of {{ $labels.consumer_group }} on {{ $labels.service }} throw.',
        },
      },
      {
        alert: 'ConsumerLagGrowing',
        expr:
          'max by (consumer_group, stream) (subscription_lag_events) > 100' +
          ' and max by (consumer_group, stream) (delta(subscription_lag_events[10m])) > 0',
        for: '10m',
        labels: { severity: 'warning' },
        annotations: {
          summary: '{{ $labels.consumer_group }} falls behind on {{ $labels.stream }}',
          description:
            'Lag of {{ $labels.consumer_group }} on {{ $labels.stream }} is {{ $value }} events and still growing; the ring buffer will overrun.',
        },
      },
      {
        alert: 'EventsParked',
        // Every replica reports the same cluster-wide count (read from the shared store): max, not sum.
        expr: 'max by (consumer_group) (dlq_entries_pending) > 0',
        for: '2m',
        labels: { severity: 'warning' },
        annotations: {
          summary: '{{ $labels.consumer_group }} has parked events',
          description:
            '{{ $value }} event(s) of {{ $labels.consumer_group }} failed every retry and are parked: GET /api/admin/dlq (npx hms dlq list), then replay or discard them.',
        },
      },
    ],
  },
  {
    name: 'hms-platform',
    rules: [
      {
        alert: 'ServiceDown',
        expr: 'up == 0',
        for: '1m',
        labels: { severity: 'critical' },
        annotations: {
          summary: '{{ $labels.job }} target {{ $labels.instance }} is down',
          description: 'Prometheus could not scrape {{ $labels.instance }} ({{ $labels.job }}) for 1m.',
        },
      },
      {
        alert: 'HazelcastClientDisconnected',
        expr: 'hazelcast_client_connected == 0',
        for: '1m',
        labels: { severity: 'critical' },
        annotations: {
          summary: '{{ $labels.service }} lost the Hazelcast cluster',
          description:
            'The Hazelcast client of {{ $labels.service }} ({{ $labels.instance }}) is not connected.',
        },
      },
      {
        alert: 'HazelcastMemberMissing',
        expr: 'max(hazelcast_cluster_members) < max_over_time(max(hazelcast_cluster_members)[1h:1m])',
        for: '2m',
        labels: { severity: 'critical' },
        annotations: {
          summary: 'A Hazelcast member is missing',
          description:
            'The services see {{ $value }} member(s), fewer than in the last hour: a member left and has not come back.',
        },
      },
    ],
  },
];

export const rulesFile = (): string =>
  '# Generated by `npm run dashboards` from dashboards/src/alerts.ts: do not edit.\n' +
  stringify({ groups: ruleGroups() }, { lineWidth: 0 });
