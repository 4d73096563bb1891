import { sleep } from '../../src/core/sleep';
import { messageOf } from '../bench/cleanup';
import { LatencyHistogram } from '../bench/histogram';
import { errorTextOf, type HttpLoadClient, type HttpResponse } from '../bench/http-scenario';
import { mix32 } from '../bench/workload';
import { orderBody, type Shop } from '../bench-saga/shop';

/**
 * The mixed workload of the Java framework's k6 script (k6-load-test.js, `mixedWorkload`), one iteration
 * per scheduled slot: 54 % two-line orders, 25 % direct stock reservations with a fresh orderId, 15 % new
 * customers, 6 % order-and-poll (create an order, then GET it every 200 ms until it is no longer PENDING,
 * for at most 10 s). Which kind an iteration is follows from its sequence number, the same in every run.
 */
/** Counts `text`, keeping at most 8 different texts. */
function note(samples: Record<string, number>, text: string): void {
  if (samples[text] !== undefined || Object.keys(samples).length < 8)
    samples[text] = (samples[text] ?? 0) + 1;
}

export const KINDS = ['order', 'reserve', 'customer', 'orderAndPoll'] as const;
export type Kind = (typeof KINDS)[number];

/** Share of iterations per kind, % (sums to 100). */
export const MIX: Readonly<Record<Kind, number>> = { order: 54, reserve: 25, customer: 15, orderAndPoll: 6 };

const ORDER_LINES = 2;
const POLL_EVERY_MS = 200;
const POLL_FOR_MS = 10_000;

export function kindOf(seq: number): Kind {
  let roll = mix32(seq ^ 0x27d4eb2f) % 100;
  for (const kind of KINDS) {
    if (roll < MIX[kind]) return kind;
    roll -= MIX[kind];
  }
  return 'order';
}

/** What one kind of request got back. A 503 is load shed by the service, counted apart from errors. */
export class KindStats {
  ok = 0;
  shed = 0;
  errors = 0;
  /** From the scheduled send to the answer (open loop: waiting for a slot counts). */
  readonly latency = new LatencyHistogram();
  readonly errorSamples: Record<string, number> = {};
  /** What the 503s said: the write guard's SERVICE_UNAVAILABLE, or a store that did not answer. */
  readonly shedSamples: Record<string, number> = {};

  failed(text: string): void {
    this.errors++;
    note(this.errorSamples, text);
  }

  wasShed(response: HttpResponse): void {
    this.shed++;
    note(this.shedSamples, errorTextOf(response));
  }
}

/** The POST of iteration `seq` of `kind`: which service, path and JSON body. */
export interface MixRequest {
  readonly service: 'account' | 'inventory' | 'order';
  readonly path: string;
  readonly body: string;
}

export function requestOf(kind: Kind, seq: number, shop: Shop, tag: string): MixRequest {
  switch (kind) {
    case 'order':
    case 'orderAndPoll':
      return {
        service: 'order',
        path: '/api/orders',
        body: orderBody(seq, shop, ORDER_LINES, 0, ORDER_LINES),
      };
    case 'reserve': {
      const productId = shop.productIds[mix32(seq) % shop.productIds.length]!;
      return {
        service: 'inventory',
        path: `/api/products/${productId}/stock/reserve`,
        body: JSON.stringify({ quantity: 1, orderId: `soak-${tag}-${seq}` }),
      };
    }
    case 'customer':
      return {
        service: 'account',
        path: '/api/customers',
        body: JSON.stringify({
          email: `soak-${tag}-${seq}@example.com`,
          name: `Soak customer ${seq}`,
          address: `${seq} Soak Avenue`,
        }),
      };
  }
}

export interface SampledSaga {
  readonly sagaId: string;
  readonly createdAtEpoch: number;
}

export interface MixClients {
  readonly account: HttpLoadClient;
  readonly inventory: HttpLoadClient;
  readonly order: HttpLoadClient;
  /** Order-and-poll GETs, on sockets of their own. */
  readonly poll: HttpLoadClient;
}

