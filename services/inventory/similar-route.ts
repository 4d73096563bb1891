import { z } from 'zod';
import { isoTime, type Clock } from '../../src/core/clock';
import { notFound } from '../../src/http/api-error';
import { limitQuery } from '../../src/http/query-schemas';
import { defineRoute, type Route } from '../../src/http/route';
import type { ProductVectors } from './product-vectors';
import type { Products } from './product-routes';
import { productIdParams, productResponse, toProductResponse } from './product-schemas';

export const similarProductsResponse = z.object({
  productId: z.string(),
  vectorStoreAvailable: z.boolean(),
  implementation: z.string(),
  message: z.string(),
  similarProducts: z.array(z.object({ score: z.number(), product: productResponse })),
});

/** `GET /api/products/:productId/similar`: nearest products by embedding, best first. */
export function similarProductsRoute(deps: {
  products: Products;
  vectors: ProductVectors;
  clock: Clock;
}): Route {
  const { products, vectors, clock } = deps;
  return defineRoute({
    method: 'GET',
    path: '/api/products/:productId/similar',
    operationId: 'similarProducts',
    summary:
      'Products similar to one (empty, with vectorStoreAvailable false, while the vector store is off)',
    tags: ['Product'],
    params: productIdParams,
    query: z.object({ limit: limitQuery(5, 50) }),
    responses: {
      200: { description: 'Similar products, best first', schema: similarProductsResponse },
      400: { description: 'Invalid limit' },
      404: { description: 'PRODUCT_NOT_FOUND' },
    },
    handler: async ({ params, query }) => {
      const { productId } = params;
      if (!(await products.load(productId))?.state)
        throw notFound('PRODUCT_NOT_FOUND', `Product ${productId} not found`);
      const store = vectors.store.current;
      const matches = await store.similarTo(productId, query.limit);
      const found = await products.loadMany(matches.map((match) => match.id));
      const now = isoTime(clock.now());
      const similarProducts = matches.flatMap((match) => {
        const state = found.get(match.id)?.state;
        return state ? [{ score: match.score, product: toProductResponse(state, now) }] : [];
      });
      return {
        status: 200,
        body: {
          productId,
          vectorStoreAvailable: store.available,
          implementation: store.implementation,
          message: store.message,
          similarProducts,
        },
      };
    },
  });
}
