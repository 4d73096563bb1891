import { randomUUID } from 'node:crypto';
import type { Client as HazelcastClient, IMap, Ringbuffer } from 'hazelcast-client';
import { HazelcastJsonValue } from 'hazelcast-client';
import type { Operation } from './closed-loop';
import type { RawConflict, RawView as RawViewMode } from './options';
import { forEachLimited, productFor } from './workload';

/**
 * Phase A: the Hazelcast operations the framework does per reservation, written directly against the
 * hazelcast-client API with no framework code — the floor the framework is compared with. The documents
 * have the framework's shapes (same view, commit and envelope fields, so the same bytes on the wire and
 * the same index work on the member), and the flow is the framework's: get view → putIfAbsent commit at
 * `<id>:<version>` (a conflict folds the winner in and retries) → replaceIfSame view → answer; then, not
 * awaited by the caller, ringbuffer add → set the commit flagged published.
 */

const STREAM = 'Product';
const PARTITIONS = 8;
const MAX_ATTEMPTS = 100;

interface RawProduct {
  productId: string;
  sku: string;
  name: string;
  description: string | null;
  price: string;
  category: string | null;
  quantityOnHand: number;
  quantityReserved: number;
  status: string;
  reservations: Record<string, number>;
  createdAt: string;
  updatedAt: string;
}

interface RawView {
  version: number;
  state: RawProduct;
  updatedAt: number;
}

interface RawEvent {
  eventId: string;
  eventType: string;
  eventVersion: number;
  source: string;
  key: string;
  version: number;
  timestamp: string;
  correlationId: string;
  isCompensating: boolean;
  payload: { orderId: string; quantity: number };
}

interface RawCommit {
  stream: string;
  aggregateId: string;
  firstVersion: number;
  lastVersion: number;
  committedAt: number;
  published: boolean;
  events: RawEvent[];
}

export interface RawStats {
  readonly conflicts: number;
  readonly published: number;
  readonly publishFailures: number;
  readonly publishBacklog: number;
}

export interface RawScenario {
  readonly productIds: readonly string[];
  readonly operation: Operation;
  stats(): RawStats;
  /** Waits for the background publications; returns how long that took. */
  drain(): Promise<number>;
}

export async function setUpRaw(
  client: HazelcastClient,
  options: {
    prefix: string;
    products: number;
    orderTag: string;
    view?: RawViewMode;
    conflict?: RawConflict;
  },
): Promise<RawScenario> {
  const keepReservations = (options.view ?? 'mirror') === 'mirror';
  const reread = options.conflict === 'reread';
  const { prefix } = options;
  const events = await client.getMap<string, HazelcastJsonValue>(`${prefix}${STREAM}.es`);
  const views = await client.getMap<string, HazelcastJsonValue>(`${prefix}${STREAM}.view`);
  const rings: Array<Ringbuffer<string>> = [];
  for (let partition = 0; partition < PARTITIONS; partition++) {
    rings.push(await client.getRingbuffer<string>(`${prefix}${STREAM}.p${partition}.stream`));
  }

  const productIds = Array.from({ length: options.products }, () => randomUUID());
  await forEachLimited(productIds.length, 16, async (index) => {
    await createProduct(events, views, productIds[index]!, index);
  });

  let conflicts = 0;
  let published = 0;
  let publishFailures = 0;
  const inFlight = new Set<Promise<void>>();

  const publish = (key: string, commit: RawCommit): void => {
    const json = JSON.stringify({ ...commit, published: true });
    const ring = rings[fnv1a(commit.aggregateId) % PARTITIONS]!;
    const publishing = ring
      .add(json)
      .then(() => events.set(key, new HazelcastJsonValue(json)))
      .then(
        () => void published++,
        () => void publishFailures++,
      );
    inFlight.add(publishing);
    void publishing.finally(() => inFlight.delete(publishing));
  };

  const operation: Operation = async (_worker, seq) => {
    const productId = productFor(seq, productIds);
    const orderId = `${options.orderTag}-${seq}`;
    const correlationId = randomUUID();
    const read = await views.get(productId);
    if (!read) throw new Error(`view of ${productId} missing`);
    const readToken = read.toString();
    let view = JSON.parse(readToken) as RawView;
    // What the view compare-and-set expects to find.
    let casToken = readToken;
    let casVersion = view.version;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const product = view.state;
      if (product.reservations[orderId] !== undefined) return;
      if (product.quantityOnHand - product.quantityReserved < 1) throw new Error('INSUFFICIENT_STOCK');
      const now = Date.now();
      const version = view.version + 1;
      const commit: RawCommit = {
        stream: STREAM,
        aggregateId: productId,
        firstVersion: version,
        lastVersion: version,
        committedAt: now,
        published: false,
        events: [
          {
            eventId: randomUUID(),
            eventType: 'StockReserved',
            eventVersion: 1,
            source: STREAM,
            key: productId,
            version,
            timestamp: new Date(now).toISOString(),
            correlationId,
            isCompensating: false,
            payload: { orderId, quantity: 1 },
          },
        ],
      };
      const key = `${productId}:${version}`;
      const existing = await events.putIfAbsent(key, new HazelcastJsonValue(JSON.stringify(commit)));
      if (existing) {
        conflicts++;
        view = fold(view, JSON.parse(existing.toString()) as RawCommit, keepReservations);
        if (reread) {
          // Jump towards the head in one read instead of one conflicting append per missed version.
          const latest = await views.get(productId);
          if (!latest) throw new Error(`view of ${productId} vanished`);
          const latestToken = latest.toString();
          const parsed = JSON.parse(latestToken) as RawView;
          casToken = latestToken;
          casVersion = parsed.version;
          if (parsed.version > view.version) view = parsed;
        }
        continue;
      }
      const next = fold(view, commit, keepReservations);
      const nextJson = new HazelcastJsonValue(JSON.stringify(next));
      let token = casToken;
      let storedVersion = casVersion;
      // Compare-and-set until the stored view is at least as new as ours (views never move backwards).
      while (storedVersion < next.version) {
        if (await views.replaceIfSame(productId, new HazelcastJsonValue(token), nextJson)) break;
        const again = await views.get(productId);
        if (!again) throw new Error(`view of ${productId} vanished`);
        token = again.toString();
        storedVersion = (JSON.parse(token) as RawView).version;
      }
      publish(key, commit);
      return;
    }
    throw new Error(`gave up on ${productId} after ${MAX_ATTEMPTS} conflicting appends`);
  };

  return {
    productIds,
    operation,
    stats: () => ({ conflicts, published, publishFailures, publishBacklog: inFlight.size }),
    drain: async () => {
      const started = performance.now();
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      return performance.now() - started;
    },
  };
}

