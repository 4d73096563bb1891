import type { EventEnvelope } from '../../../src/events/envelope';
import type { Decider } from '../../../src/eventsourcing/decider';
import { conflict } from '../../../src/eventsourcing/domain-error';
import { AGGREGATE_ID, deciderSpec, timestampOf } from '../../support/decider-spec';

// A toy counter that records what evolve saw, so the helper's envelopes can be checked.
interface Counter {
  value: number;
  seen: Array<Pick<EventEnvelope, 'key' | 'version' | 'timestamp' | 'eventType'>>;
}
type CounterCommand = { type: 'Add'; amount: number } | { type: 'Reset' } | { type: 'Sneak' };
type CounterEvent = { type: 'Added'; payload: { amount: number } } | { type: 'WasReset'; payload: null };

const counter: Decider<Counter, CounterCommand, CounterEvent> = {
  initialState: () => ({ value: 0, seen: [] }),
  decide(command, state) {
    switch (command.type) {
      case 'Add':
        if (command.amount <= 0)
          throw conflict('NOT_POSITIVE', 'amount must be positive', { amount: command.amount });
        return [{ type: 'Added', payload: { amount: command.amount } }];
      case 'Reset':
        return state.value === 0 ? [] : [{ type: 'WasReset', payload: null }];
      case 'Sneak':
        // An impure decide: changes the state it was given.
        state.value = 99;
        return [];
    }
  },
  evolve(state, event) {
    const seen = [
      ...state.seen,
      { key: event.key, version: event.version, timestamp: event.timestamp, eventType: event.eventType },
    ];
    switch (event.eventType) {
      case 'Added':
        return { value: state.value + event.payload.amount, seen };
      case 'WasReset':
        return { value: 0, seen };
    }
  },
};

const spec = deciderSpec(counter);
const added = (amount: number): CounterEvent => ({ type: 'Added', payload: { amount } });

describe('deciderSpec', () => {
  it('records given events as versions 1..n of one aggregate with deterministic timestamps', () => {
    expect(spec.given([added(1), added(2)]).state).toEqual({
      value: 3,
      seen: [
        { key: AGGREGATE_ID, version: 1, timestamp: timestampOf(1), eventType: 'Added' },
        { key: AGGREGATE_ID, version: 2, timestamp: timestampOf(2), eventType: 'Added' },
      ],
    });
    expect(timestampOf(2) > timestampOf(1)).toBe(true);
  });

  it('evolves the produced events after the given ones, with the following versions', () => {
    const { state } = spec
      .given([added(1)])
      .when({ type: 'Add', amount: 5 })
      .then([added(5)]);
    expect(state.value).toBe(6);
    expect(state.seen.map((event) => event.version)).toEqual([1, 2]);
  });

  it('uses the aggregate id it is given', () => {
    expect(deciderSpec(counter, 'c-9').given([added(1)]).state.seen[0]?.key).toBe('c-9');
  });

  it('starts from the initial state when nothing is given', () => {
    spec.when({ type: 'Reset' }).thenNothing().thenState({ value: 0, seen: [] });
  });

  it('fails then() on different events', () => {
    expect(() => spec.when({ type: 'Add', amount: 5 }).then([added(4)])).toThrow();
  });

  it('fails thenState() on a different state', () => {
    const outcome = spec.when({ type: 'Add', amount: 5 }).then([added(5)]);
    expect(() => outcome.thenState({ value: 4, seen: outcome.state.seen })).toThrow();
  });

  it('fails thenNothing() when events are produced', () => {
    expect(() =>
      spec
        .given([added(1)])
        .when({ type: 'Reset' })
        .thenNothing(),
    ).toThrow();
  });

  it('returns the DomainError from thenThrows, matched by code or predicate', () => {
    const when = spec.when({ type: 'Add', amount: -1 });
    expect(when.thenThrows('NOT_POSITIVE').details).toEqual({ amount: -1 });
    expect(when.thenThrows((error) => error.kind === 'conflict').code).toBe('NOT_POSITIVE');
  });

  it('fails thenThrows() on another code, a false predicate, or no error at all', () => {
    const when = spec.when({ type: 'Add', amount: -1 });
    expect(() => when.thenThrows('OTHER')).toThrow();
    expect(() => when.thenThrows(() => false)).toThrow();
    expect(() => spec.when({ type: 'Add', amount: 1 }).thenThrows('NOT_POSITIVE')).toThrow(
      /expected a DomainError/,
    );
  });

  it('fails when decide changes the state it was given', () => {
    expect(() =>
      spec
        .given([added(1)])
        .when({ type: 'Sneak' })
        .thenNothing(),
    ).toThrow();
  });
});
