import { ManualClock } from '../../../src/core/clock';
import { Naming } from '../../../src/core/naming';
import type { AggregateView } from '../../../src/eventsourcing/aggregate-view';
import { repairRecentViews } from '../../../src/eventsourcing/view-repair';
import { silentLogger } from '../../../src/logging/logger';
import { InMemoryKeyValueStore } from '../../../src/storage/in-memory-key-value';
import { stockDecider, type Stock } from '../../core/stock-fixture';
import { inMemoryRuntime } from '../../support/in-memory-runtime';

const meta = { correlationId: 'c-1' };

/**
 * A PostgreSQL crash may lose the last deferred view writes while every commit is kept: the repair at start
 * folds the commits of the window before the stream's newest back into their views, and leaves older ones.
 */
describe('repairing the views of the latest commits', () => {
  test('views that lost their last writes are current again; views outside the window are not read', async () => {
    const clock = new ManualClock();
    const kv = new InMemoryKeyValueStore(clock);
    const runtime = inMemoryRuntime({ kv, clock, prefix: 'r.' });
    const stock = runtime.repository('Stock', stockDecider);
    await stock.handle('old', { type: 'Open', level: 5 }, meta);
    clock.advance(60_000);
    for (const id of ['a', 'b', 'c']) await stock.handle(id, { type: 'Open', level: 3 }, meta);
    await stock.handle('a', { type: 'Take', by: 'x' }, meta);
    await stock.handle('old', { type: 'Take', by: 'early' }, meta);
    clock.advance(60_000);
    await stock.handle('old', { type: 'Take', by: 'late' }, meta);

    // What the crash took: b's view entirely, a's last write, and old's last one too.
    const views = kv.map<AggregateView<Stock | null>>(new Naming('r.').view('Stock'));
    await views.delete('b');
    const a = (await views.get('a'))!;
    await views.replace('a', a, { ...a.value, version: 1, state: { level: 3, takenBy: [] } });
    const old = (await views.get('old'))!;
    await views.replace('old', old, { ...old.value, version: 2, state: { level: 5, takenBy: ['early'] } });

    const caughtUp: string[] = [];
    const checked = await repairRecentViews({
      eventStore: runtime.eventStore('Stock'),
      catchUp: async (id) => {
        caughtUp.push(id);
        return stock.catchUp(id);
      },
      windowMs: 10_000,
      logger: silentLogger(),
    });

    // Only the window before the newest commit is checked: `old`'s latest commit is in it, a/b/c are not.
    expect(checked).toBe(1);
    expect(caughtUp).toEqual(['old']);
    expect((await views.get('old'))!.value.state).toEqual({ level: 5, takenBy: ['early', 'late'] });

    const wider = await repairRecentViews({
      eventStore: runtime.eventStore('Stock'),
      catchUp: (id) => stock.catchUp(id),
      windowMs: 120_000,
      logger: silentLogger(),
    });
    expect(wider).toBe(4);
    expect((await views.get('a'))!.value).toMatchObject({ version: 2, state: { takenBy: ['x'] } });
    expect((await views.get('b'))!.value).toMatchObject({ version: 1, state: { level: 3 } });
    await runtime.close();
  });

  test('an empty stream needs nothing', async () => {
    const runtime = inMemoryRuntime();
    expect(
      await repairRecentViews({
        eventStore: runtime.eventStore('Empty'),
        catchUp: async () => {
          throw new Error('nothing to catch up');
        },
        windowMs: 10_000,
        logger: silentLogger(),
      }),
    ).toBe(0);
  });
});
