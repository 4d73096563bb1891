import type { Decider } from '../eventsourcing/decider';

/**
 * The typed facts of how a saga ended that participants act on, on the `Saga` stream keyed by saga id:
 * it passed its deadline (SagaTimedOut), or it completed (SagaCompleted). The saga record's
 * compare-and-set lets only one of the two happen, and the aggregate holds only one event, so announcing
 * twice (two detectors, or a retry after a crash) appends it once.
 */
export interface SagaTimedOutPayload {
  readonly sagaType: string;
  readonly deadline: string;
  readonly timedOutAt: string;
  readonly context: Readonly<Record<string, unknown>>;
}

export interface SagaCompletedPayload {
  readonly sagaType: string;
  readonly completedAt: string;
  readonly context: Readonly<Record<string, unknown>>;
}

export type SagaOutcomeEvent =
  | { readonly type: 'SagaTimedOut'; readonly payload: SagaTimedOutPayload }
  | { readonly type: 'SagaCompleted'; readonly payload: SagaCompletedPayload };
export type SagaOutcomeCommand =
  | ({ readonly type: 'AnnounceTimeout' } & SagaTimedOutPayload)
  | ({ readonly type: 'AnnounceCompletion' } & SagaCompletedPayload);
export type SagaOutcomeState = { readonly announced: boolean };

export const SAGA_STREAM = 'Saga';

export const sagaOutcomeDecider: Decider<SagaOutcomeState, SagaOutcomeCommand, SagaOutcomeEvent> = {
  initialState: () => ({ announced: false }),
  decide: (command, state) => {
    if (state.announced) return [];
    if (command.type === 'AnnounceCompletion') {
      const { type: _type, ...payload } = command;
      return [{ type: 'SagaCompleted', payload }];
    }
    const { type: _type, ...payload } = command;
    return [{ type: 'SagaTimedOut', payload, saga: { isCompensating: true } }];
  },
  evolve: () => ({ announced: true }),
};