/** Applies a commit's StockReserved events in place (the parsed document is ours alone). */
function fold(view: RawView, commit: RawCommit, keepReservations: boolean): RawView {
  const product = view.state;
  for (const event of commit.events) {
    if (event.eventType !== 'StockReserved') continue;
    product.quantityReserved += event.payload.quantity;
    if (keepReservations) product.reservations[event.payload.orderId] = event.payload.quantity;
    product.status = product.quantityOnHand - product.quantityReserved > 0 ? 'ACTIVE' : 'OUT_OF_STOCK';
    product.updatedAt = event.timestamp;
  }
  view.version = commit.lastVersion;
  view.updatedAt = commit.committedAt;
  return view;
}

async function createProduct(
  events: IMap<string, HazelcastJsonValue>,
  views: IMap<string, HazelcastJsonValue>,
  productId: string,
  index: number,
): Promise<void> {
  const now = Date.now();
  const timestamp = new Date(now).toISOString();
  const sku = `BENCH-${index}`;
  const name = `Bench product ${index}`;
  const commit = {
    stream: STREAM,
    aggregateId: productId,
    firstVersion: 1,
    lastVersion: 1,
    committedAt: now,
    published: true,
    events: [
      {
        eventId: randomUUID(),
        eventType: 'ProductCreated',
        eventVersion: 1,
        source: STREAM,
        key: productId,
        version: 1,
        timestamp,
        correlationId: randomUUID(),
        isCompensating: false,
        payload: {
          sku,
          name,
          description: null,
          price: '10.00',
          initialQuantity: 1_000_000_000,
          category: null,
        },
      },
    ],
  };
  const view: RawView = {
    version: 1,
    state: {
      productId,
      sku,
      name,
      description: null,
      price: '10.00',
      category: null,
      quantityOnHand: 1_000_000_000,
      quantityReserved: 0,
      status: 'ACTIVE',
      reservations: {},
      createdAt: timestamp,
      updatedAt: timestamp,
    },
    updatedAt: now,
  };
  await events.set(`${productId}:1`, new HazelcastJsonValue(JSON.stringify(commit)));
  await views.set(productId, new HazelcastJsonValue(JSON.stringify(view)));
}

/** The same stable FNV-1a the framework partitions streams with, so the 8 ringbuffers get the same load. */
function fnv1a(key: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index++) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
