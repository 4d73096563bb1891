import { createOnce } from '../../../src/api/create-once';
import { ManualClock } from '../../../src/core/clock';
import { nameBasedUuid, SequentialIds } from '../../../src/core/ids';
import {
  IdempotencyGuard,
  type IdempotencyRecord,
  type IdempotentAttempt,
} from '../../../src/idempotency/idempotency-guard';
import type { EventSourcingRuntime } from '../../../src/runtime/event-sourcing-runtime';
import { InMemoryKeyValueStore } from '../../../src/storage/in-memory-key-value';
import { customerDecider } from '../../../services/account/customer-decider';
import { inMemoryRuntime } from '../../support/in-memory-runtime';

const CLAIM_MS = 1_000;
const body = { email: 'ada@example.com', name: 'Ada' };

/** A gate a test opens when it wants the work it holds to go on. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('Idempotency-Key: one create per key, however its attempts end', () => {
  let clock: ManualClock;
  let kv: InMemoryKeyValueStore;
  let guard: IdempotencyGuard;
  let runtime: EventSourcingRuntime;

  beforeEach(() => {
    clock = new ManualClock();
    kv = new InMemoryKeyValueStore(clock);
    guard = new IdempotencyGuard(kv.map<IdempotencyRecord>('keys'), clock, {
      pendingMs: CLAIM_MS,
      waitMs: 0,
      ids: new SequentialIds(),
    });
    runtime = inMemoryRuntime({ kv, clock });
  });
  afterEach(() => runtime.close());

  const createCustomer = (attempt: IdempotentAttempt) => {
    const customerId = attempt.id('customer');
    return createOnce(
      runtime.repository('Customer', customerDecider),
      customerId,
      { type: 'CreateCustomer', customerId, ...body },
      { correlationId: 'c' },
      'CUSTOMER_EXISTS',
    ).then((created) => ({ status: 201, body: created.state }));
  };

  test('name-based ids are RFC 9562 version 5 (the value Python’s uuid.uuid5 gives)', () => {
    expect(nameBasedUuid('abc')).toBe('d046b44a-3d69-5d66-b1de-e4dbea536d1a');
  });

  test('every attempt with one key and body gets the same ids; another scope, key or body others', async () => {
    const seen: string[] = [];
    const record = (attempt: IdempotentAttempt) => {
      seen.push(attempt.id('x'));
      return Promise.reject(new Error('failed, so the key is free again'));
    };
    const attempts: Array<[string, string, unknown]> = [
      ['POST /a/1', 'k', body],
      ['POST /a/1', 'k', { ...body }],
      ['POST /a/2', 'k', body],
      ['POST /a/1', 'k2', body],
      ['POST /a/1', 'k', { ...body, name: 'Bob' }],
    ];
    for (const [scope, key, sent] of attempts) {
      await expect(guard.run(scope, key, sent, record)).rejects.toThrow('failed');
    }
    expect(seen[1]).toBe(seen[0]);
    expect(new Set(seen).size).toBe(4);
  });

  test('a first attempt that outlives its claim: the retry addresses the same aggregate, one is created', async () => {
    const held = gate();
    const first = guard.run('POST /api/customers', 'k', body, async (attempt) => {
      await held.opened;
      return createCustomer(attempt);
    });
    await Promise.resolve();
    clock.advance(CLAIM_MS + 1); // the first attempt's claim lapses while it still works
    const retry = await guard.run('POST /api/customers', 'k', body, createCustomer);
    held.open();
    const late = await first;

    expect(late.body).toEqual(retry.body);
    const events = await runtime
      .repository('Customer', customerDecider)
      .events((retry.body as { customerId: string }).customerId, 10);
    expect(events.map((event) => event.eventType)).toEqual(['CustomerCreated']);
  });

  test('a failing attempt whose claim lapsed leaves the retry’s claim alone (compare-and-delete)', async () => {
    const records = kv.map<IdempotencyRecord>('keys');
    const held = gate();
    const first = guard.run('POST /api/customers', 'k', body, async () => {
      await held.opened;
      throw new Error('first attempt failed late');
    });
    await Promise.resolve();
    clock.advance(CLAIM_MS + 1);
    const retryHeld = gate();
    const retry = guard.run('POST /api/customers', 'k', body, async (attempt) => {
      await retryHeld.opened;
      return createCustomer(attempt);
    });
    await Promise.resolve();
    held.open();
    await expect(first).rejects.toThrow('failed late');
    expect((await records.get('POST /api/customers|k'))?.value.state).toBe('pending');
    retryHeld.open();
    await retry;
    expect((await records.get('POST /api/customers|k'))?.value.state).toBe('done');
  });
});
