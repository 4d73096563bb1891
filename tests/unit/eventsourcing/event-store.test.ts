import type { Commit } from '../../../src/eventsourcing/commit';
import { EventStore } from '../../../src/eventsourcing/event-store';
import type { Condition, KeyValueMap } from '../../../src/storage/key-value';
import { InMemoryKeyValueStore } from '../../../src/storage/in-memory-key-value';
import { anEvent } from '../../core/commit-fixture';

/** The in-memory map, recording the conditions each query sends to the store. */
function recording(map: KeyValueMap<Commit>, asked: Condition[][]): KeyValueMap<Commit> {
  return new Proxy(map, {
    get(target, property, receiver) {
      if (property === 'query')
        return (conditions: readonly Condition[]) => {
          asked.push([...conditions]);
          return target.query(conditions);
        };
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

describe('event store', () => {
  test('unpublished asks the store only for the outbox flag and filters the commit time itself', async () => {
    const asked: Condition[][] = [];
    const store = new EventStore('S', recording(new InMemoryKeyValueStore().map<Commit>('S.es'), asked));
    for (const [id, at] of [
      ['old', 100],
      ['young', 900],
      ['older', 50],
    ] as const)
      await store.append(id, 0, [anEvent(id, 1)], at);
    const published = await store.append('done', 0, [anEvent('done', 1)], 10);
    if (published.ok) await store.markPublished(published.commit);

    const found = await store.unpublished(500);
    expect(found.map((commit) => commit.aggregateId)).toEqual(['older', 'old']);
    expect(asked).toEqual([[{ field: 'published', op: 'eq', value: false }]]);
  });

  test('commitsBetween is half-open and oldest first; countBetween agrees with it', async () => {
    const store = new EventStore('S', new InMemoryKeyValueStore().map<Commit>('S.es'));
    for (const [id, at] of [
      ['c', 30],
      ['a', 10],
      ['b', 20],
      ['d', 40],
    ] as const)
      await store.append(id, 0, [anEvent(id, 1)], at);
    expect((await store.commitsBetween(10, 40)).map((commit) => commit.aggregateId)).toEqual(['a', 'b', 'c']);
    expect(await store.countBetween(10, 40)).toBe(3);
    expect(await store.countBetween(41, 100)).toBe(0);
  });

  test('newestCommitTime finds the newest commit, or nothing in an empty store', async () => {
    const store = new EventStore('S', new InMemoryKeyValueStore().map<Commit>('S.es'));
    expect(await store.newestCommitTime(1_000_000)).toBeUndefined();
    for (const [id, at] of [
      ['a', 10],
      ['c', 900_000],
      ['b', 20],
    ] as const)
      await store.append(id, 0, [anEvent(id, 1)], at);
    expect(await store.newestCommitTime(1_000_000)).toBe(900_000);
  });
});
