import { z } from 'zod';
import type { Decider } from '../eventsourcing/decider';

/**
 * The typed facts of how a saga ended that participants act on, on the `Saga` stream keyed by saga id:
 * it passed its deadline (SagaTimedOut), or it completed (SagaCompleted). The saga record's
 * compare-and-set lets only one of the two happen, and the aggregate holds only one event, so announcing
 * twice (two detectors, or a retry after a crash) appends it once.
 */
export const sagaTimedOutPayload = z.object({
  sagaType: z.string(),
  deadline: z.string(),
  timedOutAt: z.string(),
  /** The saga record's context: what its participants need to undo their steps. */
  context: z.record(z.string(), z.unknown()),
});
export type SagaTimedOutPayload = z.output<typeof sagaTimedOutPayload>;

export const sagaCompletedPayload = z.object({
  sagaType: z.string(),
  completedAt: z.string(),
  context: z.record(z.string(), z.unknown()),
});
export type SagaCompletedPayload = z.output<typeof sagaCompletedPayload>;

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
