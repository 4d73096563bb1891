import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeSeriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

/** The datasource uids provisioned by charts/constructs/grafana.ts (DATASOURCE_UIDS). */
export const PROMETHEUS = { type: 'prometheus', uid: 'prometheus' } as const;
export const JAEGER = { type: 'jaeger', uid: 'jaeger' } as const;

/** Routes that are probes, not traffic: left out of throughput, latency and error rates. */
export const TRAFFIC = 'route!~"/health.*|/actuator.*|/metrics|unmatched"';

export interface Query {
  readonly expr: string;
  readonly legend?: string;
}

const target = (query: Query, index: number, format?: PromQueryFormat, instant = false) => {
  const builder = new DataqueryBuilder()
    .datasource(PROMETHEUS)
    .refId(String.fromCharCode(65 + index))
    .expr(query.expr)
    .legendFormat(query.legend ?? '__auto');
  if (format) builder.format(format);
  return instant ? builder.instant() : builder.range();
};

export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly unit?: string;
  readonly queries: readonly Query[];
  readonly width?: number;
  readonly height?: number;
}

export function timeseries(spec: PanelSpec): TimeSeriesPanel {
  const panel = new TimeSeriesPanel()
    .title(spec.title)
    .description(spec.description)
    .datasource(PROMETHEUS)
    .unit(spec.unit ?? 'short')
    .span(spec.width ?? 12)
    .height(spec.height ?? 8)
    .fillOpacity(10)
    .lineWidth(1);
  spec.queries.forEach((query, index) => panel.withTarget(target(query, index)));
  return panel;
}

export function stat(spec: PanelSpec): StatPanel {
  const panel = new StatPanel()
    .title(spec.title)
    .description(spec.description)
    .datasource(PROMETHEUS)
    .unit(spec.unit ?? 'short')
    .span(spec.width ?? 6)
    .height(spec.height ?? 5);
  spec.queries.forEach((query, index) => panel.withTarget(target(query, index, undefined, true)));
  return panel;
}

export function table(spec: PanelSpec): TablePanel {
  const panel = new TablePanel()
    .title(spec.title)
    .description(spec.description)
    .datasource(PROMETHEUS)
    .unit(spec.unit ?? 'short')
    .span(spec.width ?? 12)
    .height(spec.height ?? 8);
  spec.queries.forEach((query, index) => panel.withTarget(target(query, index, PromQueryFormat.Table, true)));
  return panel;
}

/** p50/p95/p99 of a histogram, summed over replicas by the given labels. */
export function quantiles(metric: string, by: readonly string[], selector = ''): Query[] {
  const labels = [...by, 'le'].join(', ');
  const legend = by.map((label) => `{{${label}}}`).join(' ');
  return [0.5, 0.95, 0.99].map((q) => ({
    expr: `histogram_quantile(${q}, sum by (${labels}) (rate(${metric}_bucket${selector}[$__rate_interval])))`,
    legend: `p${Math.round(q * 100)} ${legend}`.trim(),
  }));
}

/**
 * A counter that only has series once something happened (failures, conflicts): the rate, or 0 for every
 * value of `by` that the reference counter knows, so the panel shows a flat 0 instead of "No data".
 */
export function rateOrZero(
  metric: string,
  by: string,
  reference: string,
  window = '$__rate_interval',
): string {
  return (
    `sum by (${by}) (rate(${metric}[${window}]))` + ` or sum by (${by}) (rate(${reference}[${window}])) * 0`
  );
}

/**
 * How much a counter grew over the range, per `by`. increase() alone misses the first step of a series
 * born in the range (labelled counters appear on their first increment, already at 1, and Prometheus
 * cannot know they started at 0): series that did not exist a range ago count with their whole value.
 */
export function total(metric: string, by: string, range = '$__range'): string {
  const born = `(${metric} unless ${metric} offset ${range})`;
  const sum = by ? `sum by (${by})` : 'sum';
  return `${sum} ((increase(${metric}[${range}]) unless ${born}) or ${born})`;
}

/** Links every dashboard to the others and to Jaeger's search (traces of one saga are one trace). */
const links = (): cog.Builder<dashboard.DashboardLink>[] => [
  new DashboardLinkBuilder('HMS dashboards')
    .type(DashboardLinkType.Dashboards)
    .tags(['hms'])
    .asDropdown(true)
    .includeVars(false)
    .keepTime(true),
  new DashboardLinkBuilder('Traces (Jaeger)')
    .type(DashboardLinkType.Link)
    .url(
      `/explore?left=${encodeURIComponent(
        JSON.stringify({ datasource: JAEGER.uid, queries: [{ refId: 'A', queryType: 'search' }] }),
      )}`,
    )
    .icon('external link')
    .keepTime(true),
];

export function newDashboard(uid: string, title: string, description: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['hms', 'generated'])
    .editable()
    .refresh('10s')
    .time({ from: 'now-30m', to: 'now' })
    .timezone('browser')
    .links(links());
}
