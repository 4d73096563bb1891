/**
 * A real, minimal Kubernetes control plane for tests: one etcd and one kube-apiserver on 127.0.0.1, with
 * a static admin token (group system:masters) and RBAC authorization. No controller-manager, scheduler or
 * kubelet: objects are stored, validated, admitted and watched exactly as on a cluster, but nothing
 * reconciles them (a Deployment never gets pods). Binaries come from scripts/k8s-tools/ensure-k8s-tools.sh.
 */
import { spawn, spawnSync } from 'node:child_process';
import { stopChild } from '../core/child-process';
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from '../net/free-port';
import { defaultK8sToolsCache, k8sToolsRoot } from './tools';
import type { LogLine } from './tools';

type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_READY_TIMEOUT_MS = 90_000;
/** The address the API server advertises and listens on; tests never leave the loopback interface. */
const HOST = '127.0.0.1';
const SERVICE_CLUSTER_IP_RANGE = '10.0.0.0/24';
const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const ADMIN_USER = 'harness-admin';
const LOG_RETENTION_MS = 3 * 24 * 60 * 60 * 1000;
/** Named explicitly for the reader; kube-apiserver's default set (which includes these) stays enabled. */
const ENABLED_ADMISSION_PLUGINS = [
  'NamespaceLifecycle',
  'LimitRanger',
  'ResourceQuota',
  'MutatingAdmissionWebhook',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionWebhook',
];

export interface StartControlPlaneOptions {
  /**
   * Where etcd's data, the API server's certificates, keys and token file and the kubeconfig go. Default: a
   * fresh temporary directory, deleted by stop(). A directory passed here is kept (and reused if it already
   * holds etcd data).
   */
  dataDir?: string;
  /** Progress lines (process start, ready times, restarts). */
  log?: LogLine;
  /** Directory with etcd, kube-apiserver and kubectl. Default: bin/ of the ensure-k8s-tools.sh cache. */
  binDir?: string;
  /** Process logs. Default: <repo>/.run/k8s. */
  logDir?: string;
  /** Per process (etcd, then kube-apiserver). Default 90 s. */
  readyTimeoutMs?: number;
  /** Extra kube-apiserver flags, e.g. ['--feature-gates=…']; they come last, so they win. */
  apiServerArgs?: readonly string[];
  env?: Env;
}

export interface KubectlResult {
  stdout: string;
  stderr: string;
  /** Exit code; 124 when the call was killed by its timeout. */
  code: number;
}

export interface KubectlOptions {
  /** Written to kubectl's stdin (for `-f -`). */
  input?: string;
  /** Default 60 s; the process is killed after it. */
  timeoutMs?: number;
}

export interface ControlPlane {
  /** https://127.0.0.1:PORT */
  server: string;
  port: number;
  /** A kubeconfig with the admin token, verifying the server with caFile. */
  kubeconfigPath: string;
  /** Bearer token of user harness-admin, group system:masters. */
  token: string;
  /** PEM bundle (serving certificate and its self-signed CA) that verifies `server`. */
  caFile: string;
  /** http://127.0.0.1:PORT of etcd. */
  etcdEndpoint: string;
  dataDir: string;
  logFiles: { etcd: string; apiServer: string };
  /** Process id of the running kube-apiserver (changes with restartApiServer()). */
  readonly apiServerPid: number | undefined;
  /** Runs the harness' kubectl against this server. Never throws for a non-zero exit: check `code`. */
  kubectl(args: readonly string[], options?: KubectlOptions): Promise<KubectlResult>;
  /** Stops kube-apiserver and starts it again on the same port against the same etcd; waits for /readyz. */
  restartApiServer(): Promise<void>;
  /** Stops both processes; deletes dataDir when it was a temporary one. Safe to call twice. */
  stop(): Promise<void>;
}

/** The process could not bind its port; the caller picked the port and may pick another. */
class PortInUseError extends Error {
  override name = 'PortInUseError';
}

interface Supervised {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
  logFile: string;
}

