import fs from 'node:fs';

/**
 * The member's GC log (-Xlog:gc, passed through JAVA_TOOL_OPTIONS) read per measured window: how many
 * stop-the-world pauses, how long in total, and the heap left after the last one.
 */
export interface MemberGc {
  readonly pauses: number;
  readonly pauseMs: number;
  readonly fullGcs: number;
  /** Heap in use after the last collection of the window, MB. */
  readonly heapAfterMb?: number;
}

/** JAVA_TOOL_OPTIONS for the member: whatever the user set, plus GC logging to `file`. */
export function gcLogToolOptions(file: string, existing: string | undefined): string {
  return [existing, `-Xlog:gc:file=${file}`].filter((part) => part !== undefined && part !== '').join(' ');
}

/** Current end of the log, to be given back to gcBetween. */
export function gcLogOffset(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

// [12.345s][info][gc] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 120M->31M(512M) 4.567ms
const PAUSE = /\bPause\b.*?(?:\d+M->(\d+)M\(\d+M\))?\s+([\d.]+)ms\s*$/;

/** Bytes `from`..`to` of a growing log as text; undefined when the file cannot be read. */
export function readLogRange(file: string, from: number, to: number): string | undefined {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(to - from);
      fs.readSync(fd, buffer, 0, buffer.length, from);
      return buffer.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

export function gcBetween(file: string, from: number, to: number): MemberGc | undefined {
  if (to <= from) return { pauses: 0, pauseMs: 0, fullGcs: 0 };
  const text = readLogRange(file, from, to);
  if (text === undefined) return undefined;
  let pauses = 0;
  let pauseMs = 0;
  let fullGcs = 0;
  let heapAfterMb: number | undefined;
  for (const line of text.split('\n')) {
    const match = PAUSE.exec(line);
    if (!match) continue;
    pauses++;
    pauseMs += Number(match[2]);
    if (line.includes('Pause Full')) fullGcs++;
    if (match[1] !== undefined) heapAfterMb = Number(match[1]);
  }
  return { pauses, pauseMs, fullGcs, ...(heapAfterMb !== undefined ? { heapAfterMb } : {}) };
}
