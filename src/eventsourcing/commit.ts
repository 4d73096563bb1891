import type { EventEnvelope } from '../events/envelope';

/**
 * One atomic append: the events a single decision produced for one aggregate. It is stored under
 * `<aggregateId>:<firstVersion>`, so `putIfAbsent` on that key is the optimistic-concurrency check, and
 * it is also the unit that is published and handled, so a consumer never sees half a decision.
 */
export interface Commit {
  readonly stream: string;
  readonly aggregateId: string;
  readonly firstVersion: number;
  readonly lastVersion: number;
  readonly committedAt: number;
  /** The outbox flag: false until the commit is on its stream. Indexed, so the sweeper finds stragglers. */
  readonly published: boolean;
  readonly events: readonly EventEnvelope[];
}

export const commitKey = (aggregateId: string, firstVersion: number): string =>
  `${aggregateId}:${firstVersion}`;
