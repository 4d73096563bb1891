import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { reapedChildrenCpuSeconds } from '../bench/cpu';
import { childrenOf } from '../bench-saga/procfs';

/**
 * A shell command whose whole CPU time is read from /proc after it ends. It runs under a bash that, once
 * the command has exited, reports its exit code on fd 3 and waits there: while it waits, cutime + cstime of
 * that bash (/proc/<pid>/stat) hold the CPU of the command and of every process of it that was reaped, which
 * the kernel adds to the parent on reaping. Sampling the command's own /proc entry would miss the CPU it
 * used between the last sample and its exit.
 */
export interface MeasuredProcess {
  /** The command's stdin, stdout and stderr. */
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** The waiting bash. */
  readonly pid: number;
  /** The command's processes now (the processes of a pipeline), for RSS samples. */
  processes(): number[];
  /** Resolves once the command has ended: its exit code and the CPU seconds it used, all processes summed. */
  readonly ended: Promise<{ readonly code: number; readonly cpuSeconds: number }>;
  /** Stops the command (SIGTERM to its processes) if it is still running. */
  stop(): void;
}

const WRAPPER = 'set -o pipefail; eval "$0"; code=$?; echo "$code" >&3; read -r -u 3 _; exit "$code"';

/** Runs `script` (a bash command line; its positional parameters are `args`). */
export function startMeasured(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): MeasuredProcess {
  const child: ChildProcess = spawn('bash', ['-c', WRAPPER, script, ...args], {
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    env,
  });
  const control = child.stdio[3] as Readable & Writable;
  const pid = child.pid;
  if (pid === undefined || !child.stdin || !child.stdout || !child.stderr) {
    throw new Error(`could not start bash for: ${script}`);
  }
  const ended = new Promise<{ code: number; cpuSeconds: number }>((resolve, reject) => {
    let said = '';
    control.on('data', (chunk: Buffer) => {
      said += chunk.toString('utf8');
      if (!said.includes('\n')) return;
      const cpuSeconds = reapedChildrenCpuSeconds(pid);
      control.end('\n');
      if (cpuSeconds === undefined) reject(new Error(`/proc/${pid}/stat vanished before it was read`));
      else resolve({ code: Number(said.trim()), cpuSeconds });
    });
    child.once('exit', (code) => reject(new Error(`bash exited (code ${code}) before the command ended`)));
    child.once('error', reject);
  });
  return {
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    pid,
    processes: () => childrenOf(pid),
    ended,
    stop: () => {
      for (const each of childrenOf(pid)) {
        try {
          process.kill(each, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    },
  };
}
