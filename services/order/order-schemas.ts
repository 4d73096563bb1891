import { z } from 'zod';
import { amountSchema, INPUT_LIMITS, lineQuantitySchema } from '../../src/api/input-limits';
import { moneyNumber } from '../../src/events/money';
import { orderStatuses, type Order } from './order-decider';

export const orderIdParams = z.object({ orderId: z.string().min(1).max(100) });
export const customerIdParams = z.object({ customerId: z.string().min(1).max(100) });

export const createOrderBody = z.object({
  customerId: z.string().trim().min(1, 'is required').max(100),
  lineItems: z
    .array(
      z.object({
        productId: z.string().trim().min(1, 'is required').max(100),
        quantity: lineQuantitySchema(),
        unitPrice: amountSchema().optional(),
      }),
    )
    .min(1, 'must have at least one line item')
    .max(INPUT_LIMITS.maxLineItems, `must have at most ${INPUT_LIMITS.maxLineItems} line items`),
  shippingAddress: z.string().trim().min(1, 'is required').max(500),
});

export const cancelBody = z.object({
  reason: z.string().trim().min(1, 'is required').max(500),
  cancelledBy: z.string().trim().min(1, 'is required').max(100),
});

const lineItemResponse = z.object({
  productId: z.string(),
  productName: z.string().nullable(),
  sku: z.string().nullable(),
  quantity: z.number(),
  unitPrice: z.number(),
  lineTotal: z.number(),
});

export const orderResponse = z.object({
  orderId: z.string(),
  customerId: z.string(),
  customerName: z.string().nullable(),
  customerEmail: z.string().nullable(),
  lineItems: z.array(lineItemResponse),
  subtotal: z.number(),
  tax: z.number(),
  total: z.number(),
  shippingAddress: z.string(),
  status: z.enum(orderStatuses),
  sagaId: z.string(),
  confirmationNumber: z.string().nullable(),
  cancellationReason: z.string().nullable(),
  cancelledBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const orderSummaryResponse = z.object({
  customerId: z.string(),
  totalOrders: z.number(),
  totalSpent: z.number(),
  pendingOrders: z.number(),
  confirmedOrders: z.number(),
  cancelledOrders: z.number(),
  firstOrderAt: z.string().nullable(),
  lastOrderAt: z.string().nullable(),
});

export function toOrderResponse(order: Order): z.infer<typeof orderResponse> {
  return {
    ...order,
    lineItems: order.lineItems.map((item) => ({
      ...item,
      unitPrice: moneyNumber(item.unitPrice),
      lineTotal: moneyNumber(item.lineTotal),
    })),
    subtotal: moneyNumber(order.subtotal),
    tax: moneyNumber(order.tax),
    total: moneyNumber(order.total),
  };
}
