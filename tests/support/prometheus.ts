import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from '../../src/net/free-port';
import { renderAll, RULES_FILE } from '../../dashboards/src';
import {
  findPrometheus,
  startLocalPrometheus,
  type LocalPrometheus,
} from '../../scripts/local-prometheus/local-prometheus';
import type { TestSystem } from './system';

export interface TestPrometheus extends LocalPrometheus {
  readonly rulesFile: string;
  readonly dir: string;
}

/**
 * A real Prometheus (Debian's binary) scraping the test system every second, with the alert rules as the
 * code renders them now. Throws when prometheus is not installed: the proof must not silently pass.
 */
export async function startTestPrometheus(system: TestSystem): Promise<TestPrometheus> {
  if (!findPrometheus()) {
    throw new Error('prometheus is not installed: apt-get install -y prometheus (npm test installs it)');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hms-prometheus-'));
  const rulesFile = path.join(dir, RULES_FILE);
  fs.writeFileSync(rulesFile, renderAll()[RULES_FILE]!);
  const prometheus = await startLocalPrometheus({
    targets: Object.values(system.services).map((service) => `127.0.0.1:${service.options.port}`),
    port: await findFreePort('127.0.0.1'),
    ruleFiles: [rulesFile],
    dir,
    scrapeInterval: '1s',
    evaluationInterval: '1s',
  });
  return {
    ...prometheus,
    rulesFile,
    dir,
    stop: async () => {
      await prometheus.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

export interface QueryResult {
  readonly status: 'success' | 'error';
  readonly data?: { readonly resultType: string; readonly result: Sample[] | [number, string] };
  readonly errorType?: string;
  readonly error?: string;
}

/** GET /api/v1/query (instant); never throws on a PromQL error, returns it. */
export async function instantQuery(url: string, expr: string): Promise<QueryResult> {
  const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`, {
    signal: AbortSignal.timeout(10_000),
  });
  return (await response.json()) as QueryResult;
}

/** The samples of a vector result (a scalar counts as one sample). */
export function samples(result: QueryResult): Sample[] {
  const data = result.data;
  if (!data) return [];
  if (data.resultType === 'vector' || data.resultType === 'matrix') return data.result as Sample[];
  return [{ metric: {}, value: data.result as [number, string] }];
}

/**
 * What Grafana does to a query before sending it: its global variables replaced. The windows are chosen
 * for a short test run: the rate window covers the last minute, the range the whole run.
 */
export function interpolate(
  expr: string,
  variables: { rateInterval: string; range: string; interval: string } = {
    rateInterval: '1m',
    range: '10m',
    interval: '5s',
  },
): string {
  return expr
    .replaceAll('$__rate_interval', variables.rateInterval)
    .replaceAll('$__range', variables.range)
    .replaceAll('$__interval', variables.interval);
}
