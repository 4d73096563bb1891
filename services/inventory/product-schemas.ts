import { z } from 'zod';
import { amountSchema, stockLevelSchema, stockQuantitySchema } from '../../src/api/input-limits';
import { moneyNumber } from '../../src/events/money';
import { asOf, availableQuantity, productStatuses, type Product } from './product-decider';

const quantity = stockQuantitySchema();

export const productIdParams = z.object({ productId: z.string().min(1).max(100) });

export const createProductBody = z.object({
  sku: z.string().trim().min(1, 'must be 1 to 50 characters').max(50, 'must be 1 to 50 characters'),
  name: z.string().trim().min(2, 'must be 2 to 200 characters').max(200, 'must be 2 to 200 characters'),
  description: z.string().max(1000, 'must be at most 1000 characters').optional(),
  price: amountSchema(),
  quantityOnHand: stockLevelSchema(),
  category: z.string().trim().max(100).optional(),
});

export const reserveBody = z.object({ quantity, orderId: z.string().trim().min(1).max(100) });
export const releaseBody = z.object({
  quantity,
  orderId: z.string().trim().min(1).max(100),
  reason: z.string().trim().min(1, 'is required').max(500),
});
export const replenishBody = z.object({ quantity, reason: z.string().trim().min(1, 'is required').max(500) });

export const productResponse = z.object({
  productId: z.string(),
  sku: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  price: z.number(),
  quantityOnHand: z.number(),
  quantityReserved: z.number(),
  availableQuantity: z.number(),
  category: z.string().nullable(),
  status: z.enum(productStatuses),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/**
 * The REST shape as it stands at `at` (ISO; direct reservations lapsed by then count as released): money as
 * a JSON number, the per-order bookkeeping kept inside.
 */
export function toProductResponse(product: Product, at: string): z.infer<typeof productResponse> {
  const current = asOf(product, at);
  const {
    reservations: _reservations,
    holds: _holds,
    cancellations: _cancellations,
    price,
    ...rest
  } = current;
  return { ...rest, price: moneyNumber(price), availableQuantity: availableQuantity(current) };
}