/** Starts etcd and kube-apiserver and resolves once the API server's /readyz answers ok. */
export async function startControlPlane(options: StartControlPlaneOptions = {}): Promise<ControlPlane> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((): void => undefined);
  const binDir = options.binDir ?? path.join(defaultK8sToolsCache(env), 'bin');
  const binaries = { etcd: path.join(binDir, 'etcd'), apiServer: path.join(binDir, 'kube-apiserver') };
  const kubectlBin = path.join(binDir, 'kubectl');
  for (const binary of [binaries.etcd, binaries.apiServer, kubectlBin]) {
    if (!isExecutable(binary)) {
      throw new Error(
        `${binary} is missing or not executable. Install the test control plane's tools with ` +
          `'bash scripts/k8s-tools/ensure-k8s-tools.sh' (see docs/adr/0005-real-control-plane-for-tests.md).`,
      );
    }
  }
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const logDir = options.logDir ?? path.join(k8sToolsRoot(), '.run', 'k8s');
  fs.mkdirSync(logDir, { recursive: true });
  stopLeftovers(logDir, log);

  const ownsDataDir = options.dataDir === undefined;
  const dataDir = path.resolve(options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-harness-')));
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const id = `${process.pid}-${randomBytes(3).toString('hex')}`;
  const logFiles = {
    etcd: path.join(logDir, `${id}-etcd.log`),
    apiServer: path.join(logDir, `${id}-kube-apiserver.log`),
  };
  const pidFile = path.join(logDir, `${id}.pids.json`);
  const processes = new Set<Supervised>();
  const recordPids = (): void => {
    const pids = [...processes].map((p) => p.child.pid).filter((pid) => pid !== undefined);
    fs.writeFileSync(pidFile, JSON.stringify({ owner: process.pid, dataDir, ownsDataDir, pids }) + '\n');
  };
  // A test that never calls stop() (or a crashed worker) must not leave servers behind.
  const killOnExit = (): void => {
    for (const p of processes) p.child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const cleanup = async (): Promise<void> => {
    // API server first: it would otherwise log etcd connection errors while shutting down.
    for (const p of [...processes].reverse()) await stopProcess(p, 20_000);
    processes.clear();
    process.removeListener('exit', killOnExit);
    fs.rmSync(pidFile, { force: true });
    if (ownsDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const token = randomBytes(24).toString('hex');
    const files = writeApiServerFiles(dataDir, token);
    const etcd = await startWithFreePorts(async (clientPort, peerPort) => {
      const endpoint = `http://${HOST}:${clientPort}`;
      const args = etcdArgs(dataDir, clientPort, peerPort);
      const etcdDataDir = path.join(dataDir, 'etcd');
      const fresh = !fs.existsSync(etcdDataDir);
      const proc = launch('etcd', binaries.etcd, args, logFiles.etcd, env);
      processes.add(proc);
      recordPids();
      try {
        const readyMs = await waitUntil(proc, readyTimeoutMs, `GET ${endpoint}/health`, async () => {
          const answer = await httpGet(`${endpoint}/health`, {});
          return { ok: answer.status === 200 && /"health":\s*"true"/.test(answer.body), answer };
        });
        log(`etcd ready in ${readyMs} ms at ${endpoint} (log ${logFiles.etcd})`);
      } catch (error) {
        processes.delete(proc);
        await stopProcess(proc, 10_000);
        // A new member records its peer URL on first start; a retry on other ports must start from scratch.
        if (fresh) fs.rmSync(etcdDataDir, { recursive: true, force: true });
        throw error;
      }
      return { proc, endpoint };
    });

    const apiArgs = (port: number): string[] => [
      ...apiServerArgs(port, etcd.endpoint, files),
      ...(options.apiServerArgs ?? []),
    ];
    const startApiServer = async (port: number): Promise<Supervised> => {
      const proc = launch('kube-apiserver', binaries.apiServer, apiArgs(port), logFiles.apiServer, env);
      processes.add(proc);
      recordPids();
      try {
        const readyMs = await waitForApiServer(proc, port, token, files.caFile, readyTimeoutMs);
        log(`kube-apiserver ready in ${readyMs} ms at https://${HOST}:${port} (log ${logFiles.apiServer})`);
        return proc;
      } catch (error) {
        processes.delete(proc);
        await stopProcess(proc, 20_000);
        throw error;
      }
    };
    let apiServer: Supervised | undefined;
    const port = await startWithFreePorts(async (candidate) => {
      apiServer = await startApiServer(candidate);
      return candidate;
    });

    const server = `https://${HOST}:${port}`;
    const kubeconfigPath = path.join(dataDir, 'kubeconfig');
    writeKubeconfig(kubeconfigPath, server, token, files.caFile);
    const kubectlCacheDir = path.join(dataDir, 'kubectl-cache');
    let stopped = false;

    return {
      server,
      port,
      kubeconfigPath,
      token,
      caFile: files.caFile,
      etcdEndpoint: etcd.endpoint,
      dataDir,
      logFiles,
      get apiServerPid(): number | undefined {
        return apiServer?.child.pid;
      },
      kubectl: (args, kubectlOptions = {}) =>
        runKubectl(kubectlBin, kubeconfigPath, kubectlCacheDir, args, kubectlOptions, env),
      async restartApiServer(): Promise<void> {
        if (stopped) throw new Error('restartApiServer(): the control plane was stopped');
        if (apiServer) {
          processes.delete(apiServer);
          await stopProcess(apiServer, 20_000);
          recordPids();
        }
        log(`kube-apiserver stopped; starting it again on port ${port}`);
        apiServer = undefined;
        try {
          apiServer = await startApiServer(port);
        } catch (error) {
          if (error instanceof PortInUseError) {
            throw new Error(`restartApiServer(): port ${port} was taken while the API server was down`, {
              cause: error,
            });
          }
          throw error;
        }
      },
      async stop(): Promise<void> {
        if (stopped) return;
        stopped = true;
        await cleanup();
        log('control plane stopped');
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

// ------------------------------------------------------------------------------------------- processes

function etcdArgs(dataDir: string, clientPort: number, peerPort: number): string[] {
  const client = `http://${HOST}:${clientPort}`;
  const peer = `http://${HOST}:${peerPort}`;
  return [
    '--name=harness',
    `--data-dir=${path.join(dataDir, 'etcd')}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=harness=${peer}`,
    '--initial-cluster-state=new',
    `--initial-cluster-token=harness-${randomBytes(4).toString('hex')}`,
    '--logger=zap',
    '--log-outputs=stderr',
  ];
}

interface ApiServerFiles {
  certDir: string;
  caFile: string;
  tokenFile: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

function writeApiServerFiles(dataDir: string, token: string): ApiServerFiles {
  const certDir = path.join(dataDir, 'certs');
  fs.mkdirSync(certDir, { recursive: true, mode: 0o700 });
  const tokenFile = path.join(dataDir, 'tokens.csv');
  // token,user,uid,"group1,group2"
  fs.writeFileSync(tokenFile, `${token},${ADMIN_USER},${ADMIN_USER},"system:masters"\n`, { mode: 0o600 });
  const serviceAccountKey = path.join(dataDir, 'service-account.key');
  const serviceAccountPub = path.join(dataDir, 'service-account.pub');
  if (!fs.existsSync(serviceAccountKey) || !fs.existsSync(serviceAccountPub)) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
    fs.writeFileSync(serviceAccountKey, privateKey, { mode: 0o600 });
    fs.writeFileSync(serviceAccountPub, publicKey);
  }
  // kube-apiserver writes a self-signed CA and a serving certificate signed by it here (--cert-dir).
  return {
    certDir,
    caFile: path.join(certDir, 'apiserver.crt'),
    tokenFile,
    serviceAccountKey,
    serviceAccountPub,
  };
}

function apiServerArgs(port: number, etcdEndpoint: string, files: ApiServerFiles): string[] {
  return [
    `--etcd-servers=${etcdEndpoint}`,
    `--bind-address=${HOST}`,
    `--advertise-address=${HOST}`,
    `--secure-port=${port}`,
    `--cert-dir=${files.certDir}`,
    `--token-auth-file=${files.tokenFile}`,
    '--authorization-mode=RBAC',
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${files.serviceAccountPub}`,
    `--service-account-signing-key-file=${files.serviceAccountKey}`,
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    // The default plugin set stays on; ServiceAccount is off because without a controller-manager no
    // namespace ever gets its "default" ServiceAccount, and that plugin would reject every pod.
    `--enable-admission-plugins=${ENABLED_ADMISSION_PLUGINS.join(',')}`,
    '--disable-admission-plugins=ServiceAccount',
    // 127.0.0.1 is not a valid Endpoints address for the `kubernetes` Service; nothing in-cluster needs it.
    '--endpoint-reconciler-type=none',
    '--allow-privileged=true',
    '--profiling=false',
  ];
}

function launch(
  name: string,
  command: string,
  args: readonly string[],
  logFile: string,
  env: Env,
): Supervised {
  fs.appendFileSync(logFile, `# ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
  const fd = fs.openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    const [program, ...programArgs] = [...dieWithParent(), command, ...args] as [string, ...string[]];
    child = spawn(program, programArgs, { env: { ...env }, stdio: ['ignore', fd, fd] });
  } finally {
    fs.closeSync(fd);
  }
  // A forgotten stop() must not keep the test process alive; its 'exit' hook then kills the server.
  child.unref();
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => {
      fs.appendFileSync(logFile, `# could not run ${command}: ${error.message}\n`);
      resolve();
    });
  });
  return { name, child, exited, logFile };
}

let dieWithParentPrefix: string[] | undefined;

/**
 * `setpriv --pdeathsig SIGKILL` (util-linux) when it works here: it sets the Linux parent-death signal and
 * execs the server, so the server dies with the test process even when that is SIGKILLed (Jest's sandboxed
 * `process` does not deliver 'exit' to our hook). Elsewhere nothing, and stopLeftovers() cleans up later.
 */
function dieWithParent(): string[] {
  if (dieWithParentPrefix === undefined) {
    const probe = spawnSync('setpriv', ['--pdeathsig', 'SIGKILL', '--', 'true'], { stdio: 'ignore' });
    dieWithParentPrefix = probe.status === 0 ? ['setpriv', '--pdeathsig', 'SIGKILL', '--'] : [];
  }
  return dieWithParentPrefix;
}

function stopProcess(proc: Supervised, timeoutMs: number): Promise<void> {
  return stopChild(proc.child, proc.exited, timeoutMs);
}

/** Picks two free ports and retries (3 attempts) when the process lost the race for one of them. */
async function startWithFreePorts<T>(start: (first: number, second: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const first = await findFreePort(HOST);
    let second = await findFreePort(HOST);
    while (second === first) second = await findFreePort(HOST);
    try {
      return await start(first, second);
    } catch (error) {
      if (!(error instanceof PortInUseError) || attempt >= 3) throw error;
    }
  }
}

interface ProbeAnswer {
  status: number;
  body: string;
}

/**
 * Polls `probe` until it reports ok; fails early with the log tail when the process exits, and after
 * timeoutMs with the last answer. Resolves with the time it took.
 */
async function waitUntil(
  proc: Supervised,
  timeoutMs: number,
  what: string,
  probe: () => Promise<{ ok: boolean; answer: ProbeAnswer }>,
): Promise<number> {
  const startedAt = Date.now();
  let exited = false;
  void proc.exited.then(() => (exited = true));
  let last: ProbeAnswer = { status: 0, body: 'no answer yet' };
  while (Date.now() - startedAt < timeoutMs) {
    if (exited) break;
    const result = await probe();
    last = result.answer;
    if (result.ok) return Date.now() - startedAt;
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 250)), proc.exited]);
  }
  const tail = logTail(proc.logFile);
  if (exited || proc.child.exitCode !== null || proc.child.signalCode !== null) {
    const how = proc.child.signalCode ? `signal ${proc.child.signalCode}` : `code ${proc.child.exitCode}`;
    const message = `${proc.name} exited with ${how} before it was ready. Last lines of ${proc.logFile}:\n${tail}`;
    throw /address already in use/i.test(tail) ? new PortInUseError(message) : new Error(message);
  }
  const answer = last.status === 0 ? last.body : `HTTP ${last.status}: ${last.body.trim().slice(0, 2_000)}`;
  throw new Error(
    `${proc.name} was not ready within ${timeoutMs} ms (${what}; last answer: ${answer}). ` +
      `Last lines of ${proc.logFile}:\n${tail}`,
  );
}

