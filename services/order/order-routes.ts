import { z } from 'zod';
import { eventHistoryRoute } from '../../src/api/event-history-route';
import { createOnce } from '../../src/api/create-once';
import { idempotently } from '../../src/api/idempotent';
import type { IdSource } from '../../src/core/ids';
import type { AggregateRepository } from '../../src/eventsourcing/aggregate-repository';
import { notFound, validationError } from '../../src/http/api-error';
import { limitQuery } from '../../src/http/query-schemas';
import { defineRoute, type Route } from '../../src/http/route';
import type { IdempotencyGuard } from '../../src/idempotency/idempotency-guard';
import type { CustomerRow, ProductRow } from './cross-service-views';
import type { Order, OrderCommand, OrderEvent, OrderState } from './order-decider';
import { priceOrder } from './order-pricing';
import {
  cancelBody,
  createOrderBody,
  customerIdParams,
  orderIdParams,
  orderResponse,
  orderSummaryResponse,
  toOrderResponse,
} from './order-schemas';
import { summarize } from './order-summary';

export type Orders = AggregateRepository<OrderState, OrderCommand, OrderEvent>;

/** Read access to the order service's copies of other services' data. */
export interface ReferenceData {
  customer(customerId: string): Promise<CustomerRow | undefined>;
  /** Waits a moment for `mustHave` rows that have not arrived yet; the others are best effort. */
  products(productIds: readonly string[], mustHave: readonly string[]): Promise<Map<string, ProductRow>>;
}

const BASE = '/api/orders';
const TAG = 'Order';

const found = (state: OrderState | undefined, id: string): Order => {
  if (!state) throw notFound('ORDER_NOT_FOUND', `Order ${id} not found`);
  return state;
};

const newestFirst = (a: OrderState, b: OrderState): number =>
  (b?.createdAt ?? '').localeCompare(a?.createdAt ?? '');

async function ordersOf(orders: Orders, customerId: string): Promise<Order[]> {
  const all = await orders.find([{ field: 'state.customerId', op: 'eq', value: customerId }]);
  return all.filter((order): order is Order => order !== null).sort(newestFirst);
}

export interface OrderRouteDeps {
  readonly orders: Orders;
  readonly reference: ReferenceData;
  readonly idempotency: IdempotencyGuard;
  readonly ids: IdSource;
  readonly saga?: OrderSagaHooks;
}

/** Where the order's routes meet its saga: the record starts before the order exists, and so on. */
export interface OrderSagaHooks {
  /** Starts the saga record before OrderCreated is appended, so every participant finds it. */
  starting(order: {
    sagaId: string;
    orderId: string;
    correlationId: string;
    customerId: string;
    total: string;
    lineItems: ReadonlyArray<{ productId: string; quantity: number }>;
  }): Promise<void>;
  created(sagaId: string, eventId: string): Promise<void>;
  /**
   * A user's cancel was committed: an active saga starts unwinding. Only after the commit, so a failed cancel
   * leaves nothing half done; OrderCancelled drives the same in the order-saga group if this never runs.
   */
  cancelled(order: Order, eventId: string, reason: string): Promise<void>;
}

/** What the saga record says of a user's cancel; the order-saga group builds the same from the event. */
export const cancelReason = (cancel: { reason: string; cancelledBy: string }): string =>
  `Order cancelled by ${cancel.cancelledBy}: ${cancel.reason}`;

