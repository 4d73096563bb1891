import type { Scheduler } from './scheduler';
import { ItemBackoff } from './backoff';

export interface ObjectWithMeta {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly resourceVersion?: string;
  };
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

/** Ends a watch: `expired` means 410 Gone (the resourceVersion is too old: relist). */
export interface WatchEnd {
  readonly expired: boolean;
  readonly error?: unknown;
}

/** The two calls an informer needs from the API server, so it can be tested against a fake. */
export interface ListWatch<T extends ObjectWithMeta> {
  list(): Promise<{ items: readonly T[]; resourceVersion: string }>;
  watch(
    resourceVersion: string,
    onEvent: (type: WatchEventType, object: T) => void,
    onEnd: (end: WatchEnd) => void,
  ): Promise<{ stop(): void }>;
}

export interface InformerHandlers<T> {
  /** Called for adds, updates and every resync: reconcile is level-triggered, so one handler suffices. */
  onUpsert(object: T): void;
  onDelete(object: T): void;
}

export const keyOf = (object: ObjectWithMeta): string =>
  `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;

/** A normal close sooner than this, with no event in it, is treated as trouble (as client-go does). */
const SHORTEST_NORMAL_WATCH_MS = 1_000;

/**
 * List, then watch from the list's resourceVersion, keeping a local cache. Survives what real API
 * servers do: a watch that ends normally (its timeout, or quiet past the client's idle timeout) is resumed
 * at once from the last resourceVersion, without back-off or a warning; a 410 Gone relists; errors back
 * off exponentially; a watch that goes silent longer than the watchdog allows is
 * restarted. A periodic resync hands every cached object to the handler again.
 */
export class Informer<T extends ObjectWithMeta> {
  private readonly cache = new Map<string, T>();
  private resourceVersion: string | undefined;
  private current: { stop(): void } | undefined;
  private readonly backoff = new ItemBackoff<'watch'>(250, 30_000);
  private stopped = false;
  private cancelWatchdog: (() => void) | undefined;
  private cancelResync: (() => void) | undefined;
  private cancelRetry: (() => void) | undefined;
  private synced = false;
  /** Increments per watch, so late callbacks of an abandoned watch are ignored. */
  private epoch = 0;

  constructor(
    private readonly source: ListWatch<T>,
    private readonly handlers: InformerHandlers<T>,
    private readonly scheduler: Scheduler,
    private readonly options: {
      readonly resyncMs?: number;
      readonly watchdogMs?: number;
      readonly onError?: (error: unknown) => void;
      /** A watch ended normally and is resumed at once (for a debug line: it happens every 30 s when quiet). */
      readonly onResume?: (resourceVersion: string) => void;
    } = {},
  ) {}

  get hasSynced(): boolean {
    return this.synced;
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  start(): void {
    this.stopped = false;
    void this.relist();
    this.scheduleResync();
  }

  stop(): void {
    this.stopped = true;
    this.current?.stop();
    this.cancelWatchdog?.();
    this.cancelResync?.();
    this.cancelRetry?.();
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      const { items, resourceVersion } = await this.source.list();
      const seen = new Set<string>();
      for (const item of items) {
        const key = keyOf(item);
        seen.add(key);
        this.cache.set(key, item);
        this.handlers.onUpsert(item);
      }
      for (const [key, object] of [...this.cache]) {
        if (!seen.has(key)) {
          this.cache.delete(key);
          this.handlers.onDelete(object);
        }
      }
      this.resourceVersion = resourceVersion;
      this.synced = true;
      await this.startWatch();
    } catch (error) {
      this.retry(error, () => this.relist());
    }
  }

  private async startWatch(): Promise<void> {
    if (this.stopped || this.resourceVersion === undefined) return;
    const epoch = ++this.epoch;
    const startedAt = this.scheduler.now();
    let received = false;
    this.armWatchdog(epoch);
    try {
      this.current = await this.source.watch(
        this.resourceVersion,
        (type, object) => {
          if (epoch !== this.epoch) return;
          received = true;
          this.armWatchdog(epoch);
          this.backoff.forget('watch');
          this.apply(type, object);
        },
        (end) => {
          if (epoch !== this.epoch || this.stopped) return;
          this.epoch += 1;
          this.cancelWatchdog?.();
          if (end.expired) {
            void this.relist();
          } else if (end.error) {
            this.retry(end.error, () => this.startWatch());
          } else if (!received && this.scheduler.now() - startedAt < SHORTEST_NORMAL_WATCH_MS) {
            // Closed at once with nothing in it: a server refusing watches, not a timeout. Do not spin.
            this.retry(new Error('the watch closed at once with no events'), () => this.startWatch());
          } else {
            // A normal close (the server's timeoutSeconds, or a watch quiet past the client's idle timeout):
            // resume where we were, at once and quietly.
            this.backoff.forget('watch');
            if (this.resourceVersion !== undefined) this.options.onResume?.(this.resourceVersion);
            void this.startWatch();
          }
        },
      );
    } catch (error) {
      this.retry(error, () => this.startWatch());
    }
  }

  private apply(type: WatchEventType, object: T): void {
    const version = object.metadata?.resourceVersion;
    if (version) this.resourceVersion = version;
    if (type === 'BOOKMARK') return;
    const key = keyOf(object);
    if (type === 'DELETED') {
      this.cache.delete(key);
      this.handlers.onDelete(object);
    } else {
      this.cache.set(key, object);
      this.handlers.onUpsert(object);
    }
  }

  private retry(error: unknown, again: () => Promise<void>): void {
    if (this.stopped) return;
    this.options.onError?.(error);
    this.cancelRetry = this.scheduler.schedule(this.backoff.next('watch'), () => void again());
  }

  private armWatchdog(epoch: number): void {
    this.cancelWatchdog?.();
    const silentMs = this.options.watchdogMs ?? 5 * 60_000;
    this.cancelWatchdog = this.scheduler.schedule(silentMs, () => {
      if (epoch !== this.epoch || this.stopped) return;
      // Silent for too long: the connection may be dead without anyone noticing. Start over.
      this.epoch += 1;
      this.current?.stop();
      void this.startWatch();
    });
  }

  private scheduleResync(): void {
    const every = this.options.resyncMs ?? 10 * 60_000;
    this.cancelResync = this.scheduler.schedule(every, () => {
      if (this.stopped) return;
      for (const object of this.cache.values()) this.handlers.onUpsert(object);
      this.scheduleResync();
    });
  }
}
