import type { ParkedFailure } from './saga-parking';

export const sagaStatuses = [
  'STARTED',
  'IN_PROGRESS',
  'COMPLETED',
  'COMPENSATING',
  'COMPENSATED',
  'FAILED',
  'TIMED_OUT',
] as const;
export type SagaStatus = (typeof sagaStatuses)[number];

export const stepStatuses = ['PENDING', 'COMPLETED', 'FAILED', 'SKIPPED', 'COMPENSATED'] as const;
export type StepStatus = (typeof stepStatuses)[number];

/** Still moving forward: the only states a forward step may act in. */
export const ACTIVE: readonly SagaStatus[] = ['STARTED', 'IN_PROGRESS'];
/** Moving backward: completed steps are being undone. */
export const UNWINDING: readonly SagaStatus[] = ['COMPENSATING', 'TIMED_OUT'];
export const TERMINAL: readonly SagaStatus[] = ['COMPLETED', 'COMPENSATED', 'FAILED'];

export interface SagaStepRecord {
  readonly stepNumber: number;
  readonly stepName: string;
  readonly service: string;
  readonly eventType: string;
  readonly status: StepStatus;
  readonly timestamp: number | null;
  readonly eventId: string | null;
  readonly failureReason: string | null;
}

export interface SagaState {
  readonly sagaId: string;
  readonly sagaType: string;
  readonly correlationId: string;
  readonly status: SagaStatus;
  /** Epoch ms; numbers so the member can range-query them. */
  readonly startedAt: number;
  readonly completedAt: number | null;
  /** When unwinding began (a failure, the timeout, a cancellation). */
  readonly compensationStartedAt: number | null;
  readonly deadline: number;
  readonly updatedAt: number;
  readonly currentStep: number;
  readonly totalSteps: number;
  readonly failureReason: string | null;
  readonly failedAtStep: number | null;
  readonly timedOut: boolean;
  readonly steps: readonly SagaStepRecord[];
  /** What the participants need to act without asking each other (order id, amount, line items). */
  readonly context: Readonly<Record<string, unknown>>;
  /**
   * The trace the saga started in (W3C traceparent), so work started later by a timer rather than by an
   * event — the timeout — joins it. Absent with tracing off and on records written before it existed.
   */
  readonly traceparent?: string;
  /** Set while the saga is FAILED because one of its events was parked (saga-parking.ts). */
  readonly parkedBy?: ParkedFailure;
}

export interface StepDefinition {
  readonly stepNumber: number;
  readonly stepName: string;
  readonly service: string;
  readonly eventType: string;
}

export interface SagaDefinition {
  readonly sagaType: string;
  readonly steps: readonly StepDefinition[];
}

/**
 * Pure transitions of a saga record. Each returns the same object when nothing changes, so a store can
 * skip the write: recording the same step twice changes nothing (SAGA.md).
 */