async function waitForApiServer(
  proc: Supervised,
  port: number,
  token: string,
  caFile: string,
  timeoutMs: number,
): Promise<number> {
  const url = `https://${HOST}:${port}/readyz`;
  return waitUntil(proc, timeoutMs, `GET ${url} with the admin token`, async () => {
    // The serving certificate (and its CA) appear in --cert-dir shortly after start.
    if (!fs.existsSync(caFile))
      return { ok: false, answer: { status: 0, body: `${caFile} not written yet` } };
    const ca = fs.readFileSync(caFile);
    const answer = await httpGet(`${url}?verbose`, { Authorization: `Bearer ${token}` }, ca);
    if (answer.status === 200) {
      const plain = await httpGet(url, { Authorization: `Bearer ${token}` }, ca);
      return { ok: plain.status === 200 && plain.body.trim() === 'ok', answer: plain };
    }
    // Of the verbose answer, only the checks that fail say why it is not ready.
    const failing = answer.body.split('\n').filter((line) => line.startsWith('[-]'));
    return { ok: false, answer: failing.length ? { ...answer, body: failing.join('; ') } : answer };
  });
}

function httpGet(url: string, headers: Record<string, string>, ca?: Buffer): Promise<ProbeAnswer> {
  return new Promise((resolve) => {
    const options = { headers, agent: false as const, timeout: 5_000, ...(ca ? { ca } : {}) };
    const request = (url.startsWith('https:') ? https : http).get(url, options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', (error) => resolve({ status: 0, body: error.message }));
    });
    request.once('timeout', () => request.destroy(new Error('timed out after 5 s')));
    request.once('error', (error) => resolve({ status: 0, body: error.message }));
  });
}

