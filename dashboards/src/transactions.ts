import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { newDashboard, stat, table, timeseries, total, TRAFFIC } from './panels';

const appended = (types: string) => `events_appended_total{event_type=~"${types}"}`;

/** The business: orders, their outcomes, payments and revenue, from the events the services commit. */
export const transactions = () =>
  newDashboard(
    'hms-transactions',
    'HMS / Transaction Monitoring',
    'Orders, payments, revenue and outcomes (counted once cluster-wide from committed events)',
  )
    .withRow(new RowBuilder('Totals over the time range'))
    .withPanel(
      stat({
        title: 'Orders created',
        description: 'orders_created_total: orders created in the time range',
        queries: [{ expr: total('orders_created_total', ''), legend: 'orders' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Order outcomes',
        description: 'Orders confirmed and cancelled in the time range',
        queries: [
          {
            expr: total(appended('OrderConfirmed|OrderCancelled'), 'event_type'),
            legend: '{{event_type}}',
          },
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Payment success rate',
        description: 'Payments captured out of payments attempted in the time range',
        unit: 'percentunit',
        queries: [
          {
            expr: `${total('payments_total{outcome="captured"}', '')} / ${total('payments_total{outcome=~"captured|failed"}', '')}`,
            legend: 'success',
          },
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Revenue',
        description:
          'Amount captured by payments in the time range (order_revenue_total; refunds: order_refunded_total)',
        unit: 'currencyUSD',
        queries: [{ expr: total('order_revenue_total', ''), legend: 'revenue' }],
      }),
    )
    .withRow(new RowBuilder('Rates'))
    .withPanel(
      timeseries({
        title: 'Orders per second by event',
        description: 'Order lifecycle events per second',
        unit: 'ops',
        queries: [
          {
            expr: `sum by (event_type) (rate(events_appended_total{service="order"}[$__rate_interval]))`,
            legend: '{{event_type}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Payments per second by outcome',
        description: 'payments_total by outcome: captured, failed (declined), refunded',
        unit: 'ops',
        queries: [
          { expr: 'sum by (outcome) (rate(payments_total[$__rate_interval]))', legend: '{{outcome}}' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Revenue per minute',
        description: 'Amount captured and refunded per minute',
        unit: 'currencyUSD',
        queries: [
          { expr: 'sum(rate(order_revenue_total[$__rate_interval])) * 60', legend: 'captured/min' },
          { expr: 'sum(rate(order_refunded_total[$__rate_interval])) * 60', legend: 'refunded/min' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Order API latency p95',
        description: 'p95 of the order and payment API routes',
        unit: 's',
        queries: [
          {
            expr: `histogram_quantile(0.95, sum by (method, route, le) (rate(http_server_request_duration_seconds_bucket{service=~"order|payment",${TRAFFIC}}[$__rate_interval])))`,
            legend: '{{method}} {{route}}',
          },
        ],
      }),
    )
    .withPanel(
      table({
        title: 'Outcomes in the time range',
        description: 'Order and payment outcome events in the time range',
        queries: [
          {
            expr: total(
              appended('Order(Confirmed|Cancelled)|Payment(Processed|Failed|Refunded)'),
              'service, event_type',
            ),
          },
        ],
      }),
    );
