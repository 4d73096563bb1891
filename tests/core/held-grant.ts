import type { LeaseGrant } from '../../src/subscriptions/lease-grant';
import { LeaseLapsed } from '../../src/subscriptions/lease-grant';

/**
 * A lease grant a test holds or lets lapse, without a coordinator behind it. Only a `stillOwned` grant
 * can be raised (its lease entry still names it); a stale one cannot.
 */
export class HeldGrant implements LeaseGrant {
  lapsed = false;

  constructor(
    public epoch: number,
    readonly id = `grant-${epoch}`,
    private readonly stillOwned = false,
  ) {}

  assertHeld(): void {
    if (this.lapsed) throw new LeaseLapsed('test');
  }

  async raiseAbove(fence: number): Promise<boolean> {
    if (!this.stillOwned) return false;
    this.epoch = fence + 1;
    return true;
  }
}
