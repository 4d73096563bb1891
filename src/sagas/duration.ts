import { z } from 'zod';

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** "500ms", "5s", "1.5m", "24h", "7d" → milliseconds; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = PATTERN.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * UNITS[match[2]!]!);
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** A duration string bounded to [min, max], parsed to milliseconds. */
export const durationSchema = (min: string, max: string) => {
  const low = parseDuration(min)!;
  const high = parseDuration(max)!;
  return z
    .string()
    .regex(PATTERN, 'must be a duration like 500ms, 30s, 5m, 24h or 7d')
    .transform((text) => parseDuration(text)!)
    .refine((ms) => ms >= low && ms <= high, `must be between ${min} and ${max}`);
};