/** Last lines of a process log, for error messages. */
export function logTail(logFile: string, maxLines = 30): string {
  let text: string;
  try {
    text = fs.readFileSync(logFile, 'utf8');
  } catch {
    return '  (no log written)';
  }
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .slice(-maxLines)
    .map((line) => `  ${line.length > 600 ? `${line.slice(0, 600)}…` : line}`)
    .join('\n');
}

// ------------------------------------------------------------------------------------------ kubeconfig

function writeKubeconfig(file: string, server: string, token: string, caFile: string): void {
  // JSON is valid YAML; kubectl and client libraries read it as a kubeconfig.
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'harness', cluster: { server, 'certificate-authority': caFile } }],
    users: [{ name: ADMIN_USER, user: { token } }],
    contexts: [{ name: 'harness', context: { cluster: 'harness', user: ADMIN_USER, namespace: 'default' } }],
    'current-context': 'harness',
    preferences: {},
  };
  fs.writeFileSync(file, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
}

function runKubectl(
  kubectl: string,
  kubeconfigPath: string,
  cacheDir: string,
  args: readonly string[],
  options: KubectlOptions,
  env: Env,
): Promise<KubectlResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const childEnv: Record<string, string | undefined> = { ...env, KUBECONFIG: kubeconfigPath };
  return new Promise((resolve, reject) => {
    const child = spawn(kubectl, [`--kubeconfig=${kubeconfigPath}`, `--cache-dir=${cacheDir}`, ...args], {
      env: childEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`Could not run ${kubectl}: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        stderr += `\n[harness] kubectl ${args.join(' ')} killed after ${timeoutMs} ms`;
        resolve({ stdout, stderr, code: 124 });
        return;
      }
      resolve({ stdout, stderr, code: code ?? (signal ? 128 : 1) });
    });
  });
}

// ----------------------------------------------------------------------------------------- leftovers

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A test process killed hard leaves its etcd and kube-apiserver running. Their pid files name the owning
 * process; when it is gone, each pid whose command line still mentions the control plane's data dir is
 * killed (so a recycled pid is never hit) and a temporary data dir is removed. Also deletes process logs
 * older than three days.
 */
function stopLeftovers(logDir: string, log: LogLine): void {
  let all: string[];
  try {
    all = fs.readdirSync(logDir);
  } catch {
    return;
  }
  // Every control plane leaves two logs; the ones older than LOG_RETENTION_MS go.
  for (const name of all.filter((entry) => /-(etcd|kube-apiserver)\.log$/.test(entry))) {
    const file = path.join(logDir, name);
    try {
      if (Date.now() - fs.statSync(file).mtimeMs > LOG_RETENTION_MS) fs.rmSync(file, { force: true });
    } catch {
      // removed concurrently
    }
  }
  for (const name of all.filter((entry) => entry.endsWith('.pids.json'))) {
    const file = path.join(logDir, name);
    let record: { owner?: unknown; dataDir?: unknown; ownsDataDir?: unknown; pids?: unknown };
    try {
      record = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof record;
    } catch {
      continue;
    }
    if (typeof record.owner !== 'number' || typeof record.dataDir !== 'string' || isAlive(record.owner))
      continue;
    const dataDir = record.dataDir;
    for (const pid of Array.isArray(record.pids) ? record.pids : []) {
      if (typeof pid !== 'number') continue;
      let cmdline = '';
      try {
        cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      if (!cmdline.includes(dataDir)) continue;
      try {
        process.kill(pid, 'SIGKILL');
        log(`killed leftover control-plane process ${pid} of dead test process ${record.owner}`);
      } catch {
        // already gone
      }
    }
    if (record.ownsDataDir === true) fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(file, { force: true });
  }
}
