import { z } from 'zod';
import { isoTime } from '../core/clock';
import { notFound } from '../http/api-error';
import { limitQuery } from '../http/query-schemas';
import { defineRoute, type Route } from '../http/route';
import type { EventCounts } from '../metrics/cluster-counters';
import { sagaStatuses, stepStatuses, type SagaState, type SagaStatus } from './saga-state';
import type { SagaStateStore } from './saga-state-store';

const stepResponse = z.object({
  stepNumber: z.number(),
  stepName: z.string(),
  service: z.string(),
  eventType: z.string(),
  status: z.enum(stepStatuses),
  timestamp: z.string().nullable(),
  eventId: z.string().nullable(),
  failureReason: z.string().nullable(),
});

export const sagaResponse = z.object({
  sagaId: z.string(),
  sagaType: z.string(),
  correlationId: z.string(),
  status: z.enum(sagaStatuses),
  currentStep: z.number(),
  totalSteps: z.number(),
  progressPercentage: z.number(),
  startedAt: z.string(),
  completedAt: z.string().nullable(),
  durationMs: z.number(),
  deadline: z.string(),
  failureReason: z.string().nullable(),
  failedAtStep: z.number().nullable(),
  timedOut: z.boolean(),
  steps: z.array(stepResponse),
});

const summaryResponse = z.object({
  sagas: z.object({
    total: z.number(),
    started: z.number(),
    inProgress: z.number(),
    completed: z.number(),
    compensating: z.number(),
    compensated: z.number(),
    failed: z.number(),
    timedOut: z.number(),
  }),
  events: z.object({ submitted: z.number(), processed: z.number(), failed: z.number() }),
  gauges: z.object({ activeSagas: z.number(), compensatingSagas: z.number() }),
});

/** `?status=`: case-insensitive, documented as the enum it is checked against (an unknown one is a 400). */
const sagaStatusQuery = z.preprocess(
  (value) => (typeof value === 'string' ? value.toUpperCase() : value),
  z.enum(sagaStatuses).describe('Only sagas in this status; case-insensitive'),
);

export function toSagaResponse(saga: SagaState, now: number): z.infer<typeof sagaResponse> {
  const done = saga.steps.filter(
    (step) => step.status === 'COMPLETED' || step.status === 'COMPENSATED',
  ).length;
  return {
    sagaId: saga.sagaId,
    sagaType: saga.sagaType,
    correlationId: saga.correlationId,
    status: saga.status,
    currentStep: saga.currentStep,
    totalSteps: saga.totalSteps,
    progressPercentage: Math.round((done / Math.max(1, saga.totalSteps)) * 100),
    startedAt: isoTime(saga.startedAt),
    completedAt: saga.completedAt === null ? null : isoTime(saga.completedAt),
    durationMs: (saga.completedAt ?? now) - saga.startedAt,
    deadline: isoTime(saga.deadline),
    failureReason: saga.failureReason,
    failedAtStep: saga.failedAtStep,
    timedOut: saga.timedOut,
    steps: saga.steps.map((step) => ({
      stepNumber: step.stepNumber,
      stepName: step.stepName,
      service: step.service,
      eventType: step.eventType,
      status: step.status,
      timestamp: step.timestamp === null ? null : isoTime(step.timestamp),
      eventId: step.eventId,
      failureReason: step.failureReason,
    })),
  };
}

/** `/api/sagas*` and `/api/metrics/summary` (API.md), counted from the shared store, so cluster-wide. */
export function sagaRoutes(deps: {
  sagas: SagaStateStore;
  counters: { totals(): Promise<EventCounts> };
  now?: () => number;
}): Route[] {
  const { sagas, counters } = deps;
  const now = deps.now ?? (() => Date.now());
  return [
    defineRoute({
      method: 'GET',
      path: '/api/sagas/:sagaId',
      operationId: 'getSaga',
      summary: 'A saga with its steps',
      tags: ['Saga'],
      params: z.object({ sagaId: z.string().min(1).max(100) }),
      responses: {
        200: { description: 'The saga', schema: sagaResponse },
        404: { description: 'SAGA_NOT_FOUND' },
      },
      handler: async ({ params }) => {
        const saga = await sagas.getSagaState(params.sagaId);
        if (!saga) throw notFound('SAGA_NOT_FOUND', `Saga ${params.sagaId} not found`);
        return { status: 200, body: toSagaResponse(saga, now()) };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/sagas',
      operationId: 'listSagas',
      summary: 'Sagas, newest first; status is case-insensitive',
      tags: ['Saga'],
      query: z.object({
        status: sagaStatusQuery.optional(),
        type: z.string().max(100).optional(),
        limit: limitQuery(10, 1000),
      }),
      responses: { 200: { description: 'Sagas', schema: z.array(sagaResponse) } },
      handler: async ({ query }) => {
        const statuses: SagaStatus[] = query.status ? [query.status] : [];
        const found = await sagas.findSagasByStatus(statuses, query.type, query.limit);
        return { status: 200, body: found.map((saga) => toSagaResponse(saga, now())) };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/metrics/summary',
      operationId: 'getMetricsSummary',
      summary: 'Saga and event counts across the whole cluster',
      tags: ['Saga'],
      responses: { 200: { description: 'Summary', schema: summaryResponse } },
      handler: async () => {
        const count = (status: SagaStatus) => sagas.countByStatus(status);
        const [
          started,
          inProgress,
          completed,
          compensating,
          compensated,
          failed,
          timedOutNow,
          timedOut,
          events,
        ] = await Promise.all([
          count('STARTED'),
          count('IN_PROGRESS'),
          count('COMPLETED'),
          count('COMPENSATING'),
          count('COMPENSATED'),
          count('FAILED'),
          count('TIMED_OUT'),
          sagas.countWhere([{ field: 'timedOut', op: 'eq', value: true }]),
          counters.totals(),
        ]);
        const total = started + inProgress + completed + compensating + compensated + failed + timedOutNow;
        return {
          status: 200,
          body: {
            sagas: { total, started, inProgress, completed, compensating, compensated, failed, timedOut },
            events,
            gauges: { activeSagas: started + inProgress, compensatingSagas: compensating + timedOutNow },
          },
        };
      },
    }),
  ];
}
