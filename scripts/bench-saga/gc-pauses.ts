import { readLogRange } from '../bench/member-gc';

/**
 * Each stop-the-world pause of the member's GC log (-Xlog:gc) between two offsets of the file, placed on
 * the bench's time line by `toWindowSeconds` (the log counts seconds of JVM uptime), to line up latency
 * spikes with pauses.
 */
export interface GcPause {
  readonly atS: number;
  readonly ms: number;
  readonly kind: string;
}

// [12.345s][info][gc] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 120M->31M(512M) 4.567ms
const LINE = /^\[([\d.]+)s\].*?\b(Pause [A-Za-z]+(?: \([^)]*\))?).*?\s([\d.]+)ms\s*$/;

export function gcPausesBetween(
  file: string,
  from: number,
  to: number,
  toWindowSeconds: (uptimeS: number) => number,
): GcPause[] {
  if (to <= from) return [];
  const text = readLogRange(file, from, to);
  if (text === undefined) return [];
  const pauses: GcPause[] = [];
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (!match) continue;
    pauses.push({ atS: toWindowSeconds(Number(match[1])), ms: Number(match[3]), kind: match[2]! });
  }
  return pauses;
}
