import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * CPU time per process and for the whole machine, from /proc (Linux). Taken at the start and end of a
 * measured window it shows where the two cores went: member, service, load generator, or someone else.
 */
export interface CpuSnapshot {
  readonly atMs: number;
  /** Seconds of CPU (user + system) per watched process. */
  readonly processes: Readonly<Record<string, number>>;
  /** Seconds of busy CPU of the whole machine (all cores), or undefined without /proc/stat. */
  readonly machineBusy: number | undefined;
}

/** CPU use over a window, as a percentage of one core (200 % = both cores of a 2-core machine). */
export interface CpuUsage {
  readonly processes: Readonly<Record<string, number>>;
  readonly machine: number | undefined;
  /** Machine minus the watched processes: the rest of the box (other users, the OS). */
  readonly other: number | undefined;
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime of a process in seconds, or undefined when it is gone (or not Linux). */
export function processCpuSeconds(pid: number): number | undefined {
  if (pid === process.pid) {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after its closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / clockTicks();
  } catch {
    return undefined;
  }
}

/**
 * cutime + cstime of a process in seconds: the CPU of the children it has reaped (and of what they reaped),
 * which the kernel adds to the parent when it waits for them; undefined when it is gone.
 */
export function reapedChildrenCpuSeconds(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / clockTicks();
  } catch {
    return undefined;
  }
}

function machineBusySeconds(): number | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...: busy is everything but idle and iowait.
    const busy = values.reduce((sum, value, index) => (index === 3 || index === 4 ? sum : sum + value), 0);
    return busy / clockTicks();
  } catch {
    return undefined;
  }
}

export function cpuSnapshot(pids: Readonly<Record<string, number | undefined>>): CpuSnapshot {
  const processes: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    if (pid === undefined) continue;
    const seconds = processCpuSeconds(pid);
    if (seconds !== undefined) processes[name] = seconds;
  }
  return { atMs: performance.now(), processes, machineBusy: machineBusySeconds() };
}

/** CPU seconds per process between two snapshots (processes in both only). */
export function cpuSecondsBetween(start: CpuSnapshot, end: CpuSnapshot): Record<string, number> {
  const seconds: Record<string, number> = {};
  for (const [name, after] of Object.entries(end.processes)) {
    const before = start.processes[name];
    if (before !== undefined) seconds[name] = after - before;
  }
  return seconds;
}

export function cpuUsageBetween(start: CpuSnapshot, end: CpuSnapshot): CpuUsage {
  const wall = (end.atMs - start.atMs) / 1000;
  const percent = (seconds: number): number => (wall > 0 ? (seconds / wall) * 100 : 0);
  const processes: Record<string, number> = {};
  let watched = 0;
  for (const [name, seconds] of Object.entries(cpuSecondsBetween(start, end))) {
    processes[name] = percent(seconds);
    watched += seconds;
  }
  const machine =
    start.machineBusy !== undefined && end.machineBusy !== undefined
      ? percent(end.machineBusy - start.machineBusy)
      : undefined;
  const other = machine !== undefined ? Math.max(0, machine - percent(watched)) : undefined;
  return { processes, machine, other };
}
