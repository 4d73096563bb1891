import { OperationTimeoutError } from 'hazelcast-client';
import { z } from 'zod';
import { conflict, idempotencyKeyReused, notFound } from '../../../src/http/api-error';
import { limitQuery } from '../../../src/http/query-schemas';
import { defineRoute, type Route } from '../../../src/http/route';

export const KNOWN_CUSTOMER = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

export const customerParams = z.object({ customerId: z.uuid() });

export const createCustomerBody = z.object({
  email: z.email({ error: 'must be a valid email' }),
  name: z.string().min(1),
  tier: z.enum(['BASIC', 'GOLD']),
  lineItems: z.array(z.object({ sku: z.string(), quantity: z.number().int().min(1) })).min(1),
});

export const customerResponse = z.object({ customerId: z.string(), email: z.string() });

/** One route per behaviour the HTTP plumbing must show. */
export function testRoutes(): Route[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/customers/:customerId',
      operationId: 'getCustomer',
      summary: 'One customer',
      tags: ['Customer'],
      params: customerParams,
      responses: {
        200: { description: 'Found', schema: customerResponse },
        404: { description: 'Unknown id (CUSTOMER_NOT_FOUND)' },
      },
      handler: async ({ params }) => {
        if (params.customerId !== KNOWN_CUSTOMER) {
          throw notFound('CUSTOMER_NOT_FOUND', `Customer ${params.customerId} not found`);
        }
        return { status: 200, body: { customerId: params.customerId, email: 'a@example.com' } };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/customers',
      operationId: 'listCustomers',
      summary: 'Customers',
      query: z.object({ limit: limitQuery(20, 100) }),
      responses: { 200: { description: 'The limit applied', schema: z.object({ limit: z.number() }) } },
      handler: async ({ query }) => ({ status: 200, body: { limit: query.limit } }),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/customers',
      operationId: 'createCustomer',
      summary: 'Create a customer',
      body: createCustomerBody,
      responses: { 201: { description: 'Created', schema: customerResponse } },
      handler: async ({ body, rawBody, headers }) => ({
        status: 201,
        headers: { Location: `/api/customers/${KNOWN_CUSTOMER}` },
        body: {
          customerId: KNOWN_CUSTOMER,
          email: body.email,
          rawLength: rawBody?.length,
          ua: headers['x-test'],
        },
      }),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/customers/:customerId/suspend',
      operationId: 'suspendCustomer',
      summary: 'Not allowed in the current state',
      params: customerParams,
      responses: { 409: { description: 'INVALID_CUSTOMER_STATE' } },
      handler: async ({ params }) => {
        throw conflict('INVALID_CUSTOMER_STATE', 'Customer is CLOSED', {
          id: params.customerId,
          currentStatus: 'CLOSED',
          requestedOperation: 'suspend',
        });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/ping',
      operationId: 'ping',
      summary: 'No body schema: an empty body is fine',
      responses: { 204: { description: 'Done' } },
      handler: async () => ({ status: 204 }),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/reused',
      operationId: 'reused',
      summary: 'Idempotency key reused',
      responses: { 422: { description: 'IDEMPOTENCY_KEY_REUSED' } },
      handler: async () => {
        throw idempotencyKeyReused('key-1');
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/boom',
      operationId: 'boom',
      summary: 'Throws an unknown error',
      responses: {},
      handler: async () => {
        throw new Error('secret internals at /srv/app.js');
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/grid-timeout',
      operationId: 'gridTimeout',
      summary: 'Hazelcast write timed out',
      responses: {},
      handler: async () => {
        throw new OperationTimeoutError('Invocation timed out');
      },
    }),
  ];
}
