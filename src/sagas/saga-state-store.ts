import type { Clock } from '../core/clock';
import { RecentCache } from '../core/recent-cache';
import type { Condition, KeyValueMap, QueryOptions, Stored } from '../storage/key-value';
import { writtenStored } from '../storage/key-value';
import { epochMsField, newestFirst } from '../storage/newest-first';
import { sagaParking } from './saga-parking';
import type { SagaDefinition, SagaState, SagaStatus } from './saga-state';
import { ACTIVE, sagaTransitions, TERMINAL } from './saga-state';

export interface StartSaga {
  readonly sagaId: string;
  readonly correlationId: string;
  readonly timeoutMs: number;
  readonly context: Record<string, unknown>;
  /** The trace to continue when the saga times out (see SagaState.traceparent). */
  readonly traceparent?: string | undefined;
}

/** The outcome of an update: the record after it, and whether this call changed it. */
export interface SagaUpdate {
  readonly state: SagaState | undefined;
  readonly changed: boolean;
}

/**
 * Saga records, updated by every participant at once. Every update is a compare-and-set of a pure
 * transition (saga-state.ts), so no update is lost and a repeated one changes nothing. The one
 * implementation runs on any KeyValueMap: a Hazelcast IMap (indexes on status, completedAt and startedAt in
 * config/hazelcast.yaml) or the in-memory map of the unit tests.
 */
export type SagaObserver = (previous: SagaState | undefined, next: SagaState) => void;

export class SagaStateStore {
  /**
   * The records this process just read or wrote: an update starts its compare-and-set from one instead of
   * reading the record again (a participant reads the saga, acts, then records its step). A stale one only
   * fails the compare-and-set, and the update reads the record then.
   */
  private readonly recent: RecentCache<Stored<SagaState>>;

  constructor(
    private readonly records: KeyValueMap<SagaState>,
    private readonly clock: Clock,
    /** Told of every change this process made (once per change cluster-wide: only the CAS winner is told). */
    private readonly observer?: SagaObserver,
  ) {
    this.recent = new RecentCache(clock, 2_000, 2_000);
  }

  async startSaga(definition: SagaDefinition, start: StartSaga): Promise<SagaState> {
    const now = this.clock.now();
    const state = sagaTransitions.start(definition, {
      sagaId: start.sagaId,
      correlationId: start.correlationId,
      now,
      deadline: now + start.timeoutMs,
      context: start.context,
      traceparent: start.traceparent,
    });
    const existing = await this.records.putIfAbsent(start.sagaId, state);
    if (!existing) this.observer?.(undefined, state);
    this.remember(start.sagaId, existing ?? writtenStored(state));
    return existing?.value ?? state;
  }

  /** Always read from the store: what a participant decides on must be current. */
  async getSagaState(sagaId: string): Promise<SagaState | undefined> {
    const stored = await this.records.get(sagaId);
    this.remember(sagaId, stored);
    return stored?.value;
  }

  recordStepCompleted(sagaId: string, stepNumber: number, eventId: string): Promise<SagaUpdate> {
    return this.update(sagaId, (state, now) =>
      sagaTransitions.stepCompleted(state, stepNumber, eventId, now),
    );
  }

  recordStepFailed(sagaId: string, stepNumber: number, reason: string): Promise<SagaUpdate> {
    return this.update(sagaId, (state, now) => sagaTransitions.stepFailed(state, stepNumber, reason, now));
  }

  recordCompensationStarted(sagaId: string, reason: string): Promise<SagaUpdate> {
    return this.update(sagaId, (state, now) => sagaTransitions.compensationStarted(state, reason, now));
  }

  recordCompensationStep(sagaId: string, stepNumber: number, eventId: string | null): Promise<SagaUpdate> {
    return this.update(sagaId, (state, now) =>
      sagaTransitions.compensationStep(state, stepNumber, eventId, now),
    );
  }

  /** Only one caller wins this for a given saga: its `changed` is true, everyone else's false. */
  markTimedOut(sagaId: string): Promise<SagaUpdate> {
    return this.update(sagaId, (state, now) => sagaTransitions.timedOut(state, now));
  }

  /** Only one caller wins this for a given saga, as with markTimedOut. */
  markCompensationStalled(sagaId: string): Promise<SagaUpdate> {
    return this.update(sagaId, (state, now) => sagaTransitions.compensationStalled(state, now));
  }

  markFailed(sagaId: string, reason: string): Promise<SagaUpdate> {
    return this.update(sagaId, (state, now) => sagaTransitions.failed(state, reason, now));
  }

  /** One of the saga's events was parked: FAILED, resumable by a replay of it (saga-parking.ts). */
  markParked(sagaId: string, eventId: string, reason: string): Promise<SagaUpdate> {
    return this.update(sagaId, (state, now) => sagaParking.parked(state, eventId, reason, now));
  }

  /** A parked event of the saga is being replayed: back to where parking found it, if safe. */
  reopenParked(sagaId: string): Promise<SagaUpdate> {
    return this.update(sagaId, (state, now) => sagaParking.reopened(state, now));
  }

