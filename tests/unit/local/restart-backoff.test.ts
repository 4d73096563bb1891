import { RestartBackoff } from '../../../src/local/restart-backoff';

describe('restart back-off', () => {
  const policy = { initialMs: 1_000, maxMs: 30_000, healthyAfterMs: 60_000 };

  it('doubles the wait for a process that keeps dying, up to the cap', () => {
    const backoff = new RestartBackoff(policy);
    const waits = Array.from({ length: 8 }, () => backoff.delayAfter(500));
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(backoff.attempt).toBe(8);
  });

  it('starts over once the process had been up for the healthy period', () => {
    const backoff = new RestartBackoff(policy);
    for (let i = 0; i < 5; i++) backoff.delayAfter(100);
    expect(backoff.delayAfter(59_999)).toBe(30_000);
    expect(backoff.delayAfter(60_000)).toBe(1_000);
    expect(backoff.attempt).toBe(1);
    expect(backoff.delayAfter(10)).toBe(2_000);
  });
});
