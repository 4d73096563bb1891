import type { QueryOptions, Stored } from './key-value';
import { fieldOf } from './key-value';

/**
 * The one order every KeyValueMap gives a bounded query (QueryOptions), so backends agree entry for entry:
 * by the `orderBy` field (numbers by value, strings by UTF-16 code unit, as the member's Java compareTo does),
 * ties and a `limit` without `orderBy` by key ascending whatever the direction. Entries whose field is not a
 * number or string have no place in that order and are left out. No options: every match, in no set order.
 */
export type Sortable = number | string;

export const isSortable = (value: unknown): value is Sortable =>
  (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string';

export function compareSortable(a: Sortable, b: Sortable): number {
  if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Rejects a limit that is not a whole number ≥ 0, naming the option. */
export function checkQueryOptions(options: QueryOptions): void {
  const { limit, orderBy } = options;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0))
    throw new RangeError(`query option 'limit' must be a whole number ≥ 0, got ${String(limit)}`);
  if (orderBy !== undefined && orderBy.length === 0)
    throw new RangeError("query option 'orderBy' must name a field");
}

/** Sorts and cuts entries already matching the conditions, as QueryOptions asks. */
export function applyQueryOptions<V>(
  entries: ReadonlyArray<[string, Stored<V>]>,
  options: QueryOptions,
): Array<[string, Stored<V>]> {
  checkQueryOptions(options);
  const { orderBy, descending = false, limit } = options;
  if (orderBy === undefined && limit === undefined) return [...entries];
  let ordered: Array<[string, Stored<V>]>;
  if (orderBy === undefined) {
    ordered = [...entries].sort(([a], [b]) => compareKeys(a, b));
  } else {
    const keyed = entries
      .map((entry) => ({ entry, value: fieldOf(entry[1].value, orderBy) }))
      .filter((item): item is { entry: [string, Stored<V>]; value: Sortable } => isSortable(item.value));
    keyed.sort(
      (a, b) =>
        (descending ? -1 : 1) * compareSortable(a.value, b.value) || compareKeys(a.entry[0], b.entry[0]),
    );
    ordered = keyed.map((item) => item.entry);
  }
  return limit === undefined ? ordered : ordered.slice(0, limit);
}
