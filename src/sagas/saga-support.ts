import { isoTime } from '../core/clock';
import { withinTrace } from '../telemetry';
import type { ServiceContext } from '../runtime/service-context';
import { PolicyWatcher } from './policy-watcher';
import { SagaMetrics } from './saga-metrics';
import type { EffectivePolicy, PolicyAck } from './saga-policy';
import type { SagaDefinition, SagaState } from './saga-state';
import { SagaStateStore } from './saga-state-store';
import { SAGA_STREAM, sagaOutcomeDecider } from './saga-timed-out';
import { SagaTimeoutDetector } from './saga-timeout-detector';

export interface SagaSupport {
  readonly store: SagaStateStore;
  readonly policy: PolicyWatcher;
  readonly detector: SagaTimeoutDetector;
  /**
   * Appends SagaCompleted for a COMPLETED saga (once per saga, however often called), so participants
   * can act on an outcome nothing unwinds any more (inventory settles the order's stock).
   */
  announceCompleted(saga: SagaState): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * What every participant of a saga type runs: the shared state store (with metrics), the live policy,
 * and a timeout detector (every replica of every service runs one; the CAS picks the compensator).
 */
export function sagaSupport(context: ServiceContext, definition: SagaDefinition): SagaSupport {
  const { kv, naming, clock, logger, registry, runtime, service, config } = context;
  // The metrics read their gauges from the store, and the store reports transitions to the metrics.
  const holder: { store?: SagaStateStore } = {};
  const metrics = new SagaMetrics(registry, () => holder.store, [definition.sagaType]);
  const sagas = new SagaStateStore(kv.map<SagaState>(naming.sagaState()), clock, metrics.observe);
  holder.store = sagas;
  const policy = new PolicyWatcher({
    sagaType: definition.sagaType,
    service,
    instanceId: config.INSTANCE_ID,
    policies: kv.map<EffectivePolicy>(naming.sagaPolicy()),
    acks: kv.map<PolicyAck>(naming.sagaPolicyAcks()),
    clock,
    logger,
  });
  const outcomes = runtime.repository(SAGA_STREAM, sagaOutcomeDecider);
  const detector = new SagaTimeoutDetector({
    sagaType: definition.sagaType,
    store: sagas,
    policy: () => policy.policy,
    // A timer, not an event, starts this: continue the saga's own trace so the timeout and the
    // compensations it triggers are in the same trace as the order that started it.
    announce: (saga) =>
      withinTrace(saga.traceparent, async () => {
        await outcomes.handle(
          saga.sagaId,
          {
            type: 'AnnounceTimeout',
            sagaType: saga.sagaType,
            deadline: isoTime(saga.deadline),
            timedOutAt: isoTime(saga.updatedAt),
            context: saga.context,
          },
          {
            correlationId: saga.correlationId,
            saga: { sagaId: saga.sagaId, sagaType: saga.sagaType },
            ...(saga.traceparent ? { traceparent: saga.traceparent } : {}),
          },
        );
      }),
    clock,
    logger,
    metrics,
  });
  return {
    store: sagas,
    policy,
    detector,
    announceCompleted: async (saga) => {
      if (saga.status !== 'COMPLETED') return;
      await outcomes.handle(
        saga.sagaId,
        {
          type: 'AnnounceCompletion',
          sagaType: saga.sagaType,
          completedAt: isoTime(saga.completedAt ?? saga.updatedAt),
          context: saga.context,
        },
        { correlationId: saga.correlationId, saga: { sagaId: saga.sagaId, sagaType: saga.sagaType } },
      );
    },
    start: async () => {
      await policy.start();
      detector.start();
    },
    stop: async () => {
      await detector.close();
      await policy.close();
    },
  };
}
