import { z } from 'zod';
import { eventHistoryRoute } from '../../src/api/event-history-route';
import { createOnce } from '../../src/api/create-once';
import { idempotently } from '../../src/api/idempotent';
import { isoTime, type Clock } from '../../src/core/clock';
import { moneyString } from '../../src/events/money';
import type { AggregateRepository } from '../../src/eventsourcing/aggregate-repository';
import { notFound } from '../../src/http/api-error';
import { limitQuery } from '../../src/http/query-schemas';
import { defineRoute, type ResponseSpec, type Route } from '../../src/http/route';
import type { IdempotencyGuard } from '../../src/idempotency/idempotency-guard';
import type { Product, ProductCommand, ProductEvent, ProductState } from './product-decider';
import {
  createProductBody,
  productIdParams,
  productResponse,
  releaseBody,
  replenishBody,
  reserveBody,
  toProductResponse,
} from './product-schemas';

export type Products = AggregateRepository<ProductState, ProductCommand, ProductEvent>;

const BASE = '/api/products';
const TAG = 'Product';

const found = (state: ProductState | undefined, id: string): Product => {
  if (!state) throw notFound('PRODUCT_NOT_FOUND', `Product ${id} not found`);
  return state;
};

export function productRoutes(deps: {
  products: Products;
  idempotency: IdempotencyGuard;
  clock: Clock;
  /**
   * How long a direct reservation (POST …/stock/reserve) holds its stock: then it lapses and is released,
   * so reservations nobody releases cannot pile up in the product (docs/guides/sagas.md).
   */
  holdMs: number;
  /** Runs after a product is created (the embedding for recommendations); must not throw. */
  onCreated?: (product: Product) => Promise<void>;
}): Route[] {
  const { products, idempotency, clock, holdMs, onCreated } = deps;
  const now = (): string => isoTime(clock.now());

  const stockRoute = <B extends z.ZodType>(
    action: 'reserve' | 'release' | 'replenish',
    summary: string,
    body: B,
    command: (body: z.output<B>) => ProductCommand,
  ): Route => {
    const responses: Record<number, ResponseSpec> = {
      200: { description: 'The product after the change', schema: productResponse },
      404: { description: 'Unknown product' },
    };
    if (action === 'reserve') responses[409] = { description: 'INSUFFICIENT_STOCK' };
    return defineRoute({
      method: 'POST',
      path: `${BASE}/:productId/stock/${action}`,
      operationId: `${action}Stock`,
      summary,
      tags: [TAG],
      params: productIdParams,
      body,
      responses,
      handler: (req) =>
        idempotently(idempotency, `POST ${BASE}/${req.params.productId}/stock/${action}`, req, async () => {
          // defineRoute parsed the body with `body`, so it is that schema's output.
          const result = await products.handle(req.params.productId, command(req.body as z.output<B>), {
            correlationId: req.correlationId,
          });
          return {
            status: 200,
            body: toProductResponse(found(result.state, req.params.productId), now()),
          };
        }),
    });
  };

  return [
    defineRoute({
      method: 'POST',
      path: BASE,
      operationId: 'createProduct',
      summary: 'Create a product',
      tags: [TAG],
      body: createProductBody,
      responses: {
        201: { description: 'Created', schema: productResponse },
        400: { description: 'Invalid' },
      },
      handler: (req) =>
        idempotently(idempotency, `POST ${BASE}`, req, async (attempt) => {
          const productId = attempt.id('product');
          const { price, ...rest } = req.body;
          const result = await createOnce(
            products,
            productId,
            { type: 'CreateProduct', ...rest, price: moneyString(price) },
            { correlationId: req.correlationId },
            'PRODUCT_EXISTS',
          );
          const product = found(result.state, productId);
          await onCreated?.(product);
          return { status: 201, body: toProductResponse(product, now()) };
        }),
    }),
    defineRoute({
      method: 'GET',
      path: `${BASE}/:productId`,
      operationId: 'getProduct',
      summary: 'A product',
      tags: [TAG],
      params: productIdParams,
      responses: {
        200: { description: 'The product', schema: productResponse },
        404: { description: 'Unknown' },
      },
      handler: async ({ params }) => ({
        status: 200,
        body: toProductResponse(
          found((await products.load(params.productId))?.state, params.productId),
          now(),
        ),
      }),
    }),
    defineRoute({
      method: 'GET',
      path: BASE,
      operationId: 'listProducts',
      summary: 'Products, newest first',
      tags: [TAG],
      query: z.object({ limit: limitQuery(10, 1000) }),
      responses: { 200: { description: 'Products', schema: z.array(productResponse) } },
      handler: async ({ query }) => ({
        status: 200,
        body: (await products.list(query.limit, { newestBy: 'createdAt' })).map((state) =>
          toProductResponse(state!, now()),
        ),
      }),
    }),
    stockRoute(
      'reserve',
      'Reserve stock for an order (idempotent per orderId; held for DIRECT_RESERVATION_HOLD, 10 minutes by default, unless released)',
      reserveBody,
      (body) => {
        const at = clock.now();
        return {
          type: 'ReserveStock',
          orderId: body.orderId,
          quantity: body.quantity,
          at: isoTime(at),
          holdUntil: isoTime(at + holdMs),
        };
      },
    ),
    stockRoute('release', "Release an order's reserved stock", releaseBody, (body) => ({
      type: 'ReleaseStock',
      orderId: body.orderId,
      quantity: body.quantity,
      reason: body.reason,
    })),
    stockRoute('replenish', 'Add stock on hand', replenishBody, (body) => ({
      type: 'ReplenishStock',
      quantity: body.quantity,
      reason: body.reason,
    })),
    eventHistoryRoute({
      basePath: BASE,
      idParam: 'productId',
      tag: TAG,
      notFoundCode: 'PRODUCT_NOT_FOUND',
      repository: products,
    }),
  ];
}
