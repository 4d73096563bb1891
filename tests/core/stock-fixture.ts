import type { Decider } from '../../src/eventsourcing/decider';
import { conflict } from '../../src/eventsourcing/domain-error';

/** The one fixture domain of the core's tests: a stock level that can be taken from, never below zero. */
export interface Stock {
  readonly level: number;
  readonly takenBy: readonly string[];
}

export type StockCommand =
  | { readonly type: 'Open'; readonly level: number }
  | { readonly type: 'Take'; readonly by: string }
  | { readonly type: 'Note'; readonly texts: readonly string[] };

export type StockEvent =
  | { readonly type: 'Opened'; readonly payload: { level: number } }
  | { readonly type: 'Taken'; readonly payload: { by: string } }
  | { readonly type: 'Noted'; readonly payload: { text: string } };

export const stockDecider: Decider<Stock | null, StockCommand, StockEvent> = {
  initialState: () => null,
  decide(command, state) {
    switch (command.type) {
      case 'Open':
        return state ? [] : [{ type: 'Opened', payload: { level: command.level } }];
      case 'Take':
        if (!state || state.level - state.takenBy.length <= 0) throw conflict('EMPTY', 'nothing left');
        if (state.takenBy.includes(command.by)) return [];
        return [{ type: 'Taken', payload: { by: command.by } }];
      case 'Note':
        return command.texts.map((text) => ({ type: 'Noted', payload: { text } }) as const);
    }
  },
  evolve(state, event) {
    switch (event.eventType) {
      case 'Opened':
        return { level: event.payload.level, takenBy: [] };
      case 'Taken':
        return state ? { ...state, takenBy: [...state.takenBy, event.payload.by] } : state;
      case 'Noted':
        return state;
    }
  },
};
