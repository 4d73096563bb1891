import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { promisify } from 'node:util';
import { DemoError, narrate, sleep } from './demo-kit';

const run = promisify(execFile);

/**
 * Takes the payment service away for the timeout demo and brings it back, chosen by PAYMENT_CONTROL:
 *
 * - `local` (default), for `npm start`: the supervisor of `npm start` restarts a service that exits, so the
 *   process is not killed but paused: SIGSTOP to the process listening on PAYMENT_URL's port, SIGCONT to
 *   resume it. A paused process keeps its port open (HTTP requests to it hang), its Hazelcast connection
 *   and its subscription leases lapse; it consumes no events until resumed, which is what the demo needs:
 *   nothing calls payment over HTTP during a saga.
 * - `kubectl`: `kubectl scale deploy/<PAYMENT_DEPLOYMENT> --replicas=0`, then back to what it was
 *   (PAYMENT_DEPLOYMENT defaults to payment-service, KUBE_NAMESPACE is optional).
 */
export interface PaymentControl {
  /** One line saying how payment is stopped and started. */
  readonly how: string;
  readonly stopped: boolean;
  /** Fails with a clear message when payment cannot be controlled this way; changes nothing. */
  check(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export function paymentControl(paymentUrl: string): PaymentControl {
  const mode = (process.env.PAYMENT_CONTROL?.trim() || 'local').toLowerCase();
  if (mode === 'local') return LocalPaymentControl.find(paymentUrl);
  if (mode === 'kubectl') return new KubectlPaymentControl();
  throw new DemoError(`PAYMENT_CONTROL=${mode} is not known: use local (npm start) or kubectl (Kubernetes).`);
}

// ---------------------------------------------------------------------------------------------------
// local: pause and resume the process

class LocalPaymentControl implements PaymentControl {
  stopped = false;

  private constructor(
    private readonly pid: number,
    private readonly port: number,
  ) {}

  get how(): string {
    return `local: SIGSTOP / SIGCONT to the payment process (pid ${this.pid}, listening on port ${this.port})`;
  }

  /** The payment process listening on PAYMENT_URL's port, or a clear refusal. */
  static find(paymentUrl: string): LocalPaymentControl {
    const url = new URL(paymentUrl);
    if (!['localhost', '127.0.0.1', '[::1]', '::1'].includes(url.hostname)) {
      throw new DemoError(
        `PAYMENT_CONTROL=local pauses a process on this machine, but PAYMENT_URL=${paymentUrl} is not local.\n` +
          '  On Kubernetes use PAYMENT_CONTROL=kubectl (it scales deploy/payment-service to 0 and back).',
      );
    }
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const pids = listeningPids(port);
    if (pids.length === 0) {
      throw new DemoError(
        `No process is listening on port ${port} (PAYMENT_URL=${paymentUrl}), so there is no payment service to pause.\n` +
          '  Start the system with `npm start` in another terminal.',
      );
    }
    const pid = pids[0]!;
    const command = commandOf(pid);
    if (pids.length > 1 || !/services[/\\]payment[/\\]main\.js/.test(command)) {
      throw new DemoError(
        `The process listening on port ${port} (pid ${pids.join(', ')}: ${command || 'unknown command'}) is not the ` +
          'payment service of `npm start`, so the demo will not pause it.\n' +
          '  With a port-forwarded cluster use PAYMENT_CONTROL=kubectl.',
      );
    }
    return new LocalPaymentControl(pid, port);
  }

  async check(): Promise<void> {
    // Found and identified in find().
  }

  async stop(): Promise<void> {
    signal(this.pid, 'SIGSTOP');
    this.stopped = true;
    // The signal is delivered asynchronously: give the kernel a moment before reading the state.
    let state = processState(this.pid);
    for (let tries = 0; tries < 20 && state !== undefined && !state.startsWith('T'); tries++) {
      await sleep(100);
      state = processState(this.pid);
    }
    narrate.info(
      `sent SIGSTOP to pid ${this.pid}${state ? ` (process state now: ${state})` : ''}; if this demo is killed ` +
        `before it resumes payment, run: kill -CONT ${this.pid}`,
    );
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    signal(this.pid, 'SIGCONT');
    this.stopped = false;
    narrate.info(`sent SIGCONT to pid ${this.pid}`);
  }
}

function signal(pid: number, name: 'SIGSTOP' | 'SIGCONT'): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH' && name === 'SIGCONT') return; // gone meanwhile: npm start runs a fresh one
    throw new DemoError(`could not send ${name} to pid ${pid}: ${code ?? String(error)}`);
  }
}

