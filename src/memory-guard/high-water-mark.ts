import { type HeapReading, heapFraction } from './heap-reading';

/** One poll of every member: each one's heap, or why it could not be read. */
export type HeapObservation =
  | {
      readonly ok: true;
      readonly members: ReadonlyArray<{ readonly member: string; readonly heap: HeapReading }>;
    }
  | { readonly ok: false; readonly error: string };

export interface HighWaterSettings {
  /** Shed writes once any member's old generation reaches this share of its maximum (0–1). */
  readonly highWater: number;
  /**
   * Writes come back only below highWater − resumeGap: one value both ways would flap on every poll while
   * the heap hovers at the mark.
   */
  readonly resumeGap: number;
}

export interface HighWaterState {
  readonly shedding: boolean;
  /** When shedding began (epoch ms). */
  readonly since?: number;
  /** The fullest member at the last good reading. */
  readonly fullest?: { readonly member: string; readonly fraction: number };
}

export type HighWaterChange = 'started' | 'stopped' | undefined;

export const NOT_SHEDDING: HighWaterState = { shedding: false };

/**
 * The guard's decision, pure: the next state from the last one and a poll. A poll that failed keeps the
 * state: a member too busy collecting garbage to answer is no reason to let writes in, and one that is down
 * refuses them anyway.
 */
export function nextHighWaterState(
  state: HighWaterState,
  observation: HeapObservation,
  now: number,
  settings: HighWaterSettings,
): { readonly state: HighWaterState; readonly change: HighWaterChange } {
  if (!observation.ok || observation.members.length === 0) return { state, change: undefined };
  const fullest = observation.members
    .map(({ member, heap }) => ({ member, fraction: heapFraction(heap) }))
    .reduce((a, b) => (b.fraction > a.fraction ? b : a));
  if (!state.shedding && fullest.fraction >= settings.highWater) {
    return { state: { shedding: true, since: now, fullest }, change: 'started' };
  }
  if (state.shedding && fullest.fraction < settings.highWater - settings.resumeGap) {
    return { state: { shedding: false, fullest }, change: 'stopped' };
  }
  return { state: { ...state, fullest }, change: undefined };
}
