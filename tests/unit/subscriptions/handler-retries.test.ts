import { ManualClock } from '../../../src/core/clock';
import type { EventEnvelope } from '../../../src/events/envelope';
import { silentLogger } from '../../../src/logging/logger';
import { InMemoryKeyValueMap } from '../../../src/storage/in-memory-key-value';
import type { DeadLetter } from '../../../src/subscriptions/dead-letter';
import { DeadLetterStore } from '../../../src/subscriptions/dead-letter-store';
import { HandlerRetries } from '../../../src/subscriptions/handler-retries';
import {
  defaultRetrySettings,
  retryDelayMs,
  worstCaseRetryMs,
  type RetrySettings,
} from '../../../src/subscriptions/retry-backoff';

const event: EventEnvelope = {
  eventId: 'e-1',
  eventType: 'OrderCreated',
  eventVersion: 1,
  source: 'Order',
  key: 'o-1',
  version: 1,
  timestamp: '2026-01-01T00:00:00.000Z',
  correlationId: 'c-1',
  sagaId: 's-1',
  isCompensating: false,
  payload: {},
};

/** The back-off's waits on a manual clock: each wait moves the clock, nothing sleeps. */
function scene(options: { failures: number; retry?: RetrySettings; random?: () => number }) {
  const clock = new ManualClock();
  const started = clock.now();
  const waits: number[] = [];
  const entries = new InMemoryKeyValueMap<DeadLetter>('g.dead-letters.view');
  const parked: string[] = [];
  let calls = 0;
  const retries = new HandlerRetries({
    group: 'g',
    handle: async () => {
      calls += 1;
      if (calls <= options.failures) throw new Error(`down (${calls})`);
    },
    retry: options.retry ?? defaultRetrySettings,
    deadLetters: new DeadLetterStore('g', 'svc', entries, clock),
    clock,
    logger: silentLogger(),
    wait: async (ms) => {
      waits.push(ms);
      clock.advance(ms);
    },
    random: options.random ?? (() => 0.5),
    onParked: async (parkedEvent, reason) => void parked.push(`${parkedEvent.eventId}: ${reason}`),
  });
  return { clock, started, waits, entries, parked, retries, calls: () => calls };
}

describe('retry back-off of a failing handler', () => {
  test('each wait doubles from ~200 ms to the 2 min cap, jittered in its upper half', () => {
    const ceilings = [200, 400, 800, 1_600, 3_200, 6_400, 12_800, 25_600, 51_200, 102_400, 120_000, 120_000];
    ceilings.forEach((ceiling, index) => {
      expect(retryDelayMs(index + 1, defaultRetrySettings, () => 0)).toBe(ceiling / 2);
      expect(retryDelayMs(index + 1, defaultRetrySettings, () => 1)).toBe(ceiling);
    });
    // The promise the docs make: parked after at most 5.4 minutes, at least half that.
    expect(worstCaseRetryMs(defaultRetrySettings)).toBe(324_600);
  });

  test('a handler that recovers after minutes is handled, never parked, and the clock shows the waits', async () => {
    const { retries, waits, clock, started, entries, parked, calls } = scene({
      failures: 9,
      random: () => 1,
    });
    await retries.handle(event, 'Order', started);
    expect(calls()).toBe(10);
    expect(waits).toEqual([200, 400, 800, 1_600, 3_200, 6_400, 12_800, 25_600, 51_200]);
    expect(clock.now() - started).toBe(102_200); // minutes of retrying, not the 1.5 s of before
    expect(await entries.size()).toBe(0);
    expect(parked).toEqual([]);
  });

  test('after the last attempt the event is parked with its reason and attempts, and the caller goes on', async () => {
    const retry = { maxAttempts: 4, baseMs: 1_000, maxDelayMs: 60_000 };
    const { retries, waits, clock, entries, parked } = scene({ failures: 100, retry });
    await retries.handle(event, 'Order', clock.now());
    expect(waits).toEqual([750, 1_500, 3_000]); // random 0.5: three quarters of each ceiling
    const entry = (await entries.get('g:e-1'))?.value;
    expect(entry).toMatchObject({
      status: 'PENDING',
      kind: 'handler',
      attempts: 4,
      failureReason: 'down (4)',
      failureTimestamp: clock.now(),
      originalEventId: 'e-1',
      sagaId: 's-1',
      topicName: 'Order',
      event,
    });
    expect(parked).toEqual(['e-1: down (4)']);
  });

  test('an owner that loses its partition stops waiting at once and leaves the event unhandled', async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    const entries = new InMemoryKeyValueMap<DeadLetter>('g.dead-letters.view');
    const retries = new HandlerRetries({
      group: 'g',
      handle: async () => {
        throw new Error('down');
      },
      retry: defaultRetrySettings,
      deadLetters: new DeadLetterStore('g', 'svc', entries, clock),
      clock,
      logger: silentLogger(),
      wait: async () => stop.abort(), // the lease is lost during the first wait
    });
    await expect(retries.handle(event, 'Order', clock.now(), stop.signal)).rejects.toThrow('down');
    expect(await entries.size()).toBe(0);
  });
});
