import { isoTime } from '../core/clock';
import type { Condition, KeyValueMap, Stored } from './key-value';

/** A document field holding a time: epoch ms, or an ISO-8601 UTC string (whose text order is time order). */
export interface TimeField {
  readonly path: string;
  readonly encode: (epochMs: number) => number | string;
}

export const epochMsField = (path: string): TimeField => ({ path, encode: (epochMs) => epochMs });
export const isoTimeField = (path: string): TimeField => ({ path, encode: isoTime });

export interface NewestFirstQuery {
  readonly field: TimeField;
  readonly conditions?: readonly Condition[];
  readonly limit: number;
  readonly now: number;
  /** Continue after this entry of an earlier page (its time and key), for paging through a whole map. */
  readonly after?: { readonly epochMs: number; readonly key: string };
}

const FIRST_WINDOW_MS = 1_000;
const WIDEN = 4;

/**
 * The newest `limit` matches by a time field, found through a window on that field's sorted index rather
 * than over the whole map: the window starts at the last second and widens fourfold until it holds `limit`
 * entries (or reaches back to 1970), then, if it holds far more (a burst), is narrowed by halving. Those
 * probes are counts, which ship nothing; only the window's page is read. So a page costs about what the
 * page holds — a few more round trips when the newest entries are old — whatever the map's size.
 */
export async function newestFirst<V>(
  map: KeyValueMap<V>,
  query: NewestFirstQuery,
): Promise<Array<[string, Stored<V>]>> {
  const { field, limit, after } = query;
  const base = query.conditions ?? [];
  const order = { orderBy: field.path, descending: true } as const;
  const page: Array<[string, Stored<V>]> = [];
  if (limit === 0) return page;
  let top = query.now;
  const older: Condition[] = [];
  if (after) {
    // The rest of the earlier page's instant first: ties go by key. One millisecond's entries at most.
    const instant: Condition = { field: field.path, op: 'eq', value: field.encode(after.epochMs) };
    const tied = await map.query([...base, instant], order);
    page.push(...tied.filter(([key]) => key > after.key).slice(0, limit));
    if (page.length === limit) return page;
    top = after.epochMs;
    older.push({ field: field.path, op: 'lt', value: field.encode(top) });
  }
  const need = limit - page.length;
  const since = (lower: number): Condition[] => [
    ...base,
    ...older,
    { field: field.path, op: 'gte', value: field.encode(lower) },
  ];

  let tooShort = top; // a bound known to hold fewer than `need` (or nothing older than the top)
  let lower = Math.max(0, top - FIRST_WINDOW_MS);
  let held = await map.count(since(lower));
  for (let span = FIRST_WINDOW_MS * WIDEN; held < need && lower > 0; span *= WIDEN) {
    tooShort = lower;
    lower = Math.max(0, top - span);
    held = await map.count(since(lower));
  }
  const plenty = 4 * need + 32;
  while (held > plenty && tooShort - lower > 1) {
    const middle = Math.floor((tooShort + lower) / 2);
    const there = await map.count(since(middle));
    if (there < need) tooShort = middle;
    else [lower, held] = [middle, there];
  }
  page.push(...(await map.query(since(lower), { ...order, limit: need })));
  return page;
}