export function orderRoutes(deps: OrderRouteDeps): Route[] {
  const { orders, reference, idempotency, ids } = deps;
  return [
    defineRoute({
      method: 'POST',
      path: BASE,
      operationId: 'createOrder',
      summary: 'Place an order (PENDING); the OrderFulfillment saga then runs asynchronously',
      tags: [TAG],
      body: createOrderBody,
      responses: {
        201: { description: 'Created, PENDING, with its sagaId', schema: orderResponse },
        400: { description: 'Invalid, over a limit, or naming an unknown customer or product' },
      },
      handler: (req) =>
        idempotently(idempotency, `POST ${BASE}`, req, async (attempt) => {
          const { customerId, lineItems, shippingAddress } = req.body;
          const productIds = lineItems.map((line) => line.productId);
          // Every refusal comes before the saga record: a refused order leaves nothing behind.
          const [customer, products] = await Promise.all([
            reference.customer(customerId),
            reference.products(productIds, productIds),
          ]);
          if (!customer) throw validationError({ customerId: `unknown customer ${customerId}` });
          const pricing = priceOrder(lineItems, products);
          if ('problems' in pricing) throw validationError(pricing.problems);
          const orderId = attempt.id('order');
          const sagaId = attempt.id('saga');
          await deps.saga?.starting({
            sagaId,
            orderId,
            correlationId: req.correlationId,
            customerId,
            total: pricing.priced.total,
            lineItems: pricing.priced.lineItems,
          });
          const result = await createOnce(
            orders,
            orderId,
            {
              type: 'CreateOrder',
              customerId,
              customerName: customer.name,
              customerEmail: customer.email,
              shippingAddress,
              sagaId,
              ...pricing.priced,
            },
            {
              correlationId: req.correlationId,
              saga: { sagaId, sagaType: 'OrderFulfillment', stepNumber: 0 },
            },
            'ORDER_EXISTS',
          );
          const order = found(result.state, orderId);
          // An earlier attempt may have died between the commit and this step: it is done again.
          const createdEvent = result.events[0] ?? (await orders.events(orderId, 1))[0];
          if (createdEvent) await deps.saga?.created(order.sagaId, createdEvent.eventId);
          return { status: 201, body: toOrderResponse(order) };
        }),
    }),
    defineRoute({
      method: 'GET',
      path: `${BASE}/:orderId`,
      operationId: 'getOrder',
      summary: 'An order',
      tags: [TAG],
      params: orderIdParams,
      responses: {
        200: { description: 'The order', schema: orderResponse },
        404: { description: 'Unknown' },
      },
      handler: async ({ params }) => ({
        status: 200,
        body: toOrderResponse(found((await orders.load(params.orderId))?.state, params.orderId)),
      }),
    }),
    defineRoute({
      method: 'GET',
      path: `${BASE}/customer/:customerId`,
      operationId: 'getOrdersByCustomer',
      summary: "A customer's orders, newest first",
      tags: [TAG],
      params: customerIdParams,
      responses: { 200: { description: 'Orders', schema: z.array(orderResponse) } },
      handler: async ({ params }) => ({
        status: 200,
        body: (await ordersOf(orders, params.customerId)).map(toOrderResponse),
      }),
    }),
    defineRoute({
      method: 'PATCH',
      path: `${BASE}/:orderId/confirm`,
      operationId: 'confirmOrder',
      summary: 'Confirm a PENDING order',
      tags: [TAG],
      params: orderIdParams,
      responses: {
        200: { description: 'Confirmed', schema: orderResponse },
        404: { description: 'Unknown' },
        409: { description: 'INVALID_ORDER_STATE' },
      },
      handler: async ({ params, correlationId }) => {
        const result = await orders.handle(
          params.orderId,
          { type: 'ConfirmOrder', confirmationNumber: confirmationNumber(ids) },
          { correlationId },
        );
        return { status: 200, body: toOrderResponse(found(result.state, params.orderId)) };
      },
    }),
    defineRoute({
      method: 'PATCH',
      path: `${BASE}/:orderId/cancel`,
      operationId: 'cancelOrder',
      summary: 'Cancel a PENDING or CONFIRMED order (its stock is released and a captured payment refunded)',
      tags: [TAG],
      params: orderIdParams,
      body: cancelBody,
      responses: {
        200: { description: 'Cancelled', schema: orderResponse },
        404: { description: 'Unknown' },
        409: { description: 'INVALID_ORDER_STATE' },
      },
      handler: async ({ params, body, correlationId }) => {
        const before = found((await orders.load(params.orderId))?.state, params.orderId);
        // The cancel carries the saga's ids, so inventory and payment can undo their steps.
        const result = await orders.handle(
          params.orderId,
          { type: 'CancelOrder', ...body },
          {
            correlationId,
            saga: {
              sagaId: before.sagaId,
              sagaType: 'OrderFulfillment',
              stepNumber: 0,
              isCompensating: true,
            },
          },
        );
        const order = found(result.state, params.orderId);
        const cancelledEvent = result.events[0];
        if (cancelledEvent) await deps.saga?.cancelled(order, cancelledEvent.eventId, cancelReason(body));
        return { status: 200, body: toOrderResponse(order) };
      },
    }),
    defineRoute({
      method: 'GET',
      path: BASE,
      operationId: 'listOrders',
      summary: 'Orders, newest first',
      tags: [TAG],
      query: z.object({ limit: limitQuery(10, 1000) }),
      responses: { 200: { description: 'Orders', schema: z.array(orderResponse) } },
      handler: async ({ query }) => ({
        status: 200,
        body: (await orders.list(query.limit, { newestBy: 'createdAt' })).map((state) =>
          toOrderResponse(state!),
        ),
      }),
    }),
    eventHistoryRoute({
      basePath: BASE,
      idParam: 'orderId',
      tag: TAG,
      notFoundCode: 'ORDER_NOT_FOUND',
      repository: orders,
    }),
    defineRoute({
      method: 'GET',
      path: '/api/customers/:customerId/order-summary',
      operationId: 'getCustomerOrderSummary',
      summary: "A customer's order counts and total spent",
      tags: [TAG],
      params: customerIdParams,
      responses: { 200: { description: 'Summary', schema: orderSummaryResponse } },
      handler: async ({ params }) => ({
        status: 200,
        body: summarize(params.customerId, await ordersOf(orders, params.customerId)),
      }),
    }),
  ];
}

/** Human-readable, unique enough to read out on the phone, derived from a fresh id. */
export function confirmationNumber(ids: IdSource): string {
  return `CNF-${ids.uuid().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
}
