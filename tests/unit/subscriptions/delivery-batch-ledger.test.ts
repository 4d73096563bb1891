import { ManualClock } from '../../../src/core/clock';
import { DeadLetterStore } from '../../../src/subscriptions/dead-letter-store';
import type { Commit } from '../../../src/eventsourcing/commit';
import { EventStore } from '../../../src/eventsourcing/event-store';
import { silentLogger } from '../../../src/logging/logger';
import { InMemoryKeyValueMap } from '../../../src/storage/in-memory-key-value';
import type { DeadLetter, LedgerEntry } from '../../../src/subscriptions/delivery';
import { Delivery } from '../../../src/subscriptions/delivery';
import { aCommit } from '../../core/commit-fixture';

const commitOf = aCommit;

/** A ledger that counts its round trips, to see what reading a batch's entries at once saves. */
class CountingLedger extends InMemoryKeyValueMap<LedgerEntry> {
  reads = 0;
  override get(key: string) {
    this.reads += 1;
    return super.get(key);
  }
  override getAll(keys: readonly string[]) {
    this.reads += 1;
    return super.getAll(keys);
  }
}

describe('delivery reads the ledger once per batch, and an owner not again for seconds', () => {
  const setup = () => {
    const ledger = new CountingLedger('g.ledger');
    const handled: string[] = [];
    const clock = new ManualClock();
    const delivery = new Delivery({
      group: 'g',
      handle: async (event) => void handled.push(`${event.key}@${event.version}`),
      ledger,
      deadLetters: new DeadLetterStore(
        'g',
        'test',
        new InMemoryKeyValueMap<DeadLetter>('g.dead-letters.view'),
        new ManualClock(),
      ),
      eventStore: () => new EventStore('S', new InMemoryKeyValueMap<Commit>('S.es')),
      clock,
      logger: silentLogger(),
    });
    return { ledger, handled, delivery, clock };
  };

  test('a batch of 50 aggregates, some commits twice: one read, each version handled once', async () => {
    const { ledger, handled, delivery } = setup();
    const batch = Array.from({ length: 50 }, (_, n) => commitOf(`a${n}`, 1));
    await delivery.deliver([...batch, commitOf('a7', 2), commitOf('a7', 1), commitOf('a7', 2)]);
    expect(ledger.reads).toBe(1);
    expect(handled).toHaveLength(51);
    expect(handled.filter((entry) => entry.startsWith('a7@'))).toEqual(['a7@1', 'a7@2']);
    expect((await ledger.get('S:a7'))?.value).toEqual({ version: 2 });
  });

  test('what was handled before the batch (by this or another owner) is skipped', async () => {
    const { ledger, handled, delivery } = setup();
    await ledger.set('S:a', { version: 3 });
    await delivery.deliver([commitOf('a', 2), commitOf('a', 3), commitOf('a', 4)]);
    expect(handled).toEqual(['a@4']);
  });

  test('an owner delivering the next commits of an aggregate reads its entry only once', async () => {
    const { ledger, handled, delivery } = setup();
    const owner = delivery.forOwner();
    for (let version = 1; version <= 5; version++) await owner.deliver([commitOf('a', version)]);
    await owner.deliver([commitOf('a', 3)]); // a redelivery, skipped from memory
    expect(handled).toEqual(['a@1', 'a@2', 'a@3', 'a@4', 'a@5']);
    expect(ledger.reads).toBe(1);
  });

  test('a new owner, or one whose memory is seconds old, reads the ledger again', async () => {
    const { ledger, handled, delivery, clock } = setup();
    const first = delivery.forOwner();
    await first.deliver([commitOf('a', 1)]);
    // The lease moves: the next owner handles version 2.
    await delivery.forOwner().deliver([commitOf('a', 2)]);
    clock.advance(3_001);
    await first.deliver([commitOf('a', 2)]);
    expect(handled).toEqual(['a@1', 'a@2']);
    expect(ledger.reads).toBe(3);
  });
});
