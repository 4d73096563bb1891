import path from 'node:path';
import fs from 'node:fs';
import { projectRoot } from '../../src/hazelcast/member';
import { DEFAULT_PORTS, SERVICE_NAMES } from '../../src/local/service-process';
import { findPrometheus, startLocalPrometheus } from './local-prometheus';

/**
 * `node build/scripts/local-prometheus/main.js`: a Prometheus on 127.0.0.1:9090 scraping the four local
 * services (127.0.0.1:8081–8084) with the generated alert rules. Skips (exit 0) when prometheus is not
 * installed; Ctrl-C stops it. Env: PROMETHEUS_PORT, PROMETHEUS_SCRAPE_INTERVAL.
 */
const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  if (!findPrometheus()) {
    say('prometheus is not installed: no local Prometheus (Debian: sudo apt-get install -y prometheus)');
    return;
  }
  const root = projectRoot();
  const rules = path.join(root, 'dashboards', 'generated', 'hms-alerts.rules.yaml');
  if (!fs.existsSync(rules))
    say(`  ${rules} is missing (npm run dashboards): Prometheus runs without alert rules`);
  const prometheus = await startLocalPrometheus({
    targets: SERVICE_NAMES.map((name) => `127.0.0.1:${DEFAULT_PORTS[name]}`),
    port: Number(process.env.PROMETHEUS_PORT ?? 9090),
    ruleFiles: fs.existsSync(rules) ? [rules] : [],
    dir: path.join(root, '.run', 'prometheus'),
    scrapeInterval: process.env.PROMETHEUS_SCRAPE_INTERVAL ?? '5s',
  });
  say(`Prometheus ${prometheus.url}  (targets: ${prometheus.url}/targets, alerts: ${prometheus.url}/alerts)`);
  say(
    `  config ${path.relative(root, prometheus.configFile)}, log ${path.relative(root, prometheus.logFile)}`,
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void prometheus.stop().then(() => process.exit(0));
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`local-prometheus: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
