import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { newDashboard, rateOrZero, stat, timeseries, TRAFFIC } from './panels';

/** Is everything up, is Hazelcast whole, how much traffic, how many errors. */
export const systemOverview = () =>
  newDashboard(
    'hms-system-overview',
    'HMS / System Overview',
    'Service health, Hazelcast cluster, throughput and error rates of the four services',
  )
    .withRow(new RowBuilder('Health'))
    .withPanel(
      stat({
        title: 'Scrape targets up',
        description: 'Targets answering /metrics (up == 1) out of all scraped targets',
        queries: [
          { expr: 'sum(up)', legend: 'up' },
          { expr: 'count(up)', legend: 'targets' },
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Service instances',
        description: 'Processes reporting metrics, per service',
        queries: [
          { expr: 'count by (service) (process_start_time_seconds{service!=""})', legend: '{{service}}' },
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Hazelcast members',
        description: "Members in the clients' cluster view (the smallest view of any service)",
        queries: [{ expr: 'min(hazelcast_cluster_members)', legend: 'members' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Hazelcast clients connected',
        description: 'Service processes whose Hazelcast client is connected, out of all',
        queries: [
          { expr: 'sum(hazelcast_client_connected)', legend: 'connected' },
          { expr: 'count(hazelcast_client_connected)', legend: 'clients' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Target up/down',
        description: 'up per scrape target (0 = the target did not answer)',
        queries: [{ expr: 'up', legend: '{{job}} {{instance}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Hazelcast members seen per service',
        description: 'Members in each service client view; a drop on all services means a member left',
        queries: [{ expr: 'max by (service) (hazelcast_cluster_members)', legend: '{{service}}' }],
      }),
    )
    .withRow(new RowBuilder('Throughput'))
    .withPanel(
      timeseries({
        title: 'HTTP requests per second',
        description: 'API requests served, per service (probes excluded)',
        unit: 'reqps',
        queries: [
          {
            expr: `sum by (service) (rate(http_server_request_duration_seconds_count{${TRAFFIC}}[$__rate_interval]))`,
            legend: '{{service}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Events committed per second',
        description: 'Events appended to the event store, per service',
        unit: 'ops',
        queries: [
          { expr: 'sum by (service) (rate(events_appended_total[$__rate_interval]))', legend: '{{service}}' },
        ],
      }),
    )
    .withRow(new RowBuilder('Errors'))
    .withPanel(
      timeseries({
        title: 'HTTP 5xx ratio',
        description: 'Share of API requests answered with a 5xx, per service',
        unit: 'percentunit',
        queries: [
          {
            expr:
              `(sum by (service) (rate(http_server_request_duration_seconds_count{${TRAFFIC},status=~"5.."}[$__rate_interval]))` +
              ` or sum by (service) (rate(http_server_request_duration_seconds_count{${TRAFFIC}}[$__rate_interval])) * 0)` +
              ` / sum by (service) (rate(http_server_request_duration_seconds_count{${TRAFFIC}}[$__rate_interval]))`,
            legend: '{{service}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Event handler failures per second',
        description: 'Handler attempts that threw (retried, then parked), per service',
        unit: 'ops',
        queries: [
          {
            expr: rateOrZero('event_handler_failures_total', 'service', 'events_consumed_total'),
            legend: '{{service}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'HTTP latency p95',
        description: 'p95 request duration per service (probes excluded)',
        unit: 's',
        queries: [
          {
            expr: `histogram_quantile(0.95, sum by (service, le) (rate(http_server_request_duration_seconds_bucket{${TRAFFIC}}[$__rate_interval])))`,
            legend: '{{service}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Resident memory',
        description: 'Process RSS per service instance',
        unit: 'bytes',
        queries: [{ expr: 'process_resident_memory_bytes{service!=""}', legend: '{{service}} {{instance}}' }],
      }),
    );
