import { ManualClock } from '../../../src/core/clock';
import { InMemoryKeyValueMap } from '../../../src/storage/in-memory-key-value';
import type { KeyValueMap } from '../../../src/storage/key-value';
import type { LeaseGrant } from '../../../src/subscriptions/lease-grant';
import { LeaseLapsed, LeaseLost } from '../../../src/subscriptions/lease-grant';
import type { LeaseRecord, PartitionRef } from '../../../src/subscriptions/leases';
import { LeaseCoordinator } from '../../../src/subscriptions/leases';

const LEASE_MS = 3_000;
const KEY = 'g|S|0';

/** The lease map with a member query that can be made to fail, as a query across a busy cluster does. */
class LeaseMap extends InMemoryKeyValueMap<LeaseRecord> {
  queryFails = false;
  override async query(...args: Parameters<KeyValueMap<LeaseRecord>['query']>) {
    if (this.queryFails) throw new Error('query timed out');
    return super.query(...args);
  }
}

const setup = () => {
  const clock = new ManualClock();
  const leases = new LeaseMap('subscription.leases', clock);
  const replica = (instanceId: string) => {
    const grants: LeaseGrant[] = [];
    const lost: PartitionRef[] = [];
    const coordinator = new LeaseCoordinator({
      group: 'g',
      instanceId,
      partitions: [{ stream: 'S', partition: 0 }],
      leases,
      clock,
      leaseMs: LEASE_MS,
      onAcquired: (_, grant) => void grants.push(grant),
      onReleasing: () => undefined,
      onLost: (ref) => void lost.push(ref),
    });
    return { coordinator, grants, lost };
  };
  return { clock, leases, replica };
};

describe('partition leases', () => {
  test('a lease is renewed by its own compare-and-set while the member query fails', async () => {
    const { clock, leases, replica } = setup();
    const a = replica('a');
    await a.coordinator.tick();
    leases.queryFails = true;
    for (let round = 0; round < 3; round++) {
      clock.advance(LEASE_MS / 3);
      await expect(a.coordinator.tick()).rejects.toThrow('query timed out');
      expect((await leases.get(KEY))?.value.expiresAt).toBe(clock.now() + LEASE_MS);
    }
    // Well past the first lease time, the partition is still a's and a still acts on it.
    expect(() => a.grants[0]!.assertHeld()).not.toThrow();
    leases.queryFails = false;
    const b = replica('b');
    await b.coordinator.tick();
    expect(b.coordinator.ownedPartitions()).toEqual([]);
  });

  test('every new grant carries a higher epoch; a released lease keeps its epoch for the next', async () => {
    const { clock, leases, replica } = setup();
    const a = replica('a');
    const b = replica('b');
    await a.coordinator.tick();
    await a.coordinator.releaseAll();
    await b.coordinator.tick();
    clock.advance(LEASE_MS); // b dies holding it: its lease expires
    await a.coordinator.tick();
    expect([...a.grants, ...b.grants].map((grant) => grant.epoch).sort()).toEqual([1, 2, 3]);
    expect(a.grants.map((grant) => grant.epoch)).toEqual([1, 3]);
    expect((await leases.get(KEY))?.value).toMatchObject({ owner: 'a', epoch: 3 });
  });

  test('an owner stops trusting a lease it could not renew before any other replica may take it', async () => {
    const { clock, leases, replica } = setup();
    const a = replica('a');
    await a.coordinator.tick();
    const grant = a.grants[0]!;
    leases.queryFails = true;
    const renewals = jest.spyOn(leases, 'replace').mockRejectedValue(new Error('unreachable'));
    clock.advance((LEASE_MS * 2) / 3);
    await expect(a.coordinator.tick()).rejects.toThrow();
    expect(() => grant.assertHeld()).toThrow(LeaseLapsed);

    // Not yet expired for anyone else; a renewal that gets through restores it.
    renewals.mockRestore();
    leases.queryFails = false;
    const b = replica('b');
    await b.coordinator.tick();
    expect(b.coordinator.ownedPartitions()).toEqual([]);
    await a.coordinator.tick();
    expect(() => grant.assertHeld()).not.toThrow();

    // Once the lease did expire and b took it, a's renewal fails and its grant is lost for good.
    clock.advance(LEASE_MS);
    await b.coordinator.tick();
    await a.coordinator.tick();
    expect(b.grants.map((held) => held.epoch)).toEqual([2]);
    expect(() => grant.assertHeld()).toThrow(LeaseLost);
    expect(a.lost).toEqual([{ stream: 'S', partition: 0 }]);
  });
});
