import { setCondition } from '../../../operator/controller/conditions';

describe('status conditions', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const t1 = new Date('2026-01-01T00:05:00Z');
  const ready = {
    type: 'Ready',
    status: 'True' as const,
    reason: 'Applied',
    message: 'ok',
    observedGeneration: 1,
  };

  test('a new condition gets the current time', () => {
    expect(setCondition([], ready, t0)).toEqual([{ ...ready, lastTransitionTime: t0.toISOString() }]);
  });

  test('the time moves only on a real transition of status', () => {
    const first = setCondition([], ready, t0);
    const newerGeneration = setCondition(first, { ...ready, observedGeneration: 2, message: 'still ok' }, t1);
    expect(newerGeneration[0]).toMatchObject({
      observedGeneration: 2,
      message: 'still ok',
      lastTransitionTime: t0.toISOString(),
    });
    const flipped = setCondition(newerGeneration, { ...ready, status: 'False', reason: 'Failed' }, t1);
    expect(flipped[0]).toMatchObject({ status: 'False', lastTransitionTime: t1.toISOString() });
  });

  test('nothing changed: the very same array comes back (no status write, no extra watch event)', () => {
    const first = setCondition([], ready, t0);
    expect(setCondition(first, ready, t1)).toBe(first);
  });

  test('other conditions are left alone', () => {
    const both = setCondition(setCondition([], ready, t0), { ...ready, type: 'Applied' }, t0);
    const updated = setCondition(both, { ...ready, status: 'False', reason: 'X' }, t1);
    expect(updated.map((condition) => [condition.type, condition.status])).toEqual([
      ['Ready', 'False'],
      ['Applied', 'True'],
    ]);
  });
});
