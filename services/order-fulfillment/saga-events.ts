import { z } from 'zod';
import type { TypedEvent } from '../../src/sagas/participant';
import { sagaCompletedPayload, sagaTimedOutPayload } from '../../src/sagas/saga-timed-out';
import { paymentMethods } from '../payment/payment-decider';
import { fulfillmentContextSchema } from './order-fulfillment';

/**
 * The payload of every event the OrderFulfillment saga runs on (SAGA.md's catalogue), one schema each.
 * The producing deciders take their payload types from here and the participants parse with the same
 * schema, so what is written and what is read cannot drift apart. Unknown fields are dropped on reading,
 * so a producer may add one before its readers know it.
 */

/** Money in an event: a decimal string. */
const amount = z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal string');
const id = z.string().min(1);
const stockQuantity = z.number().int().nonnegative();

export const lineItemSchema = z.object({
  productId: id,
  productName: z.string().nullable(),
  sku: z.string().nullable(),
  quantity: z.number().int().positive(),
  unitPrice: amount,
  lineTotal: amount,
});
export type LineItem = z.output<typeof lineItemSchema>;

export const orderCreatedPayload = z.object({
  customerId: id,
  customerName: z.string().nullable(),
  customerEmail: z.string().nullable(),
  lineItems: z.array(lineItemSchema),
  shippingAddress: z.string(),
  subtotal: amount,
  tax: amount,
  total: amount,
  sagaId: id,
});
export type OrderCreatedPayload = z.output<typeof orderCreatedPayload>;

export const orderConfirmedPayload = z.object({ confirmationNumber: z.string() });
export type OrderConfirmedPayload = z.output<typeof orderConfirmedPayload>;

export const orderCancelledPayload = z.object({ reason: z.string(), cancelledBy: z.string() });
export type OrderCancelledPayload = z.output<typeof orderCancelledPayload>;

export const stockReservedPayload = z.object({
  orderId: id,
  quantity: stockQuantity,
  /** On the order's last line: the reservation is whole, payment may charge. */
  completesReservation: z.literal(true).optional(),
  /** A direct reservation's lapse time (ISO). */
  heldUntil: z.string().optional(),
});
export type StockReservedPayload = z.output<typeof stockReservedPayload>;

export const stockReleasedPayload = z.object({
  orderId: id,
  quantity: stockQuantity,
  reason: z.string(),
  /** Given back because the order was cancelled (remembered until closed). */
  cancellation: z.literal(true).optional(),
});
export type StockReleasedPayload = z.output<typeof stockReleasedPayload>;

export const stockReservationFailedPayload = z.object({
  orderId: id,
  productId: id,
  requestedQuantity: stockQuantity,
  availableQuantity: z.number().int(),
  reason: z.string(),
});
export type StockReservationFailedPayload = z.output<typeof stockReservationFailedPayload>;

export const chargeSchema = z.object({
  orderId: id,
  customerId: id,
  amount,
  currency: z.string(),
  method: z.enum(paymentMethods),
});
export type Charge = z.output<typeof chargeSchema>;

export const paymentProcessedPayload = chargeSchema.extend({ transactionId: z.string() });
export type PaymentProcessedPayload = z.output<typeof paymentProcessedPayload>;

export const paymentFailedPayload = chargeSchema.extend({ failureReason: z.string() });
export type PaymentFailedPayload = z.output<typeof paymentFailedPayload>;

export const paymentRefundedPayload = z.object({
  orderId: id,
  amount,
  reason: z.string(),
  refundTransactionId: z.string(),
});
export type PaymentRefundedPayload = z.output<typeof paymentRefundedPayload>;

/** The Saga stream's outcomes carry the saga's context: for this saga, what its participants undo with. */
export const fulfillmentTimedOutPayload = sagaTimedOutPayload.extend({ context: fulfillmentContextSchema });
export const fulfillmentCompletedPayload = sagaCompletedPayload.extend({ context: fulfillmentContextSchema });

export const sagaEvents = {
  OrderCreated: orderCreatedPayload,
  OrderConfirmed: orderConfirmedPayload,
  OrderCancelled: orderCancelledPayload,
  StockReserved: stockReservedPayload,
  StockReleased: stockReleasedPayload,
  StockReservationFailed: stockReservationFailedPayload,
  PaymentProcessed: paymentProcessedPayload,
  PaymentFailed: paymentFailedPayload,
  PaymentRefunded: paymentRefundedPayload,
  SagaTimedOut: fulfillmentTimedOutPayload,
  SagaCompleted: fulfillmentCompletedPayload,
} as const;
export type SagaEvents = typeof sagaEvents;
export type SagaEventType = keyof SagaEvents;

/** A saga event whose payload passed its schema. */
export type SagaEvent<T extends SagaEventType> = TypedEvent<SagaEvents, T>;
