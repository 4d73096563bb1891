import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';

/**
 * A local Prometheus for `npm start` and the observability e2e test: Debian's `prometheus` binary scraping
 * the local services on loopback, with the alert rules generated under dashboards/generated/.
 */
export interface LocalPrometheusOptions {
  /** host:port of each service's /metrics. */
  readonly targets: readonly string[];
  readonly host?: string;
  readonly port: number;
  /** Rule files to load (absolute paths). */
  readonly ruleFiles: readonly string[];
  /** Working directory: prometheus.yml, the TSDB and the log go here. */
  readonly dir: string;
  readonly scrapeInterval?: string;
  readonly evaluationInterval?: string;
  readonly binary?: string;
}

export interface LocalPrometheus {
  readonly url: string;
  readonly configFile: string;
  readonly logFile: string;
  stop(): Promise<void>;
}

/** The prometheus binary on PATH, or undefined. */
export function findPrometheus(name = 'prometheus'): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const binary = found.stdout.trim();
  return found.status === 0 && binary ? binary : undefined;
}

export function localPrometheusConfig(options: LocalPrometheusOptions): string {
  const interval = options.scrapeInterval ?? '5s';
  return stringify({
    global: { scrape_interval: interval, evaluation_interval: options.evaluationInterval ?? interval },
    rule_files: [...options.ruleFiles],
    scrape_configs: [
      {
        job_name: 'prometheus',
        static_configs: [{ targets: [`${options.host ?? '127.0.0.1'}:${options.port}`] }],
      },
      {
        job_name: 'hms-services',
        metrics_path: '/metrics',
        static_configs: [{ targets: [...options.targets] }],
      },
    ],
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts Prometheus and waits (bounded) until /-/ready answers; throws with the log tail otherwise. */
export async function startLocalPrometheus(options: LocalPrometheusOptions): Promise<LocalPrometheus> {
  const binary = options.binary ?? findPrometheus();
  if (!binary) throw new Error('prometheus is not installed (Debian: apt-get install -y prometheus)');
  const host = options.host ?? '127.0.0.1';
  fs.mkdirSync(options.dir, { recursive: true });
  const configFile = path.join(options.dir, 'prometheus.yml');
  const logFile = path.join(options.dir, 'prometheus.log');
  fs.writeFileSync(configFile, localPrometheusConfig(options));
  const log = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(options.dir, 'data')}`,
      `--web.listen-address=${host}:${options.port}`,
      '--storage.tsdb.retention.time=1d',
      '--web.enable-lifecycle',
    ],
    { stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve();
    }),
  );
  const url = `http://${host}:${options.port}`;
  const stop = async (): Promise<void> => {
    if (exited !== undefined) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), 10_000);
    });
    const killed = await Promise.race([exit.then(() => true), timeout]);
    clearTimeout(timer);
    if (!killed) {
      child.kill('SIGKILL');
      await exit;
    }
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited !== undefined) break;
    const ready = await fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { url, configFile, logFile, stop };
    if (Date.now() > deadline) break;
    await sleep(200);
  }
  await stop();
  const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
  throw new Error(
    `prometheus did not become ready on ${url} (exit ${String(exited)}); log ${logFile}:\n${tail}`,
  );
}