  /** Active sagas past their deadline, oldest deadline first, at most `limit` read. */
  async findTimedOutSagas(now: number, limit: number, sagaType?: string): Promise<SagaState[]> {
    const conditions: Condition[] = [
      { field: 'status', op: 'in', value: [...ACTIVE] },
      { field: 'deadline', op: 'lt', value: now },
    ];
    if (sagaType) conditions.push({ field: 'sagaType', op: 'eq', value: sagaType });
    return this.find(conditions, { orderBy: 'deadline', limit });
  }

  /**
   * COMPENSATING sagas past their deadline and unchanged since `quietSince`: an undo that never came (its
   * event lost to a fault, its participant failing), longest quiet first.
   */
  async findStalledCompensating(
    sagaType: string,
    now: number,
    quietSince: number,
    limit: number,
  ): Promise<SagaState[]> {
    return this.find(
      [
        { field: 'status', op: 'eq', value: 'COMPENSATING' },
        { field: 'sagaType', op: 'eq', value: sagaType },
        { field: 'deadline', op: 'lt', value: now },
        { field: 'updatedAt', op: 'lt', value: quietSince },
      ],
      { orderBy: 'updatedAt', limit },
    );
  }

  /** TIMED_OUT sagas unchanged since `quietSince` (their announcer may have died), longest quiet first. */
  async findUnsettledTimedOut(sagaType: string, quietSince: number, limit: number): Promise<SagaState[]> {
    return this.find(
      [
        { field: 'status', op: 'eq', value: 'TIMED_OUT' },
        { field: 'sagaType', op: 'eq', value: sagaType },
        { field: 'updatedAt', op: 'lt', value: quietSince },
      ],
      { orderBy: 'updatedAt', limit },
    );
  }

  /** Newest first, through a window on the startedAt index (newest-first.ts): the page, not every saga. */
  async findSagasByStatus(
    statuses: readonly SagaStatus[],
    sagaType: string | undefined,
    limit: number,
  ): Promise<SagaState[]> {
    const conditions: Condition[] = [];
    if (statuses.length > 0) conditions.push({ field: 'status', op: 'in', value: [...statuses] });
    if (sagaType) conditions.push({ field: 'sagaType', op: 'eq', value: sagaType });
    const found = await newestFirst(this.records, {
      field: epochMsField('startedAt'),
      conditions,
      limit,
      now: this.clock.now(),
    });
    return found.map(([, stored]) => stored.value);
  }

  findSagasByCorrelationId(correlationId: string): Promise<SagaState[]> {
    return this.find([{ field: 'correlationId', op: 'eq', value: correlationId }]);
  }

  countByStatus(status: SagaStatus, sagaType?: string): Promise<number> {
    const conditions: Condition[] = [{ field: 'status', op: 'eq', value: status }];
    if (sagaType) conditions.push({ field: 'sagaType', op: 'eq', value: sagaType });
    return this.records.count(conditions);
  }

  countWhere(conditions: readonly Condition[]): Promise<number> {
    return this.records.count(conditions);
  }

  /** Deletes at most `limit` sagas that ended before `endedBefore`; returns how many. */
  async purgeEnded(endedBefore: number, limit: number): Promise<number> {
    // Only completedAt, which is set when a saga ends: its sorted index yields just the purgeable ones,
    // where adding `status IN terminal` would make the member collect every ended saga first. A page of
    // them (by key): a backlog is worked off a batch per pass instead of read whole by every replica.
    const ended = await this.records.query([{ field: 'completedAt', op: 'lt', value: endedBefore }], {
      limit,
    });
    let purged = 0;
    for (const [sagaId, stored] of ended) {
      if (!TERMINAL.includes(stored.value.status)) continue;
      if (await this.records.deleteIfSame(sagaId, stored)) purged += 1;
    }
    return purged;
  }

  private async find(conditions: readonly Condition[], options?: QueryOptions): Promise<SagaState[]> {
    return (await this.records.query(conditions, options)).map(([, stored]) => stored.value);
  }

  private async update(
    sagaId: string,
    transition: (state: SagaState, now: number) => SagaState,
  ): Promise<SagaUpdate> {
    let stored = this.recent.get(sagaId);
    let remembered = stored !== undefined;
    for (;;) {
      if (!remembered) stored = await this.records.get(sagaId);
      if (!stored) return { state: undefined, changed: false };
      const next = transition(stored.value, this.clock.now());
      if (next === stored.value) {
        // Nothing to change, judged on what may be a stale copy: only the store can say so.
        if (remembered) {
          remembered = false;
          continue;
        }
        this.remember(sagaId, stored);
        return { state: stored.value, changed: false };
      }
      if (await this.records.replace(sagaId, stored, next)) {
        this.remember(sagaId, writtenStored(next));
        this.observer?.(stored.value, next);
        return { state: next, changed: true };
      }
      remembered = false;
    }
  }

  private remember(sagaId: string, stored: Stored<SagaState> | undefined): void {
    if (stored) this.recent.set(sagaId, stored);
    else this.recent.forget(sagaId);
  }
}
