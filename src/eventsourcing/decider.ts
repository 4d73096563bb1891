import type { EventEnvelope, NewEvent } from '../events/envelope';

/** A recorded event whose payload type follows from its eventType, so `switch (event.eventType)` narrows. */
export type Recorded<E extends NewEvent> = E extends NewEvent<infer P, infer T> ? EventEnvelope<P, T> : never;

/**
 * Pure domain logic, Emmett-style: `decide` turns a command and the current state into new facts (or
 * throws a DomainError), `evolve` folds a fact into the state. No I/O, no clock: commands carry what
 * they need (ids, timestamps), which keeps both functions replayable and trivially testable.
 */
export interface Decider<S, C, E extends NewEvent> {
  readonly initialState: () => S;
  readonly evolve: (state: S, event: Recorded<E>) => S;
  readonly decide: (command: C, state: S) => readonly E[];
}

export function evolveAll<S, E extends NewEvent>(
  decider: Pick<Decider<S, unknown, E>, 'evolve'>,
  state: S,
  events: readonly EventEnvelope[],
): S {
  return events.reduce((current, event) => decider.evolve(current, event as Recorded<E>), state);
}
