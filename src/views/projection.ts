import type { Clock } from '../core/clock';
import type { EventEnvelope } from '../events/envelope';
import type { FrameworkMetrics } from '../metrics/framework-metrics';
import type { KeyValueMap } from '../storage/key-value';
import type { EventHandler } from '../subscriptions/delivery';

/** A row of a view kept from another service's events: the source aggregate's version guards it. */
export interface ProjectedRow<V> {
  readonly version: number;
  readonly row: V;
  readonly updatedAt: number;
}

export interface ProjectionOptions<V> {
  readonly view: KeyValueMap<ProjectedRow<V>>;
  /** The next row for an event, or undefined when the event does not concern this view. */
  readonly apply: (current: V | undefined, event: EventEnvelope) => V | undefined;
  readonly clock: Clock;
  readonly metrics?: FrameworkMetrics;
}

/**
 * A consumer-group handler that keeps one row per source aggregate. Writes are compare-and-set and
 * skip events at or below the row's version, so redelivery and racing replicas cannot double-apply
 * or move a row backwards.
 */
export function projection<V>(options: ProjectionOptions<V>): EventHandler {
  const { view, apply, clock, metrics } = options;
  metrics?.trackView(view);
  return async (event) => {
    for (;;) {
      const stored = await view.get(event.key);
      if (stored && stored.value.version >= event.version) return;
      const row = apply(stored?.value.row, event);
      if (row === undefined) return;
      const next: ProjectedRow<V> = { version: event.version, row, updatedAt: clock.now() };
      const written = stored
        ? await view.replace(event.key, stored, next)
        : !(await view.putIfAbsent(event.key, next));
      if (written) {
        metrics?.viewUpdates.inc({ view: view.name });
        metrics?.viewStaleness.observe(
          { view: view.name },
          Math.max(0, clock.now() - Date.parse(event.timestamp)) / 1000,
        );
        return;
      }
    }
  };
}
