import { z } from 'zod';
import { amountSchema } from '../../src/api/input-limits';
import { moneyNumber } from '../../src/events/money';
import { paymentMethods, paymentStatuses, type Payment } from './payment-decider';

export const paymentIdParams = z.object({ paymentId: z.string().min(1).max(100) });
export const orderIdParams = z.object({ orderId: z.string().min(1).max(100) });

export const createPaymentBody = z.object({
  orderId: z.string().trim().min(1, 'is required').max(100),
  customerId: z.string().trim().min(1, 'is required').max(100),
  amount: amountSchema(),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'must be a 3-letter ISO 4217 code')
    .transform((code) => code.toUpperCase()),
  method: z.enum(paymentMethods).default('CREDIT_CARD'),
});

export const refundBody = z.object({ reason: z.string().trim().min(1, 'is required').max(500) });

export const paymentResponse = z.object({
  paymentId: z.string(),
  orderId: z.string(),
  customerId: z.string(),
  amount: z.number(),
  currency: z.string(),
  method: z.enum(paymentMethods),
  status: z.enum(paymentStatuses),
  transactionId: z.string().nullable(),
  processedAt: z.string().nullable(),
  failureReason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export function toPaymentResponse(payment: Payment): z.infer<typeof paymentResponse> {
  const { refundTransactionId: _refund, refundReason: _reason, amount, ...rest } = payment;
  return { ...rest, amount: moneyNumber(amount) };
}
