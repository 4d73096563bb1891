import type { SagaState, SagaStatus } from './saga-state';
import { ACTIVE, TERMINAL } from './saga-state';

/** A saga FAILED because one of its events was parked: what a replay needs to undo that, and only that. */
export interface ParkedFailure {
  readonly eventId: string;
  readonly previousStatus: SagaStatus;
  readonly previousFailureReason: string | null;
}

/** Pure transitions for parking and replay, beside saga-state.ts's: each returns `state` when nothing changes. */
export const sagaParking = {
  /** An event of the saga was parked: FAILED, remembering what it was, for a replay to resume it. */
  parked(state: SagaState, eventId: string, reason: string, now: number): SagaState {
    if (TERMINAL.includes(state.status)) return state;
    const parkedBy: ParkedFailure = {
      eventId,
      previousStatus: state.status,
      previousFailureReason: state.failureReason,
    };
    return { ...state, status: 'FAILED', failureReason: reason, completedAt: now, updatedAt: now, parkedBy };
  },

  /**
   * A parked event of the saga is replayed: a saga FAILED by parking goes back to where it was, when that
   * is safe. Forward (it was active): only if nothing was undone since (no step COMPENSATED or SKIPPED: a
   * forward step racing the failure undoes itself), and with a fresh deadline of its original length, or
   * the detector would time it out before the replayed step could complete it. Unwinding: always
   * (compensations are idempotent). A saga failed any other way stays FAILED: replaying cannot tell
   * what it would resume.
   */
  reopened(state: SagaState, now: number): SagaState {
    const parked = state.parkedBy;
    if (state.status !== 'FAILED' || !parked) return state;
    const forward = ACTIVE.includes(parked.previousStatus);
    const undone = state.steps.some((step) => step.status === 'COMPENSATED' || step.status === 'SKIPPED');
    if (forward && undone) return state;
    const { parkedBy: _resolved, ...rest } = state;
    return {
      ...rest,
      status: parked.previousStatus,
      failureReason: parked.previousFailureReason,
      completedAt: null,
      updatedAt: now,
      deadline: forward ? now + (state.deadline - state.startedAt) : state.deadline,
    };
  },
};
