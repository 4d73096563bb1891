import type { Client, HazelcastJsonValue, IMap } from 'hazelcast-client';
import { HazelcastKeyValueMap } from '../../src/storage/hazelcast-key-value';
import { closeTestHazelcast, testHazelcast } from '../support/hazelcast';

let client: Client;
let prefix: string;

beforeAll(async () => {
  ({ client, prefix } = await testHazelcast());
});
afterAll(() => closeTestHazelcast(client));

/** The real IMap, counting the documents the member sends back (entries and values of every read). */
function counting(map: IMap<string, HazelcastJsonValue>) {
  const shipped = { documents: 0 };
  const reads = new Set(['entrySet', 'entrySetWithPredicate', 'values', 'valuesWithPredicate', 'getAll']);
  const proxy = new Proxy(map, {
    get(target, property, receiver) {
      const member = Reflect.get(target, property, receiver) as unknown;
      if (typeof member !== 'function') return member;
      if (!reads.has(String(property))) return member.bind(target);
      return async (...args: unknown[]) => {
        const result = (await (member as (...a: unknown[]) => Promise<unknown[]>).apply(target, args)) ?? [];
        shipped.documents += Array.from(result as Iterable<unknown>).length;
        return result;
      };
    },
  });
  return { proxy, shipped };
}

describe('bounded queries on a real member ship the page, not the map', () => {
  const size = 400;
  let kv: HazelcastKeyValueMap<{ n: number; kind: string }>;
  let shipped: { documents: number };

  beforeAll(async () => {
    const name = `${prefix}bounded`;
    const map = await client.getMap<string, HazelcastJsonValue>(name);
    const counted = counting(map);
    kv = new HazelcastKeyValueMap(name, counted.proxy);
    shipped = counted.shipped;
    for (let index = 0; index < size; index++)
      await kv.set(`k${index}`, { n: index % 350, kind: index % 2 ? 'odd' : 'even' });
  });

  beforeEach(() => (shipped.documents = 0));

  test('orderBy with a limit reads at most 2·limit + 1 documents', async () => {
    const found = await kv.query([], { orderBy: 'n', descending: true, limit: 5 });
    expect(found.map(([, stored]) => stored.value.n)).toEqual([349, 348, 347, 346, 345]);
    expect(shipped.documents).toBeLessThanOrEqual(11);
  });

  test('with conditions too', async () => {
    const found = await kv.query([{ field: 'kind', op: 'eq', value: 'odd' }], { orderBy: 'n', limit: 3 });
    expect(found.map(([key]) => key)).toEqual(['k1', 'k351', 'k3']);
    expect(shipped.documents).toBeLessThanOrEqual(7);
  });

  test('a limit alone reads one page', async () => {
    expect(await kv.query([], { limit: 4 })).toHaveLength(4);
    expect(shipped.documents).toBe(4);
  });

  test('many ties at the cut still read a bounded number', async () => {
    // 350..399 share n with 0..49: n=0..49 each appear twice. Ascending limit 3: 0, 0, 1.
    const found = await kv.query([{ field: 'n', op: 'lt', value: 50 }], { orderBy: 'n', limit: 3 });
    expect(found.map(([key]) => key)).toEqual(['k0', 'k350', 'k1']);
    expect(shipped.documents).toBeLessThanOrEqual(3 * 3 + 1);
  });
});
