import { z } from 'zod';
import type { ApiError } from './api-error';

/** The one shape of every 4xx/5xx body; also published in the OpenAPI document as ErrorBody. */
export const errorBodySchema = z
  .object({
    message: z.string(),
    errorCode: z.string().describe('Stable machine-readable code, e.g. CUSTOMER_NOT_FOUND'),
    timestamp: z.iso.datetime(),
    details: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'ErrorBody', description: 'Body of every 4xx and 5xx response' });

export type ErrorBody = z.infer<typeof errorBodySchema>;

export const errorBody = (error: ApiError, clock: { now(): number }): ErrorBody => ({
  message: error.message,
  errorCode: error.errorCode,
  timestamp: new Date(clock.now()).toISOString(),
  details: error.details,
});
