import type { Clock } from '../core/clock';
import { sleep } from '../core/sleep';
import type { Logger } from '../logging/logger';
import type { SagaMetrics } from './saga-metrics';
import type { EffectivePolicy } from './saga-policy';
import type { SagaState } from './saga-state';
import type { SagaStateStore } from './saga-state-store';

export interface TimeoutDetectorOptions {
  readonly sagaType: string;
  readonly store: SagaStateStore;
  /** Read at every pass, so a new policy applies without a restart. */
  readonly policy: () => EffectivePolicy;
  /** Tells the participants to compensate; must be idempotent (it is retried for stuck sagas). */
  readonly announce: (saga: SagaState) => Promise<void>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: SagaMetrics;
}

/**
 * Finds active sagas past their deadline. Any number of replicas of any service run it at once: the
 * compare-and-set to TIMED_OUT has one winner per saga, and only the winner announces the timeout. A
 * winner that died before announcing is covered by re-announcing TIMED_OUT sagas that stay unsettled.
 */
export class SagaTimeoutDetector {
  private readonly stopper = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly options: TimeoutDetectorOptions) {}

  /** One pass; returns the sagas this replica moved to TIMED_OUT. */
  async checkOnce(): Promise<SagaState[]> {
    const { store, policy, announce, clock, logger, metrics, sagaType } = this.options;
    const end = metrics?.timeoutCheckDuration.startTimer();
    try {
      const current = policy();
      const now = clock.now();
      const won: SagaState[] = [];
      const due = await store.findTimedOutSagas(now, current.maxBatchSize, sagaType);
      for (const saga of due) {
        const update = await store.markTimedOut(saga.sagaId);
        if (!update.changed || !update.state) continue;
        won.push(update.state);
        logger.warn(
          { sagaId: saga.sagaId, sagaType, deadline: new Date(saga.deadline).toISOString() },
          'saga timed out',
        );
        if (current.autoCompensate) await announce(update.state);
      }
      if (current.autoCompensate) {
        // Quiet for two passes: whoever should have moved it on (an announcer, an undo) is not coming.
        const quietSince = now - 2 * current.checkIntervalMs;
        const limit = current.maxBatchSize;
        for (const saga of await store.findStalledCompensating(sagaType, now, quietSince, limit)) {
          const update = await store.markCompensationStalled(saga.sagaId);
          if (!update.changed || !update.state) continue;
          logger.warn({ sagaId: saga.sagaId, sagaType }, 'saga compensation stalled; timing it out');
          await announce(update.state);
        }
        const stuck = await store.findUnsettledTimedOut(sagaType, quietSince, limit);
        for (const saga of stuck) await announce(saga);
      }
      await store.purgeEnded(now - current.retentionMs, current.maxBatchSize);
      return won;
    } finally {
      metrics?.timeoutChecks.inc();
      end?.();
    }
  }

  start(): void {
    this.loop ??= this.run();
  }

  async close(): Promise<void> {
    this.stopper.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopper.signal.aborted) {
      await sleep(this.options.policy().checkIntervalMs, this.stopper.signal);
      if (this.stopper.signal.aborted) return;
      try {
        await this.checkOnce();
      } catch (error) {
        this.options.logger.warn({ err: error }, 'saga timeout check failed; will retry');
      }
    }
  }
}