/** Pids of the processes with a listening TCP socket on the port (Linux /proc, else lsof). */
function listeningPids(port: number): number[] {
  const inodes = new Set<string>();
  let procNet = false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    procNet = true;
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      const localPort = Number.parseInt(fields[1]?.split(':')[1] ?? '', 16);
      if (fields[3] === '0A' && localPort === port && fields[9] && fields[9] !== '0') inodes.add(fields[9]);
    }
  }
  if (!procNet) return lsofListeners(port);
  if (inodes.size === 0) return [];
  const wanted = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  const pids = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      try {
        if (wanted.has(readlinkSync(`/proc/${entry}/fd/${fd}`))) pids.add(Number(entry));
      } catch {
        // closed meanwhile
      }
    }
  }
  return [...pids];
}

function lsofListeners(port: number): number[] {
  try {
    // Synchronous on purpose: runs once, before anything is changed.
    const output = execFileSync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t'], { encoding: 'utf8' });
    return output
      .split('\n')
      .filter((line) => /^\d+$/.test(line.trim()))
      .map(Number);
  } catch {
    return [];
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    try {
      return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  }
}

/** "T (stopped)", "S (sleeping)" … from /proc/<pid>/status, when there is one. */
function processState(pid: number): string | undefined {
  try {
    return /^State:\s*(.+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]?.trim();
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------
// kubectl: scale the Deployment to zero and back

class KubectlPaymentControl implements PaymentControl {
  stopped = false;
  private replicas = 1;
  private readonly deployment = process.env.PAYMENT_DEPLOYMENT?.trim() || 'payment-service';
  private readonly namespace = process.env.KUBE_NAMESPACE?.trim();

  get how(): string {
    return `kubectl: scale deploy/${this.deployment}${this.namespace ? ` -n ${this.namespace}` : ''} to 0 replicas, then back`;
  }

  private async kubectl(args: readonly string[], timeoutMs = 60_000): Promise<string> {
    const full = [...(this.namespace ? ['-n', this.namespace] : []), ...args];
    narrate.info(`$ kubectl ${full.join(' ')}`);
    try {
      const { stdout } = await run('kubectl', full, { timeout: timeoutMs, encoding: 'utf8' });
      return stdout.trim();
    } catch (error) {
      const failure = error as NodeJS.ErrnoException & { stderr?: string };
      if (failure.code === 'ENOENT')
        throw new DemoError('PAYMENT_CONTROL=kubectl needs kubectl on the PATH.');
      const last = failure.stderr?.trim().split('\n').pop()?.trim();
      throw new DemoError(`kubectl ${full.join(' ')} failed: ${last || failure.message}`);
    }
  }

  async check(): Promise<void> {
    await this.kubectl(['get', `deploy/${this.deployment}`, '-o', 'name']);
  }

  async stop(): Promise<void> {
    const deploy = `deploy/${this.deployment}`;
    this.replicas = Number(await this.kubectl(['get', deploy, '-o', 'jsonpath={.spec.replicas}'])) || 1;
    const labels = JSON.parse(
      (await this.kubectl(['get', deploy, '-o', 'jsonpath={.spec.selector.matchLabels}'])) || '{}',
    ) as Record<string, string>;
    const selector = Object.entries(labels)
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
    await this.kubectl(['scale', deploy, '--replicas=0']);
    this.stopped = true;
    narrate.info(`waiting for the payment pods to be gone (selector ${selector}) …`);
    const deadline = Date.now() + 120_000;
    while ((await this.kubectl(['get', 'pods', '-l', selector, '-o', 'name'])).length > 0) {
      if (Date.now() > deadline) throw new DemoError(`the pods of ${deploy} were still there after 120 s`);
      await sleep(2_000);
    }
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    const deploy = `deploy/${this.deployment}`;
    await this.kubectl(['scale', deploy, `--replicas=${this.replicas}`]);
    this.stopped = false;
    await this.kubectl(['rollout', 'status', deploy, '--timeout=180s'], 200_000);
    narrate.info(
      'if you reach payment through `kubectl port-forward`, that forward died with the pod: start it again now ' +
        `(kubectl port-forward svc/${this.deployment} 8084:8084)`,
    );
  }
}