export const sagaTransitions = {
  start(
    definition: SagaDefinition,
    init: {
      sagaId: string;
      correlationId: string;
      now: number;
      deadline: number;
      context: Record<string, unknown>;
      traceparent?: string | undefined;
    },
  ): SagaState {
    return {
      sagaId: init.sagaId,
      sagaType: definition.sagaType,
      correlationId: init.correlationId,
      status: 'STARTED',
      startedAt: init.now,
      completedAt: null,
      compensationStartedAt: null,
      deadline: init.deadline,
      updatedAt: init.now,
      currentStep: 0,
      totalSteps: definition.steps.length,
      failureReason: null,
      failedAtStep: null,
      timedOut: false,
      steps: definition.steps.map((step) => ({
        ...step,
        status: 'PENDING',
        timestamp: null,
        eventId: null,
        failureReason: null,
      })),
      context: init.context,
      ...(init.traceparent ? { traceparent: init.traceparent } : {}),
    };
  },

  stepCompleted(state: SagaState, stepNumber: number, eventId: string, now: number): SagaState {
    const step = state.steps[stepNumber];
    if (!step || step.status !== 'PENDING') return state;
    const steps = replaceStep(state.steps, { ...step, status: 'COMPLETED', timestamp: now, eventId });
    const next = { ...state, steps, updatedAt: now, currentStep: Math.max(state.currentStep, stepNumber) };
    if (!ACTIVE.includes(state.status)) return next;
    const last = stepNumber === state.totalSteps - 1;
    return last ? { ...next, status: 'COMPLETED', completedAt: now } : { ...next, status: 'IN_PROGRESS' };
  },

  stepFailed(state: SagaState, stepNumber: number, reason: string, now: number): SagaState {
    const step = state.steps[stepNumber];
    if (!step || step.status === 'FAILED') return state;
    const steps = replaceStep(state.steps, {
      ...step,
      status: 'FAILED',
      timestamp: now,
      failureReason: reason,
    });
    const next = { ...state, steps, updatedAt: now };
    if (!ACTIVE.includes(state.status)) return next;
    return settle(
      {
        ...next,
        status: 'COMPENSATING',
        failureReason: reason,
        failedAtStep: stepNumber,
        compensationStartedAt: now,
      },
      now,
    );
  },

  /** From an active state only: the compare-and-set of this transition decides who compensates. */
  timedOut(state: SagaState, now: number): SagaState {
    if (!ACTIVE.includes(state.status)) return state;
    const pending = state.steps.find((step) => step.status === 'PENDING');
    return settle(
      {
        ...state,
        status: 'TIMED_OUT',
        timedOut: true,
        failureReason: 'Saga timed out',
        failedAtStep: pending?.stepNumber ?? state.currentStep,
        compensationStartedAt: now,
        updatedAt: now,
      },
      now,
    );
  },

  /**
   * A compensation that stopped making progress (a participant's undo never came) is timed out: the
   * timeout's announcement asks every participant to undo its step again, and is repeated until it settles.
   */
  compensationStalled(state: SagaState, now: number): SagaState {
    if (state.status !== 'COMPENSATING') return state;
    return settle({ ...state, status: 'TIMED_OUT', timedOut: true, updatedAt: now }, now);
  },

  /** An outside cause (a cancelled order) starts unwinding an active saga. */
  compensationStarted(state: SagaState, reason: string, now: number): SagaState {
    if (!ACTIVE.includes(state.status)) return state;
    const pending = state.steps.find((step) => step.status === 'PENDING');
    return settle(
      {
        ...state,
        status: 'COMPENSATING',
        failureReason: reason,
        failedAtStep: pending?.stepNumber ?? null,
        compensationStartedAt: now,
        updatedAt: now,
      },
      now,
    );
  },

  /** A completed step undone is COMPENSATED; a step that never happened is SKIPPED (nothing to undo). */
  compensationStep(state: SagaState, stepNumber: number, eventId: string | null, now: number): SagaState {
    const step = state.steps[stepNumber];
    if (!step || (step.status !== 'COMPLETED' && step.status !== 'PENDING')) return state;
    const status = step.status === 'COMPLETED' ? 'COMPENSATED' : 'SKIPPED';
    const steps = replaceStep(state.steps, {
      ...step,
      status,
      timestamp: now,
      eventId: eventId ?? step.eventId,
    });
    return settle({ ...state, steps, updatedAt: now }, now);
  },

  /** A compensation that kept failing: the saga ends FAILED with the reason, for an operator to see. */
  failed(state: SagaState, reason: string, now: number): SagaState {
    if (TERMINAL.includes(state.status)) return state;
    return { ...state, status: 'FAILED', failureReason: reason, completedAt: now, updatedAt: now };
  },
};

/** An unwinding saga with nothing left completed is compensated. */
function settle(state: SagaState, now: number): SagaState {
  if (!UNWINDING.includes(state.status)) return state;
  if (state.steps.some((step) => step.status === 'COMPLETED')) return state;
  return { ...state, status: 'COMPENSATED', completedAt: now };
}

function replaceStep(steps: readonly SagaStepRecord[], next: SagaStepRecord): SagaStepRecord[] {
  return steps.map((step) => (step.stepNumber === next.stepNumber ? next : step));
}
