import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from 'hazelcast-client';
import { panelQueries } from '../../../dashboards/src';
import { ruleGroups } from '../../../dashboards/src/alerts';
import { closeTestHazelcast, testHazelcast } from '../../support/hazelcast';
import {
  instantQuery,
  interpolate,
  samples,
  startTestPrometheus,
  type TestPrometheus,
} from '../../support/prometheus';
import { Shop, withPolicy } from '../../support/saga-fixtures';
import { eventually, startTestSystem, type TestSystem } from '../../support/system';

const ALL = ['account', 'inventory', 'order', 'payment'] as const;
const RESULTS = path.join(__dirname, '..', '..', '..', '.run', 'tests', 'observability-results.json');

/**
 * OBSERVABILITY.md's proof: the real services, a real Prometheus scraping them every second with the
 * generated rules, sagas that complete, compensate and time out; then every dashboard query and every
 * alert expression evaluated by that Prometheus.
 */
describe('observability: dashboards and alerts against a real Prometheus', () => {
  let system: TestSystem;
  let client: Client;
  let prometheus: TestPrometheus;
  let shop: Shop;

  beforeAll(async () => {
    ({ client } = await testHazelcast());
    system = await startTestSystem();
    prometheus = await startTestPrometheus(system);
    shop = new Shop(system);
  }, 120_000);
  afterAll(async () => {
    await prometheus?.stop();
    await system?.stop();
    await closeTestHazelcast(client);
  });

  test('completed, compensated and timed-out sagas, then every panel query returns data and every alert parses', async () => {
    const pause = () => new Promise((resolve) => setTimeout(resolve, 1_500));
    // A baseline first: Prometheus counts increases between scrapes, so every counter should be seen
    // before it moves (and sagas are spaced by more than the 1 s scrape interval).
    await eventually(
      async () => {
        const up = samples(await instantQuery(prometheus.url, 'sum(up{job="hms-services"})'));
        return up[0]?.value[1] === '4';
      },
      30_000,
      'Prometheus to scrape all four services',
    );
    await pause();
    const customerId = await shop.customer();
    const cheap = await shop.product('25.00', 100);
    const dear = await shop.product('6000.00', 10);
    await pause();
    // Timed out: payment down, a 2 s deadline (first, so the restarted payment's counters move afterwards).
    await withPolicy(client, system, { timeout: '2s', checkInterval: '200ms' }, ALL);
    try {
      await system.services.payment.stop();
      const order = await shop.order(customerId, [{ productId: cheap, quantity: 1 }]);
      expect(await shop.ended(order.sagaId as string)).toMatchObject({
        status: 'COMPENSATED',
        timedOut: true,
      });
      await system.restart('payment');
    } finally {
      await withPolicy(client, system, {}, ALL);
    }
    await pause();
    // Completed.
    for (let i = 0; i < 3; i += 1) {
      const order = await shop.order(customerId, [{ productId: cheap, quantity: 1 }]);
      expect(await shop.ended(order.sagaId as string)).toMatchObject({ status: 'COMPLETED' });
      await pause();
    }
    // Compensated: the processor declines amounts over 10000.00.
    for (let i = 0; i < 2; i += 1) {
      const order = await shop.order(customerId, [{ productId: dear, quantity: 2 }]);
      expect(await shop.ended(order.sagaId as string)).toMatchObject({
        status: 'COMPENSATED',
        timedOut: false,
      });
      await pause();
    }

    // Prometheus has scraped the outcomes (1 s interval) and the restarted payment.
    await eventually(
      async () => {
        const ended = await instantQuery(prometheus.url, 'sum by (outcome) (saga_duration_seconds_count)');
        const counts = Object.fromEntries(samples(ended).map((s) => [s.metric.outcome, s.value[1]]));
        const up = samples(await instantQuery(prometheus.url, 'sum(up{job="hms-services"})'));
        return (
          counts.completed === '3' &&
          counts.compensated === '2' &&
          counts.timed_out === '1' &&
          up[0]?.value[1] === '4'
        );
      },
      30_000,
      'Prometheus to have scraped every outcome and all four services up',
    );
    await pause();

    const queries = panelQueries();
    expect(queries.length).toBeGreaterThan(50);
    const failures: string[] = [];
    const results: Array<{
      dashboard: string;
      panel: string;
      expr: string;
      series: number;
      sample?: unknown;
    }> = [];
    for (const query of queries) {
      const expr = interpolate(query.expr);
      const result = await instantQuery(prometheus.url, expr);
      const found = samples(result);
      if (result.status !== 'success') {
        failures.push(`${query.dashboard} / ${query.panel}: ${result.errorType}: ${result.error}\n  ${expr}`);
      } else if (found.length === 0) {
        failures.push(`${query.dashboard} / ${query.panel}: no data\n  ${expr}`);
      }
      results.push({
        ...query,
        series: found.length,
        sample: found.slice(0, 6).map((s) => ({ metric: s.metric, value: s.value[1] })),
      });
    }

    const alertFailures: string[] = [];
    const alerts: Array<{ alert: string; series: number }> = [];
    for (const rule of ruleGroups().flatMap((group) => group.rules)) {
      const result = await instantQuery(prometheus.url, rule.expr);
      if (result.status !== 'success') alertFailures.push(`${rule.alert}: ${result.error}`);
      alerts.push({ alert: rule.alert, series: samples(result).length });
    }
    // Prometheus loaded the generated rule file and evaluates every rule without error.
    const loaded = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as {
      data: {
        groups: Array<{ name: string; rules: Array<{ name: string; health: string; state: string }> }>;
      };
    };
    const loadedRules = loaded.data.groups.flatMap((group) => group.rules);
    fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
    fs.writeFileSync(
      RESULTS,
      `${JSON.stringify({ panels: results, alerts, rules: loadedRules }, null, 2)}\n`,
    );

    expect(failures).toEqual([]);
    // The range totals count exactly what happened (series born during the run included).
    const stat = (dashboard: string, panel: string): Record<string, string> => {
      const found = results.find((r) => r.dashboard === dashboard && r.panel === panel);
      const values = (found?.sample ?? []) as Array<{ metric: Record<string, string>; value: string }>;
      return Object.fromEntries(values.map((v) => [Object.values(v.metric).join(' ') || 'value', v.value]));
    };
    expect(stat('hms-sagas.json', 'Completed')).toEqual({ OrderFulfillment: '3' });
    expect(stat('hms-sagas.json', 'Compensated')).toEqual({ OrderFulfillment: '3' });
    expect(stat('hms-sagas.json', 'Timed out')).toEqual({ OrderFulfillment: '1' });
    expect(stat('hms-sagas.json', 'Failed')).toEqual({ OrderFulfillment: '0' });
    expect(stat('hms-sagas.json', 'Completion rate')).toEqual({ OrderFulfillment: '0.5' });
    expect(stat('hms-transactions.json', 'Orders created')).toEqual({ value: '6' });
    expect(stat('hms-transactions.json', 'Payment success rate')).toEqual({ value: '0.6' });
    expect(stat('hms-transactions.json', 'Revenue')).toEqual({ value: '82.5' });
    expect(alertFailures).toEqual([]);
    expect(loadedRules.map((rule) => rule.name).sort()).toEqual(
      ruleGroups()
        .flatMap((group) => group.rules.map((rule) => rule.alert))
        .sort(),
    );
    expect(loadedRules.filter((rule) => rule.health === 'err')).toEqual([]);
    // The timeout just happened: its alert is firing (it has no `for`).
    expect(loadedRules.find((rule) => rule.name === 'SagaTimeouts')?.state).toBe('firing');

    const check = spawnSync('promtool', ['check', 'rules', prometheus.rulesFile], { encoding: 'utf8' });
    expect(check.status).toBe(0);
  }, 240_000);
});
