import type { Aggregator, HazelcastJsonValue, IMap, Predicate } from 'hazelcast-client';
import { Aggregators, Predicates } from 'hazelcast-client';
import type { QueryOptions } from './key-value';
import { compareSortable, isSortable, type Sortable } from './query-order';

type Entry = [string, HazelcastJsonValue];
type JsonMap = IMap<string, HazelcastJsonValue>;

/**
 * The entries a bounded query (a `limit`) needs, read without the member shipping every match; the caller
 * puts them in order and cuts (query-order.ts). `limit` alone is one PagingPredicate page, which the member
 * orders by key with no class of ours. A community member has no comparator for `orderBy` either (it would
 * be a Java class on its classpath) and the Node client has no projections, so: the distinct values of the
 * field among the matches (values, not documents), whose `limit` best give a bound, then only the entries
 * within that bound — one page of 2·limit + 1, which holds them all unless many entries share values. Then
 * counting (which ships nothing) finds how many whole values fit in `limit`, and the rest is a page of the
 * first keys among the next value's ties. The values still travel for every match: a caller over a large
 * map narrows the matches with an indexed range first (newest-first.ts).
 */
export async function boundedEntries(
  map: JsonMap,
  base: Predicate | undefined,
  options: QueryOptions & { readonly limit: number },
): Promise<Entry[]> {
  const { orderBy, descending = false, limit } = options;
  const all = base ?? Predicates.alwaysTrue();
  if (limit === 0) return [];
  if (orderBy === undefined) return map.entrySetWithPredicate(Predicates.paging(all, limit));

  const distinct = await map.aggregateWithPredicate(distinctOf(orderBy), all);
  const values = Array.from(distinct as Iterable<unknown>, toSortable).filter(isSortable);
  values.sort((a, b) => (descending ? -1 : 1) * compareSortable(a, b));
  const best = values.slice(0, limit);
  if (best.length === 0) return [];

  const within = (bound: Sortable): Predicate =>
    and(base, descending ? Predicates.greaterEqual(orderBy, bound) : Predicates.lessEqual(orderBy, bound));
  const page = await map.entrySetWithPredicate(Predicates.paging(within(best.at(-1)!), 2 * limit + 1));
  if (page.length <= 2 * limit) return page;

  // Many ties: best[fit] and everything better is at most `limit` entries, best[over] and better is more.
  const count = async (predicate: Predicate) =>
    Number(await map.aggregateWithPredicate(Aggregators.count(), predicate));
  let fit = -1;
  let over = best.length - 1;
  while (over - fit > 1) {
    const middle = (fit + over) >> 1;
    if ((await count(within(best[middle]!))) <= limit) fit = middle;
    else over = middle;
  }
  const whole = fit >= 0 ? await map.entrySetWithPredicate(within(best[fit]!)) : [];
  if (whole.length >= limit) return whole;
  const tied = and(base, Predicates.equal(orderBy, best[over]!));
  return [...whole, ...(await map.entrySetWithPredicate(Predicates.paging(tied, limit - whole.length)))];
}

/** hazelcast-client 5.7's `Aggregators.distinct(path)` drops the path (the member then returns whole values). */
function distinctOf(path: string): Aggregator<Set<unknown>> {
  return Object.assign(Aggregators.distinct<unknown>(path), { attributePath: path });
}

function and(base: Predicate | undefined, extra: Predicate): Predicate {
  return base ? Predicates.and(base, extra) : extra;
}

/** The member sends whole JSON numbers as Java longs, which the client decodes as Long objects. */
function toSortable(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && 'toNumber' in value) {
    const toNumber = (value as { toNumber: unknown }).toNumber;
    if (typeof toNumber === 'function') return (toNumber as () => number).call(value);
  }
  return value;
}
