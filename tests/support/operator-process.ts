import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { findFreePort } from '../../src/net/free-port';

const ROOT = join(__dirname, '..', '..');

/** The compiled operator as its own process, the way it runs in its pod, with its metrics port. */
export class OperatorProcess {
  private child: ChildProcess | undefined;
  private exit: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly options: {
      readonly name: string;
      readonly kubeconfig: string;
      readonly namespace: string;
      readonly env: Readonly<Record<string, string>>;
      readonly port: number;
    },
  ) {}

  /** Its stdout and stderr (pino JSON lines). */
  get logFile(): string {
    return join(ROOT, '.run', 'tests', `operator-${this.options.name}-${this.options.port}.log`);
  }

  start(): void {
    const logFile = this.logFile;
    mkdirSync(join(ROOT, '.run', 'tests'), { recursive: true });
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(process.execPath, [join(ROOT, 'build', 'operator', 'main.js')], {
      env: {
        ...process.env,
        KUBECONFIG: this.options.kubeconfig,
        WATCH_NAMESPACE: this.options.namespace,
        LEASE_NAMESPACE: this.options.namespace,
        POD_NAME: this.options.name,
        METRICS_HOST: '127.0.0.1',
        METRICS_PORT: String(this.options.port),
        RESYNC_MS: '2000',
        ...this.options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    this.exit = new Promise((resolve) => child.once('exit', resolve));
    this.child = child;
  }

  async waitReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        if ((await fetch(`http://127.0.0.1:${this.options.port}/readyz`)).status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`operator ${this.options.name} not ready within ${timeoutMs} ms`);
  }

  /** The sum of a metric's samples on this replica's /metrics (0 when absent). */
  async metric(name: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${this.options.port}/metrics`)).text();
    return text
      .split('\n')
      .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 10_000);
    await this.exit;
    clearTimeout(timer);
  }
}

/** One replica against the test run's Hazelcast member, started and ready (its informer has synced). */
export async function startTestOperator(options: {
  readonly name: string;
  readonly kubeconfig: string;
  readonly namespace: string;
  /** HAZELCAST_NAME_PREFIX: where it writes the policy map. */
  readonly prefix: string;
  readonly env?: Readonly<Record<string, string>>;
}): Promise<OperatorProcess> {
  const started = new OperatorProcess({
    name: options.name,
    kubeconfig: options.kubeconfig,
    namespace: options.namespace,
    env: {
      HAZELCAST_ADDRESSES: process.env.HZ_ADDRESS!,
      HAZELCAST_CLUSTER_NAME: process.env.HZ_CLUSTER_NAME!,
      HAZELCAST_NAME_PREFIX: options.prefix,
      ...options.env,
    },
    port: await findFreePort(),
  });
  started.start();
  try {
    await started.waitReady();
  } catch (error) {
    await started.stop();
    throw error;
  }
  return started;
}
