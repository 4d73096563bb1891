import type { ClientConfig, Notification, Pool } from 'pg';
import { Client } from 'pg';
import { backoffMs, sleep } from '../core/sleep';
import type { Logger } from '../logging/logger';
import type { MapChange } from '../storage/key-value';

type Watcher = (change: MapChange) => void;

/**
 * Map watching on PostgreSQL: a trigger on a watched table NOTIFYs its key (or `*` for a TRUNCATE) on the
 * table's own channel, and one LISTEN connection per process fans the notifications out. Only watched
 * tables get the trigger: NOTIFY serialises commits, so the event stores never pay for it. Like a
 * Hazelcast listener it is at most once: after a lost connection every watcher is told `all`.
 */
export class MapNotifications {
  private readonly watchers = new Map<string, Set<Watcher>>();
  private listener: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly connection: ClientConfig,
    private readonly logger: Logger,
  ) {}

  async watch(table: string, onChange: Watcher): Promise<() => Promise<void>> {
    await this.installTrigger(table);
    // A fresh function per call, so one callback watching twice needs two stops, as with Hazelcast.
    const watcher: Watcher = (change) => onChange(change);
    let set = this.watchers.get(table);
    if (!set) {
      set = new Set();
      this.watchers.set(table, set);
      await (await this.connected()).query(`LISTEN ${table}`);
    }
    set.add(watcher);
    return async () => {
      set.delete(watcher);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  private dispatch(message: Notification): void {
    const change: MapChange =
      message.payload === '*' || message.payload === undefined
        ? { kind: 'all' }
        : { kind: 'entry', key: message.payload };
    for (const watcher of this.watchers.get(message.channel) ?? []) watcher(change);
  }

  private connected(): Promise<Client> {
    if (this.listener) return Promise.resolve(this.listener);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<Client> {
    const client = new Client(this.connection);
    client.on('notification', (message) => this.dispatch(message));
    client.on('error', (error) =>
      this.logger.warn({ err: error }, 'PostgreSQL notification connection failed'),
    );
    client.on('end', () => {
      if (this.listener === client) this.listener = undefined;
      if (!this.closed) void this.reconnect();
    });
    await client.connect();
    for (const table of this.watchers.keys()) await client.query(`LISTEN ${table}`);
    this.listener = client;
    return client;
  }

  /** Listens again, then tells every watcher that anything may have changed meanwhile. */
  private async reconnect(): Promise<void> {
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        await this.connected();
        for (const set of this.watchers.values()) for (const watcher of set) watcher({ kind: 'all' });
        return;
      } catch (error) {
        this.logger.warn({ err: error, attempt }, 'PostgreSQL notifications: reconnecting');
        await sleep(backoffMs(attempt, 200, 10_000));
      }
    }
  }

  private async installTrigger(table: string): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT pg_advisory_xact_lock(hashtext('hms_notify_change'))");
      await client.query(`CREATE OR REPLACE FUNCTION hms_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'TRUNCATE' THEN PERFORM pg_notify(TG_TABLE_NAME, '*');
          ELSIF TG_OP = 'DELETE' THEN PERFORM pg_notify(TG_TABLE_NAME, OLD.key);
          ELSE PERFORM pg_notify(TG_TABLE_NAME, NEW.key);
          END IF;
          RETURN NULL;
        END $$`);
      await client.query(
        `CREATE OR REPLACE TRIGGER ${table}_rows AFTER INSERT OR UPDATE OR DELETE ON ${table} ` +
          'FOR EACH ROW EXECUTE FUNCTION hms_notify_change()',
      );
      await client.query(
        `CREATE OR REPLACE TRIGGER ${table}_all AFTER TRUNCATE ON ${table} ` +
          'FOR EACH STATEMENT EXECUTE FUNCTION hms_notify_change()',
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
