/** A status condition as Kubernetes API conventions describe it. */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
  readonly observedGeneration: number;
}

export type ConditionUpdate = Omit<Condition, 'lastTransitionTime'>;

/**
 * Sets one condition. lastTransitionTime moves only when the status really changes; reason, message and
 * observedGeneration follow the latest reconcile. Returns the same array when nothing changed, so a
 * caller can skip a status write that would only cause another watch event.
 */
export function setCondition(
  conditions: readonly Condition[],
  update: ConditionUpdate,
  now: Date,
): readonly Condition[] {
  const existing = conditions.find((condition) => condition.type === update.type);
  if (
    existing &&
    existing.status === update.status &&
    existing.reason === update.reason &&
    existing.message === update.message &&
    existing.observedGeneration === update.observedGeneration
  ) {
    return conditions;
  }
  const lastTransitionTime =
    existing && existing.status === update.status ? existing.lastTransitionTime : now.toISOString();
  const next: Condition = { ...update, lastTransitionTime };
  return existing
    ? conditions.map((condition) => (condition.type === update.type ? next : condition))
    : [...conditions, next];
}

export function setConditions(
  conditions: readonly Condition[],
  updates: readonly ConditionUpdate[],
  now: Date,
): readonly Condition[] {
  return updates.reduce((current, update) => setCondition(current, update, now), conditions);
}

export const findCondition = (conditions: readonly Condition[], type: string): Condition | undefined =>
  conditions.find((condition) => condition.type === type);
