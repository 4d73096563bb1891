import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadObservabilityFiles } from '../../../charts/support/dashboard-files';
import { dashboards, panelQueries, renderAll, RULES_FILE } from '../../../dashboards/src';
import { ruleGroups } from '../../../dashboards/src/alerts';

const GENERATED = path.join(__dirname, '..', '..', '..', 'dashboards', 'generated');

describe('dashboards as code', () => {
  test('renders the five dashboards of OBSERVABILITY.md and one rule file, deterministically', () => {
    const files = renderAll();
    expect(Object.keys(files).sort()).toEqual([
      'hms-alerts.rules.yaml',
      'hms-event-flow.json',
      'hms-materialized-views.json',
      'hms-sagas.json',
      'hms-system-overview.json',
      'hms-transactions.json',
    ]);
    expect(renderAll()).toEqual(files);
    const titles = Object.values(dashboards).map((build) => build().build().title);
    expect(titles).toEqual([
      'HMS / System Overview',
      'HMS / Transaction Monitoring',
      'HMS / Event Flow',
      'HMS / Materialized Views',
      'HMS / Sagas',
    ]);
  });

  test('dashboards/generated is what the generator produces (run `npm run dashboards` after changing it)', () => {
    // Compared as data: `npm run dashboards` formats the files with prettier afterwards.
    const files = renderAll();
    expect(fs.readdirSync(GENERATED).sort()).toEqual(Object.keys(files).sort());
    for (const [name, text] of Object.entries(files)) {
      const onDisk = fs.readFileSync(path.join(GENERATED, name), 'utf8');
      const read = name.endsWith('.json')
        ? (t: string): unknown => JSON.parse(t)
        : (t: string): unknown => parse(t);
      expect({ name, data: read(onDisk) }).toEqual({ name, data: read(text) });
    }
  });

  test('the chart loader picks up every dashboard and the rule file', () => {
    const found = loadObservabilityFiles(path.join(GENERATED, '..'));
    expect(Object.keys(found.dashboards).sort()).toEqual(
      Object.keys(renderAll())
        .filter((name) => name.endsWith('.json'))
        .sort(),
    );
    expect(Object.keys(found.ruleFiles)).toEqual([RULES_FILE]);
  });

  test('every panel queries Prometheus by the provisioned uid, with unique panel titles per dashboard', () => {
    for (const build of Object.values(dashboards)) {
      const built = build().build();
      const panels = (built.panels ?? []).filter((panel) => panel.type !== 'row');
      expect(panels.length).toBeGreaterThanOrEqual(6);
      const titles = panels.map((panel) => panel.title);
      expect(new Set(titles).size).toBe(titles.length);
      for (const panel of panels) {
        expect(panel).toMatchObject({ datasource: { type: 'prometheus', uid: 'prometheus' } });
        expect('targets' in panel && (panel.targets ?? []).length).toBeGreaterThan(0);
      }
    }
  });

  test('queries never group or filter by an id label', () => {
    for (const { expr } of panelQueries()) {
      expect(expr).not.toMatch(/\b(order_id|saga_id|customer_id|orderId|sagaId|customerId)\b/);
    }
  });

  test('the minimum panels of OBSERVABILITY.md are there', () => {
    const exprs = panelQueries().map((query) => query.expr);
    for (const metric of [
      'up',
      'hazelcast_cluster_members',
      'http_server_request_duration_seconds_count',
      'event_handler_failures_total',
      'orders_created_total|OrderCreated',
      'order_revenue_total',
      'payments_total',
      'event_end_to_end_seconds_bucket',
      'event_stage_duration_seconds_bucket',
      'subscription_lag_events',
      'view_entries',
      'view_updates_total',
      'view_staleness_seconds_bucket',
      'sagas_active',
      'saga_completed_total',
      'saga_compensated_total',
      'saga_failed_total',
      'saga_timed_out_total',
      'saga_duration_seconds_bucket',
    ]) {
      expect(exprs.some((expr) => new RegExp(`\\b(${metric})\\b`).test(expr))).toBe(true);
    }
  });

  test('the rule file holds every alert of OBSERVABILITY.md', () => {
    const parsed = parse(renderAll()[RULES_FILE]!) as { groups: Array<{ rules: Array<{ alert: string }> }> };
    const alerts = parsed.groups.flatMap((group) => group.rules.map((rule) => rule.alert));
    expect(alerts).toEqual(ruleGroups().flatMap((group) => group.rules.map((rule) => rule.alert)));
    expect(alerts).toEqual([
      'SagaFailed',
      'SagaCompensationStuck',
      'SagaTimeouts',
      'SagaSuccessRateLow',
      'EventHandlerErrorRateHigh',
      'ConsumerLagGrowing',
      'EventsParked',
      'ServiceDown',
      'HazelcastClientDisconnected',
      'HazelcastMemberMissing',
    ]);
  });
});
