import { createHash } from 'node:crypto';

/**
 * How a map of the key-value port is laid out in PostgreSQL: one table per map (so each map's indexes
 * serve its own queries, and a test prefix gets tables of its own), documents as jsonb, the key as the
 * primary key. The indexes mirror config/hazelcast.yaml: the fields each map is queried or sorted by.
 */
export interface MapLayout {
  readonly table: string;
  /** Dotted document paths with a btree index. */
  readonly indexed: readonly string[];
  /** Partial indexes: rows where the path holds exactly this JSON value (the outbox's unpublished set). */
  readonly partial: ReadonlyArray<{ readonly path: string; readonly equals: unknown }>;
  /** The longest an entry lives when a write names no TTL (the map config's ceiling), in ms. */
  readonly defaultTtlMs?: number;
  /**
   * Written without waiting for the WAL flush (synchronous_commit off): for maps re-derived from the event
   * store — views — a crash of PostgreSQL may lose their last fraction of a second, which the restart's
   * view repair folds back in; never for the system of record.
   */
  readonly deferrable: boolean;
}

interface LayoutRule {
  readonly suffix: string;
  readonly indexed?: readonly string[];
  readonly partial?: MapLayout['partial'];
  readonly defaultTtlMs?: number;
  readonly deferrable?: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** First match wins; names carry the same suffixes as src/core/naming.ts. */
const RULES: readonly LayoutRule[] = [
  { suffix: '.es', indexed: ['committedAt'], partial: [{ path: 'published', equals: false }] },
  { suffix: 'saga.state', indexed: ['status', 'completedAt', 'startedAt', 'correlationId'] },
  { suffix: 'Order.view', indexed: ['state.customerId', 'state.createdAt'], deferrable: true },
  { suffix: 'Payment.view', indexed: ['state.orderId', 'state.createdAt'], deferrable: true },
  // Dead letters end in `.view` too, but nothing re-derives them: they are written durably.
  { suffix: '.dead-letters.view' },
  { suffix: '.view', indexed: ['state.createdAt'], deferrable: true },
  { suffix: '.idempotency', defaultTtlMs: DAY_MS },
  // Positions in the streams, not what was handled (the ledgers are): a checkpoint lost with PostgreSQL
  // only makes a group read a stretch again, which its ledger skips.
  { suffix: 'subscription.checkpoints', deferrable: true },
];

const PATH_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export function layoutOf(mapName: string): MapLayout {
  const rule = RULES.find((candidate) => mapName.endsWith(candidate.suffix));
  return {
    table: tableName(mapName),
    indexed: rule?.indexed ?? [],
    partial: rule?.partial ?? [],
    deferrable: rule?.deferrable ?? false,
    ...(rule?.defaultTtlMs !== undefined ? { defaultTtlMs: rule.defaultTtlMs } : {}),
  };
}

/**
 * A readable, collision-free identifier within PostgreSQL's 63 bytes: the name folded to [a-z0-9_]
 * plus a hash of the exact name (so `Order.view` and `order.view` stay apart).
 */
export function tableName(mapName: string): string {
  const folded = mapName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  const hash = createHash('sha256').update(mapName).digest('hex').slice(0, 10);
  return `kv_${folded}_${hash}`;
}

/**
 * The SQL of a document path: `body #> '{state,customerId}'`, jsonb. Always this one form, so a
 * condition's expression is the index's expression and the planner uses the index.
 */
export function pathExpression(path: string): string {
  if (!PATH_PATTERN.test(path)) throw new Error(`not a document path: ${JSON.stringify(path)}`);
  return `(body #> '{${path.split('.').join(',')}}')`;
}

export function createStatements(layout: MapLayout): string[] {
  const { table } = layout;
  const statements = [
    `CREATE TABLE IF NOT EXISTS ${table} (key text PRIMARY KEY, body jsonb NOT NULL, expires_at bigint)`,
  ];
  // A view is rewritten whole on every command of its aggregate and can be re-derived: compressing each
  // version of a large one (a product with many holds) costs CPU on every write to save disk it barely
  // needs. Out of line, uncompressed; it applies to the rows written from then on.
  // Checked first: ALTER TABLE takes the table's strongest lock, which a running system should not wait for.
  if (layout.deferrable) {
    statements.push(
      `DO $$ BEGIN IF (SELECT attstorage FROM pg_attribute WHERE attrelid = '${table}'::regclass ` +
        `AND attname = 'body') <> 'e' THEN ALTER TABLE ${table} ALTER COLUMN body SET STORAGE EXTERNAL; ` +
        `END IF; END $$`,
    );
  }
  for (const path of layout.indexed) {
    statements.push(
      `CREATE INDEX IF NOT EXISTS ${indexName(table, path)} ON ${table} (${pathExpression(path)})`,
    );
  }
  for (const { path, equals } of layout.partial) {
    statements.push(
      `CREATE INDEX IF NOT EXISTS ${indexName(table, `${path}_is`)} ON ${table} (key) ` +
        `WHERE ${pathExpression(path)} = '${JSON.stringify(equals)}'::jsonb`,
    );
  }
  if (layout.defaultTtlMs !== undefined) {
    statements.push(
      `CREATE INDEX IF NOT EXISTS ${indexName(table, 'expires')} ON ${table} (expires_at) WHERE expires_at IS NOT NULL`,
    );
  }
  return statements;
}

function indexName(table: string, what: string): string {
  const hash = createHash('sha256').update(`${table}/${what}`).digest('hex').slice(0, 8);
  return `${table.slice(0, 40)}_${what
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase()
    .slice(0, 12)}_${hash}`;
}
