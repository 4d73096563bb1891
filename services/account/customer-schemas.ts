import { z } from 'zod';
import { customerStatuses } from './customer-decider';

const optionalText = (max: number) => z.string().trim().max(max).optional();

export const customerBody = z.object({
  email: z.email('must be a valid email address').max(254),
  name: z.string().trim().min(2, 'must be 2 to 100 characters').max(100, 'must be 2 to 100 characters'),
  address: optionalText(500),
  phone: optionalText(50),
});

export const statusBody = z.object({
  status: z.enum(customerStatuses),
  reason: optionalText(500),
});

export const customerIdParams = z.object({ customerId: z.string().min(1).max(100) });

export const customerResponse = z.object({
  customerId: z.string(),
  email: z.string(),
  name: z.string(),
  address: z.string().nullable(),
  phone: z.string().nullable(),
  status: z.enum(customerStatuses),
  createdAt: z.string(),
  updatedAt: z.string(),
});
