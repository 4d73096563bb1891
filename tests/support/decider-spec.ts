import type { EventEnvelope, NewEvent } from '../../src/events/envelope';
import { evolveAll, type Decider, type Recorded } from '../../src/eventsourcing/decider';
import { DomainError } from '../../src/eventsourcing/domain-error';

/**
 * Emmett-style given/when/then for a Decider:
 *
 *   deciderSpec(productDecider)
 *     .given([created])            // recorded as versions 1..n of AGGREGATE_ID, folded with evolve
 *     .when({ type: 'ReserveStock', orderId: 'o-1', quantity: 2 })
 *     .then([{ type: 'StockReserved', payload: { orderId: 'o-1', quantity: 2 } }])
 *     .thenState({ ...expected });  // the given state with the produced events evolved in
 *
 * Recorded events get deterministic metadata: version n has timestamp `timestampOf(n)`.
 */

export const AGGREGATE_ID = 'aggregate-1';

const EPOCH = Date.UTC(2026, 0, 1);

/** The timestamp the spec gives the recorded event with this version: one second apart. */
export const timestampOf = (version: number): string => new Date(EPOCH + version * 1000).toISOString();

/** A recorded envelope around a new event, as the event store would write it. */
export function envelope<E extends NewEvent>(
  event: E,
  version: number,
  key: string = AGGREGATE_ID,
  source = 'Test',
): Recorded<E> {
  const recorded: EventEnvelope = {
    eventId: `${key}-event-${version}`,
    eventType: event.type,
    eventVersion: event.eventVersion ?? 1,
    source,
    key,
    version,
    timestamp: timestampOf(version),
    correlationId: 'correlation-1',
    isCompensating: event.saga?.isCompensating ?? false,
    payload: event.payload,
  };
  // The envelope's eventType is the event's type, so its payload is that type's payload.
  return recorded as Recorded<E>;
}

export interface Outcome<S> {
  /** The state after the given events and the produced ones. */
  readonly state: S;
  /** Asserts the whole resulting state. */
  thenState(expected: S): Outcome<S>;
}

export interface When<S, E extends NewEvent> {
  /** Asserts exactly these events, in this order. */
  then(expected: readonly E[]): Outcome<S>;
  /** Asserts a DomainError with this code (or satisfying the predicate) and returns it, for its details. */
  thenThrows(expected: string | ((error: DomainError) => boolean)): DomainError;
  /** Asserts no event at all (a no-op); the state is the given one. */
  thenNothing(): Outcome<S>;
}

export interface Given<S, C, E extends NewEvent> {
  readonly state: S;
  when(command: C): When<S, E>;
}

export interface DeciderSpec<S, C, E extends NewEvent> extends Given<S, C, E> {
  given(events: readonly E[]): Given<S, C, E>;
}

export function deciderSpec<S, C, E extends NewEvent>(
  decider: Decider<S, C, E>,
  aggregateId: string = AGGREGATE_ID,
): DeciderSpec<S, C, E> {
  const record = (events: readonly E[], after: number): EventEnvelope[] =>
    events.map((event, index) => envelope(event, after + index + 1, aggregateId));

  const given = (history: readonly E[]): Given<S, C, E> => {
    const state = evolveAll(decider, decider.initialState(), record(history, 0));
    const outcome = (produced: readonly E[]): Outcome<S> => {
      const next = evolveAll(decider, state, record(produced, history.length));
      const result: Outcome<S> = {
        state: next,
        thenState(expected) {
          expect(next).toEqual(expected);
          return result;
        },
      };
      return result;
    };
    const when = (command: C): When<S, E> => {
      // decide must be pure: it may read the state, never change it.
      const run = (): readonly E[] => {
        const before: unknown = structuredClone(state);
        try {
          return decider.decide(command, state);
        } finally {
          expect(state).toEqual(before);
        }
      };
      return {
        then(expected) {
          const produced = run();
          expect(produced).toEqual(expected);
          return outcome(produced);
        },
        thenThrows(expected) {
          let produced: readonly E[];
          try {
            produced = run();
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            const domainError = error as DomainError;
            if (typeof expected === 'string') expect(domainError.code).toBe(expected);
            else expect(expected(domainError)).toBe(true);
            return domainError;
          }
          throw new Error(`expected a DomainError, but decide produced ${JSON.stringify(produced)}`);
        },
        thenNothing() {
          expect(run()).toEqual([]);
          return outcome([]);
        },
      };
    };
    return { state, when };
  };

  const initial = given([]);
  return { ...initial, given };
}