/** The iterations of one soak: sends them, counts what came back, keeps the sampled sagas. */
export class MixedWorkload {
  readonly stats: Readonly<Record<Kind, KindStats>> = {
    order: new KindStats(),
    reserve: new KindStats(),
    customer: new KindStats(),
    orderAndPoll: new KindStats(),
  };
  /** GET /api/orders/{id} of order-and-poll. */
  readonly polls = new KindStats();
  /** Order-and-poll: scheduled send of the POST → the order seen no longer PENDING. */
  readonly pollSettled = new LatencyHistogram();
  /** Order-and-poll orders still PENDING after 10 s. */
  pollTimedOut = 0;
  ordersCreated = 0;
  readonly sampledSagas: SampledSaga[] = [];
  private readonly pollers = new Set<Promise<void>>();

  constructor(
    private readonly clients: MixClients,
    private readonly shop: Shop,
    private readonly options: {
      readonly tag: string;
      readonly sagaSampleEvery: number;
      readonly stopped: () => boolean;
    },
  ) {}

  get shed(): number {
    return Object.values(this.stats).reduce((sum, stats) => sum + stats.shed, this.polls.shed);
  }

  get errors(): number {
    return Object.values(this.stats).reduce((sum, stats) => sum + stats.errors, this.polls.errors);
  }

  /** One iteration; rejects when it did not get the answer it wanted (the open loop counts it failed). */
  readonly iteration = async (seq: number, scheduledAt: number): Promise<void> => {
    const kind = kindOf(seq);
    let response: HttpResponse;
    try {
      response = await this.send(kind, seq);
    } catch (error) {
      this.stats[kind].failed(messageOf(error));
      throw error;
    }
    if (!this.record(kind, response, scheduledAt)) throw new Error(`HTTP ${response.status}`);
  };

  /**
   * Counts the answer of one `kind` iteration sent at `sentAt` (performance.now() time) that took
   * `latencyMs`, samples its saga and starts the polling of an order-and-poll; false when it was not the
   * answer wanted.
   */
  record(
    kind: Kind,
    response: HttpResponse,
    sentAt: number,
    latencyMs = performance.now() - sentAt,
  ): boolean {
    const stats = this.stats[kind];
    stats.latency.recordMs(latencyMs);
    const wanted = kind === 'reserve' ? 200 : 201;
    if (response.status !== wanted) {
      if (response.status === 503) stats.wasShed(response);
      else stats.failed(`HTTP ${response.status} ${errorTextOf(response)}`);
      return false;
    }
    stats.ok++;
    if (kind !== 'order' && kind !== 'orderAndPoll') return true;
    this.ordersCreated++;
    const order = JSON.parse(response.body) as { orderId: string; sagaId: string };
    if (this.ordersCreated % this.options.sagaSampleEvery === 0) {
      this.sampledSagas.push({ sagaId: order.sagaId, createdAtEpoch: Date.now() });
    }
    if (kind === 'orderAndPoll') {
      const polling = this.pollUntilSettled(order.orderId, sentAt);
      this.pollers.add(polling);
      void polling.finally(() => this.pollers.delete(polling));
    }
    return true;
  }

  /** Resolves once every order-and-poll has seen its order settle or given up. */
  async drained(): Promise<void> {
    while (this.pollers.size > 0) await Promise.all([...this.pollers]);
  }

  private send(kind: Kind, seq: number): Promise<HttpResponse> {
    const request = requestOf(kind, seq, this.shop, this.options.tag);
    return this.clients[request.service].post(request.path, request.body);
  }

  private async pollUntilSettled(orderId: string, scheduledAt: number): Promise<void> {
    const giveUpAt = scheduledAt + POLL_FOR_MS;
    while (performance.now() < giveUpAt && !this.options.stopped()) {
      await sleep(POLL_EVERY_MS);
      let response: HttpResponse;
      try {
        response = await this.clients.poll.get(`/api/orders/${orderId}`);
      } catch (error) {
        this.polls.failed(messageOf(error));
        continue;
      }
      if (response.status === 503) {
        this.polls.wasShed(response);
        continue;
      }
      if (response.status !== 200) {
        this.polls.failed(`HTTP ${response.status} ${errorTextOf(response)}`);
        continue;
      }
      this.polls.ok++;
      if ((JSON.parse(response.body) as { status: string }).status !== 'PENDING') {
        this.pollSettled.recordMs(performance.now() - scheduledAt);
        return;
      }
    }
    this.pollTimedOut++;
  }
}
