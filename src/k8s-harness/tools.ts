/**
 * Where the test control plane's binaries come from: scripts/k8s-tools/ensure-k8s-tools.sh installs etcd and
 * builds kube-apiserver and kubectl (versions pinned in scripts/k8s-tools/versions.env) into a cache outside
 * the repository. This module runs that script and reads its answer; it never builds anything itself.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;
export type LogLine = (line: string) => void;

export interface K8sTools {
  /** The cache directory (K8S_TOOLS_CACHE or its default). */
  cacheDir: string;
  binDir: string;
  etcd: string;
  kubeApiServer: string;
  kubectl: string;
  /** e.g. v1.35.4, as pinned in versions.env. */
  kubernetesVersion: string;
  /** e.g. 3.4.23, as the etcd binary reports it. */
  etcdVersion: string;
}

export interface PinnedVersions {
  kubernetesVersion: string;
  etcdGoVersion: string;
}

/** The repository root, found from both src/ (ts via jest) and build/src/ (compiled). */
export function k8sToolsRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'scripts', 'k8s-tools', 'versions.env'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`scripts/k8s-tools/versions.env not found above ${__dirname}`);
    dir = parent;
  }
}

export function ensureScriptPath(): string {
  return path.join(k8sToolsRoot(), 'scripts', 'k8s-tools', 'ensure-k8s-tools.sh');
}

/** KEY=value lines of a file (comments and blank lines ignored). */
function parseEnvLines(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) values.set(match[1], match[2]);
  }
  return values;
}

export function pinnedVersions(): PinnedVersions {
  const file = path.join(k8sToolsRoot(), 'scripts', 'k8s-tools', 'versions.env');
  const values = parseEnvLines(fs.readFileSync(file, 'utf8'));
  const kubernetesVersion = values.get('KUBERNETES_VERSION');
  const etcdGoVersion = values.get('ETCD_GO_VERSION');
  if (!kubernetesVersion || !etcdGoVersion) {
    throw new Error(`${file} must set KUBERNETES_VERSION and ETCD_GO_VERSION`);
  }
  return { kubernetesVersion, etcdGoVersion };
}

/** Same rule as ensure-k8s-tools.sh: K8S_TOOLS_CACHE, else $XDG_CACHE_HOME or ~/.cache. */
export function defaultK8sToolsCache(env: Env = process.env): string {
  if (env.K8S_TOOLS_CACHE) return env.K8S_TOOLS_CACHE;
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'hazelcast-microservices-ts', 'k8s-tools');
}

export interface EnsureK8sToolsOptions {
  /**
   * true: only check (`--check`); fails fast with the reason when something is missing. false: install and
   * build what is missing, which on a cold machine takes 5-10 minutes (2 cores).
   */
  checkOnly: boolean;
  /** Receives the script's progress lines. */
  log?: LogLine;
  env?: Env;
}

/** Runs ensure-k8s-tools.sh and returns the binaries it vouches for; throws with the script's output. */
export async function ensureK8sTools(options: EnsureK8sToolsOptions): Promise<K8sTools> {
  const script = ensureScriptPath();
  const args = [script, '--print-env', ...(options.checkOnly ? ['--check'] : [])];
  const { code, stdout, stderr } = await run('bash', args, options.env ?? process.env, options.log);
  if (code !== 0) {
    throw new Error(
      `The test control plane's tools are not available (bash ${args.join(' ')} exited with ${code}):\n` +
        stderr.trimEnd(),
    );
  }
  const values = parseEnvLines(stdout);
  const get = (key: string): string => {
    const value = values.get(key);
    if (!value) throw new Error(`${script} --print-env printed no ${key}. Output:\n${stdout}`);
    return value;
  };
  return {
    cacheDir: get('K8S_TOOLS_CACHE'),
    binDir: get('K8S_TOOLS_BIN'),
    etcd: get('ETCD'),
    kubeApiServer: get('KUBE_APISERVER'),
    kubectl: get('KUBECTL'),
    kubernetesVersion: get('KUBERNETES_VERSION'),
    etcdVersion: get('ETCD_VERSION'),
  };
}

function run(
  command: string,
  args: readonly string[],
  env: Env,
  log: LogLine | undefined,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (!log) return;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) log(line);
    });
    child.once('error', (error) => reject(new Error(`Could not run ${command}: ${error.message}`)));
    child.once('close', (code, signal) => {
      if (log && partial) log(partial);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}
