import { ManualClock } from '../../../src/core/clock';
import { RecentCache } from '../../../src/core/recent-cache';

describe('RecentCache', () => {
  test('an entry is trusted for its age only', () => {
    const clock = new ManualClock();
    const cache = new RecentCache<string>(clock, 1_000);
    cache.set('a', 'one');
    clock.advance(1_000);
    expect(cache.get('a')).toBe('one');
    clock.advance(1);
    expect(cache.get('a')).toBeUndefined();
  });

  test('holds what the last few seconds set, however many keys a long run has seen', () => {
    const clock = new ManualClock();
    const cache = new RecentCache<number>(clock, 3_000, 10_000);
    // 100 new keys a second for 10 minutes, each read right after it is set (reads must not keep entries alive).
    let misses = 0;
    for (let n = 0; n < 60_000; n++) {
      cache.set(`k${n}`, n);
      if (cache.get(`k${n}`) !== n) misses++;
      if (n % 100 === 99) clock.advance(1_000);
    }
    expect(misses).toBe(0);
    expect(cache.size).toBeLessThanOrEqual(400);
    expect(cache.get('k59999')).toBe(59_999);
  });

  test('beyond its capacity the oldest set go first', () => {
    const clock = new ManualClock();
    const cache = new RecentCache<number>(clock, 60_000, 3);
    for (const n of [1, 2, 3]) cache.set(`k${n}`, n);
    cache.get('k1');
    cache.set('k4', 4);
    expect(cache.size).toBe(3);
    expect(cache.get('k1')).toBeUndefined();
    expect(cache.get('k2')).toBe(2);
  });
});
