import {
  Informer,
  type ListWatch,
  type WatchEnd,
  type WatchEventType,
} from '../../../operator/controller/informer';
import { FakeScheduler, flush } from '../../../operator/controller/scheduler';

interface Thing {
  metadata: { name: string; namespace: string; resourceVersion: string };
  value: number;
}

const thing = (name: string, resourceVersion: string, value = 0): Thing => ({
  metadata: { name, namespace: 'ns', resourceVersion },
  value,
});

/** A fake API server: a list of objects, watches the test drives, and failures on demand. */
class FakeApi implements ListWatch<Thing> {
  items: Thing[] = [];
  resourceVersion = '10';
  lists = 0;
  watches: Array<{
    from: string;
    emit: (type: WatchEventType, object: Thing) => void;
    end: (end: WatchEnd) => void;
    stopped: boolean;
  }> = [];
  failLists = 0;

  async list() {
    this.lists += 1;
    if (this.failLists-- > 0) throw new Error('connection refused');
    return { items: [...this.items], resourceVersion: this.resourceVersion };
  }

  async watch(
    from: string,
    onEvent: (type: WatchEventType, object: Thing) => void,
    onEnd: (end: WatchEnd) => void,
  ) {
    const watch = { from, emit: onEvent, end: onEnd, stopped: false };
    this.watches.push(watch);
    return { stop: () => void (watch.stopped = true) };
  }

  get last() {
    return this.watches[this.watches.length - 1]!;
  }
}

describe('informer', () => {
  let scheduler: FakeScheduler;
  let api: FakeApi;
  let upserts: string[];
  let deletes: string[];
  let informer: Informer<Thing>;

  beforeEach(async () => {
    scheduler = new FakeScheduler();
    api = new FakeApi();
    api.items = [thing('a', '5'), thing('b', '6')];
    upserts = [];
    deletes = [];
    informer = new Informer(
      api,
      {
        onUpsert: (object) => upserts.push(`${object.metadata.name}@${object.metadata.resourceVersion}`),
        onDelete: (object) => deletes.push(object.metadata.name),
      },
      scheduler,
      { resyncMs: 60_000, watchdogMs: 30_000 },
    );
    informer.start();
    await flush();
  });

  afterEach(() => informer.stop());

  test('lists, then watches from the list resourceVersion, keeping the cache current', async () => {
    expect(informer.hasSynced).toBe(true);
    expect(upserts).toEqual(['a@5', 'b@6']);
    expect(api.last.from).toBe('10');
    api.last.emit('MODIFIED', thing('a', '11', 1));
    api.last.emit('DELETED', thing('b', '12'));
    expect(informer.get('ns/a')?.value).toBe(1);
    expect(informer.get('ns/b')).toBeUndefined();
    expect(deletes).toEqual(['b']);
  });

  test('a watch the server closes resumes from the last resourceVersion seen (bookmarks count)', async () => {
    api.last.emit('BOOKMARK', thing('', '20'));
    api.last.end({ expired: false });
    await flush();
    expect(api.lists).toBe(1);
    expect(api.last.from).toBe('20');
  });

  test('a quiet watch that ends normally is resumed at once, as often as it happens, with no error', async () => {
    const errors: unknown[] = [];
    informer.stop();
    informer = new Informer(api, { onUpsert: () => undefined, onDelete: () => undefined }, scheduler, {
      watchdogMs: 600_000,
      onError: (error) => errors.push(error),
    });
    informer.start();
    await flush();
    const before = api.watches.length;
    for (let close = 0; close < 10; close++) {
      await scheduler.advanceBy(30_000); // client-node's idle timeout on a quiet cluster
      api.last.end({ expired: false });
      await flush();
    }
    expect(api.watches.length - before).toBe(10);
    expect(api.watches.slice(before).every((watch) => watch.from === '10')).toBe(true);
    expect(api.lists).toBe(2);
    expect(errors).toEqual([]);
  });

  test('a normal close forgets earlier trouble: the next error backs off from the start again', async () => {
    api.last.end({ expired: false, error: new Error('connection reset') });
    await scheduler.advanceBy(250);
    api.last.end({ expired: false, error: new Error('connection reset') });
    await scheduler.advanceBy(500);
    api.last.end({ expired: false, error: new Error('connection reset') });
    await scheduler.advanceBy(1_000);
    const watches = api.watches.length;
    await scheduler.advanceBy(20_000);
    api.last.end({ expired: false }); // a healthy, quiet watch ended by its timeout
    await flush();
    expect(api.watches.length).toBe(watches + 1);
    api.last.end({ expired: false, error: new Error('connection reset') });
    await scheduler.advanceBy(249);
    expect(api.watches.length).toBe(watches + 1);
    await scheduler.advanceBy(1);
    expect(api.watches.length).toBe(watches + 2);
  });

  test('a watch the server closes at once, with nothing in it, backs off instead of spinning', async () => {
    const watches = api.watches.length;
    api.last.end({ expired: false });
    await flush();
    expect(api.watches.length).toBe(watches);
    await scheduler.advanceBy(250);
    expect(api.watches.length).toBe(watches + 1);
  });

  test('410 Gone relists, and objects deleted meanwhile are reported deleted', async () => {
    api.items = [thing('a', '30')];
    api.resourceVersion = '31';
    api.last.end({ expired: true });
    await flush();
    expect(api.lists).toBe(2);
    expect(deletes).toEqual(['b']);
    expect(api.last.from).toBe('31');
  });

  test('errors back off exponentially and recover', async () => {
    api.failLists = 2;
    api.last.end({ expired: true });
    await flush();
    expect(api.lists).toBe(2);
    await scheduler.advanceBy(250);
    expect(api.lists).toBe(3);
    await scheduler.advanceBy(499);
    expect(api.lists).toBe(3);
    await scheduler.advanceBy(1);
    expect(api.lists).toBe(4);
    expect(api.last.from).toBe('10');
  });

  test('a watch that goes silent is restarted by the watchdog, and events of the old one are ignored', async () => {
    const silent = api.last;
    await scheduler.advanceBy(30_000);
    expect(silent.stopped).toBe(true);
    expect(api.watches).toHaveLength(2);
    silent.emit('MODIFIED', thing('a', '99', 9));
    expect(informer.get('ns/a')?.value).toBe(0);
  });

  test('a periodic resync hands every cached object to the handler again', async () => {
    upserts.length = 0;
    api.last.emit('BOOKMARK', thing('', '11')); // keep the watchdog quiet
    await scheduler.advanceBy(29_000);
    api.last.emit('BOOKMARK', thing('', '12'));
    await scheduler.advanceBy(31_000);
    expect(upserts.sort()).toEqual(['a@5', 'b@6']);
  });
});
