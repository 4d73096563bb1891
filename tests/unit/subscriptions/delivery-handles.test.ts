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

/** A ledger that counts its writes. */
class CountingLedger extends InMemoryKeyValueMap<LedgerEntry> {
  writes = 0;
  override putIfAbsent(...args: Parameters<InMemoryKeyValueMap<LedgerEntry>['putIfAbsent']>) {
    this.writes += 1;
    return super.putIfAbsent(...args);
  }
  override replace(...args: Parameters<InMemoryKeyValueMap<LedgerEntry>['replace']>) {
    this.writes += 1;
    return super.replace(...args);
  }
}

describe('a group that names the events it handles', () => {
  const setup = () => {
    const ledger = new CountingLedger('g.ledger');
    const commits = new InMemoryKeyValueMap<Commit>('S.es');
    const handled: string[] = [];
    const delivery = new Delivery({
      group: 'g',
      handle: async (event) => void handled.push(`${event.eventType}@${event.version}`),
      handles: ['Wanted'],
      ledger,
      deadLetters: new DeadLetterStore(
        'g',
        'test',
        new InMemoryKeyValueMap<DeadLetter>('g.dead-letters.view'),
        new ManualClock(),
      ),
      eventStore: () => new EventStore('S', commits),
      clock: new ManualClock(),
      logger: silentLogger(),
    });
    return { ledger, commits, handled, delivery };
  };

  test('gets only those, and the ledger is written only for commits that held one', async () => {
    const { ledger, handled, delivery } = setup();
    const owner = delivery.forOwner();
    const types = ['Other', 'Other', 'Wanted', 'Other', 'Wanted', 'Other'];
    for (const [index, type] of types.entries()) await owner.deliver([commitOf('a', index + 1, type)]);
    expect(handled).toEqual(['Wanted@3', 'Wanted@5']);
    expect(ledger.writes).toBe(2);
    expect((await ledger.get('S:a'))?.value).toEqual({ version: 5 });
    // A redelivery of everything, to this owner: nothing again.
    for (const [index, type] of types.entries()) await owner.deliver([commitOf('a', index + 1, type)]);
    expect(handled).toEqual(['Wanted@3', 'Wanted@5']);
  });

  test('a new owner after skipped commits handles what follows once, reading the gap from the store', async () => {
    const { commits, handled, delivery } = setup();
    const all = [commitOf('a', 1, 'Wanted'), commitOf('a', 2, 'Other'), commitOf('a', 3, 'Other')];
    for (const commit of all) await commits.set(`a:${commit.firstVersion}`, commit);
    await delivery.forOwner().deliver(all);
    const next = commitOf('a', 4, 'Wanted');
    await commits.set('a:4', next);
    // The next owner sees the ledger at version 1 and the stream at 4: versions 2 and 3 are read back
    // from the event store, skipped, and only 4 is handled.
    await delivery.forOwner().deliver([next, ...all]);
    expect(handled).toEqual(['Wanted@1', 'Wanted@4']);
  });
});

describe('a group whose handler skips what it applied before (a projection)', () => {
  test('writes its ledger entry at most once per interval per aggregate; a new owner redelivers the rest', async () => {
    const ledger = new CountingLedger('g.ledger');
    const commits = new InMemoryKeyValueMap<Commit>('S.es');
    const clock = new ManualClock();
    const applied = new Map<string, number>();
    const seen: number[] = [];
    const delivery = new Delivery({
      group: 'g',
      // Like src/views/projection.ts: events at or below the row's version are skipped.
      handle: async (event) => {
        seen.push(event.version);
        if ((applied.get(event.key) ?? 0) < event.version) applied.set(event.key, event.version);
      },
      ledgerLagMs: 1_000,
      ledger,
      deadLetters: new DeadLetterStore(
        'g',
        'test',
        new InMemoryKeyValueMap<DeadLetter>('g.dead-letters.view'),
        new ManualClock(),
      ),
      eventStore: () => new EventStore('S', commits),
      clock,
      logger: silentLogger(),
    });
    const all = Array.from({ length: 6 }, (_, n) => commitOf('a', n + 1, 'Wanted'));
    for (const commit of all) await commits.set(`a:${commit.firstVersion}`, commit);
    const owner = delivery.forOwner();
    for (const commit of all.slice(0, 5)) await owner.deliver([commit]);
    expect(ledger.writes).toBe(1); // the first, then within the second: none
    clock.advance(1_000);
    await owner.deliver([all[5]!]);
    expect(ledger.writes).toBe(2);
    expect((await ledger.get('S:a'))?.value).toEqual({ version: 6 });

    // Crash after more unrecorded commits: the next owner handles them again, and the handler skips them.
    const more = [commitOf('a', 7, 'Wanted'), commitOf('a', 8, 'Wanted')];
    for (const commit of more) await commits.set(`a:${commit.firstVersion}`, commit);
    for (const commit of more) await owner.deliver([commit]);
    seen.length = 0;
    await delivery.forOwner().deliver([commitOf('a', 9, 'Wanted')]);
    expect(seen).toEqual([7, 8, 9]);
    expect(applied.get('a')).toBe(9);
  });
});
