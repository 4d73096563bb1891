import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * Memory and per-thread CPU of a process from /proc (Linux): VmRSS now, VmHWM (the peak RSS over the
 * process's life), and CPU seconds per thread name, to tell a JVM's GC and JIT from its own work.
 */
export interface MemoryReading {
  readonly rssMb: number;
  readonly peakRssMb: number;
}

export function memoryOf(pid: number): MemoryReading | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): number => {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      return match ? Number(match[1]) / 1024 : 0;
    };
    return { rssMb: field('VmRSS'), peakRssMb: field('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Child processes of pid (Linux), e.g. PostgreSQL's backends. */
export function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(/\s+/)
      .filter((text) => text !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** Samples VmRSS of every watched process every `everyMs`, keeping the highest seen between resets. */
export class RssSampler {
  private readonly highest = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private samples = 0;
  /** Every 5th sample since the last reset: seconds since the reset, and VmRSS (MB) per process. */
  private readonly series: Array<{ readonly atS: number; readonly rssMb: Record<string, number> }> = [];
  private resetAt = performance.now();

  constructor(
    private readonly pids: () => Readonly<Record<string, number | undefined>>,
    private readonly everyMs = 1_000,
  ) {}

  start(): void {
    this.sample();
    this.timer ??= setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  reset(): void {
    this.highest.clear();
    this.series.length = 0;
    this.samples = 0;
    this.resetAt = performance.now();
    this.sample();
  }

  /** VmRSS over time since the last reset (one point every 5 samples). */
  timeline(): ReadonlyArray<{ readonly atS: number; readonly rssMb: Readonly<Record<string, number>> }> {
    return [...this.series];
  }

  /** Highest VmRSS (MB) seen per process since the last reset. */
  maxima(): Record<string, number> {
    this.sample();
    return Object.fromEntries(this.highest);
  }

  private sample(): void {
    const now: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids())) {
      if (pid === undefined) continue;
      const memory = memoryOf(pid);
      if (!memory) continue;
      now[name] = Math.round(memory.rssMb);
      this.highest.set(name, Math.max(this.highest.get(name) ?? 0, memory.rssMb));
    }
    if (this.samples++ % 5 === 0) {
      this.series.push({ atS: Math.round((performance.now() - this.resetAt) / 1000), rssMb: now });
    }
  }
}

/** User and kernel CPU seconds of a process (the kernel share is where syscalls, e.g. socket writes, go). */
export interface CpuTimes {
  readonly user: number;
  readonly system: number;
}

export function cpuTimesOf(pid: number): CpuTimes | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / clockTicks(), system: Number(fields[12]) / clockTicks() };
  } catch {
    return undefined;
  }
}

/** CPU seconds per thread-name group (digits folded: "GC Thread#0".."#7" → "GC Thread##"). */
export function threadCpuSeconds(pid: number): Map<string, number> {
  const groups = new Map<string, number>();
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return groups;
  }
  for (const tid of tasks) {
    let name: string;
    try {
      name = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    const seconds = taskCpuSeconds(pid, Number(tid));
    if (seconds === undefined) continue;
    const group = name.replace(/\d+/g, '#');
    groups.set(group, (groups.get(group) ?? 0) + seconds);
  }
  return groups;
}

function taskCpuSeconds(pid: number, tid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return undefined;
  }
}

let ticks: number | undefined;

function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** % of one core per thread group over a window, biggest first. */
export function threadCpuBetween(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
  windowMs: number,
): Array<{ readonly thread: string; readonly percent: number }> {
  const rows: Array<{ thread: string; percent: number }> = [];
  for (const [thread, seconds] of after) {
    const delta = seconds - (before.get(thread) ?? 0);
    if (delta <= 0) continue;
    rows.push({ thread, percent: (delta / (windowMs / 1000)) * 100 });
  }
  return rows.sort((a, b) => b.percent - a.percent);
}
