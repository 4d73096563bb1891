import type { Decider } from '../eventsourcing/decider';

/**
 * The typed fact that a saga passed its deadline, on the `Saga` stream keyed by saga id. Its aggregate
 * can hold only this one event, so announcing it twice (two detectors, or a retry after a crash) appends
 * it once.
 */
export interface SagaTimedOutPayload {
  readonly sagaType: string;
  readonly deadline: string;
  readonly timedOutAt: string;
  readonly context: Readonly<Record<string, unknown>>;
}

export type SagaTimeoutEvent = { readonly type: 'SagaTimedOut'; readonly payload: SagaTimedOutPayload };
export type SagaTimeoutCommand = { readonly type: 'AnnounceTimeout' } & SagaTimedOutPayload;
export type SagaTimeoutState = { readonly announced: boolean };

export const SAGA_STREAM = 'Saga';

export const sagaTimeoutDecider: Decider<SagaTimeoutState, SagaTimeoutCommand, SagaTimeoutEvent> = {
  initialState: () => ({ announced: false }),
  decide: (command, state) => {
    if (state.announced) return [];
    const { type: _type, ...payload } = command;
    return [{ type: 'SagaTimedOut', payload, saga: { isCompensating: true } }];
  },
  evolve: () => ({ announced: true }),
};
