import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ProcessExit } from '../core/process-exit';
import { sleep } from '../core/sleep';

export const SERVICE_NAMES = ['account', 'inventory', 'order', 'payment'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
export const DEFAULT_PORTS: Readonly<Record<ServiceName, number>> = {
  account: 8081,
  inventory: 8082,
  order: 8083,
  payment: 8084,
};

/** V8 flags of every service process started outside a container (npm start, the tests, the benchmarks). */
export const LOCAL_SERVICE_V8_FLAGS: readonly string[] = [
  '--max-semi-space-size=8',
  '--max-old-space-size=256',
];

export interface ServiceProcessOptions {
  readonly name: ServiceName;
  readonly port: number;
  /** The compiled project: build/ next to package.json. */
  readonly buildDir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly logFile: string;
}

/**
 * One service as its own OS process, the way it runs in a pod: the local run and the end-to-end tests
 * both use this, so a test that kills a process kills exactly what a user runs.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private ended: Promise<ProcessExit> = Promise.resolve({ code: null, signal: null });

  constructor(readonly options: ServiceProcessOptions) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the exit code once the current process is gone. */
  get exited(): Promise<number | null> {
    return this.ended.then(({ code }) => code);
  }

  /** The same moment, with the signal when one killed it. */
  get exit(): Promise<ProcessExit> {
    return this.ended;
  }

  start(): void {
    const { name, port, buildDir, env, logFile } = this.options;
    mkdirSync(dirname(logFile), { recursive: true });
    const log = createWriteStream(logFile, { flags: 'a' });
    // Outside a container V8 sizes its heap from the host's memory (a ~4 GB ceiling on 24 GB), so it puts off
    // major GCs and RSS drifts far above the live set; in a pod Node sizes it from the cgroup limit instead.
    // A 256 MB ceiling, like a 512Mi pod's, and 8 MB semi-spaces keep a local service near its pod size
    // (docs/benchmarks.md, bench:saga).
    const child = spawn(
      process.execPath,
      [...LOCAL_SERVICE_V8_FLAGS, join(buildDir, 'services', name, 'main.js')],
      {
        env: { ...process.env, ...env, HTTP_PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    this.ended = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.child = child;
  }

  /** Polls /health/ready until it answers 200, or fails with the reason (the process exited, or time ran out). */
  async waitReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    void this.exited.then((code) => (exitCode = code));
    while (Date.now() < deadline) {
      if (exitCode !== undefined) {
        throw new Error(
          `${this.options.name} exited with code ${exitCode} before it was ready; see ${this.options.logFile}`,
        );
      }
      try {
        const response = await fetch(`${this.baseUrl}/health/ready`, { signal: AbortSignal.timeout(1_000) });
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(
      `${this.options.name} was not ready on port ${this.options.port} within ${timeoutMs} ms; see ${this.options.logFile}`,
    );
  }

  /** Graceful: SIGTERM, then SIGKILL if it has not exited within graceMs. */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.ended;
    clearTimeout(timer);
  }

  /** The process dies at once, mid-whatever-it-was-doing. */
  async kill(): Promise<void> {
    if (!this.child || !this.running) return;
    this.child.kill('SIGKILL');
    await this.ended;
  }
}
