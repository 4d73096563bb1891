import { z } from 'zod';
import { eventHistoryRoute } from '../../src/api/event-history-route';
import { createOnce } from '../../src/api/create-once';
import { idempotently } from '../../src/api/idempotent';
import type { AggregateRepository } from '../../src/eventsourcing/aggregate-repository';
import { notFound } from '../../src/http/api-error';
import { limitQuery } from '../../src/http/query-schemas';
import { defineRoute, type Route } from '../../src/http/route';
import type { IdempotencyGuard } from '../../src/idempotency/idempotency-guard';
import type { Customer, CustomerCommand, CustomerEvent, CustomerState } from './customer-decider';
import { customerBody, customerIdParams, customerResponse, statusBody } from './customer-schemas';

type Customers = AggregateRepository<CustomerState, CustomerCommand, CustomerEvent>;

const BASE = '/api/customers';
const TAG = 'Customer';

const found = (state: CustomerState | undefined, id: string): Customer => {
  if (!state) throw notFound('CUSTOMER_NOT_FOUND', `Customer ${id} not found`);
  return state;
};

export function customerRoutes(deps: { customers: Customers; idempotency: IdempotencyGuard }): Route[] {
  const { customers, idempotency } = deps;
  return [
    defineRoute({
      method: 'POST',
      path: BASE,
      operationId: 'createCustomer',
      summary: 'Create a customer (status ACTIVE)',
      tags: [TAG],
      body: customerBody,
      responses: {
        201: { description: 'Created', schema: customerResponse },
        400: { description: 'Invalid' },
      },
      handler: (req) =>
        idempotently(idempotency, 'POST /api/customers', req, async (attempt) => {
          const customerId = attempt.id('customer');
          const result = await createOnce(
            customers,
            customerId,
            { type: 'CreateCustomer', customerId, ...req.body },
            { correlationId: req.correlationId },
            'CUSTOMER_EXISTS',
          );
          return { status: 201, body: found(result.state, customerId) };
        }),
    }),
    defineRoute({
      method: 'GET',
      path: `${BASE}/:customerId`,
      operationId: 'getCustomer',
      summary: 'A customer',
      tags: [TAG],
      params: customerIdParams,
      responses: {
        200: { description: 'The customer', schema: customerResponse },
        404: { description: 'Unknown' },
      },
      handler: async ({ params }) => ({
        status: 200,
        body: found((await customers.load(params.customerId))?.state, params.customerId),
      }),
    }),
    defineRoute({
      method: 'PUT',
      path: `${BASE}/:customerId`,
      operationId: 'updateCustomer',
      summary: 'Update a customer; absent address/phone keep their value',
      tags: [TAG],
      params: customerIdParams,
      body: customerBody,
      responses: {
        200: { description: 'Updated', schema: customerResponse },
        404: { description: 'Unknown' },
      },
      handler: async ({ params, body, correlationId }) => {
        const result = await customers.handle(
          params.customerId,
          { type: 'UpdateCustomer', ...body },
          { correlationId },
        );
        return { status: 200, body: found(result.state, params.customerId) };
      },
    }),
    defineRoute({
      method: 'PATCH',
      path: `${BASE}/:customerId/status`,
      operationId: 'changeCustomerStatus',
      summary: 'Change a customer status',
      tags: [TAG],
      params: customerIdParams,
      body: statusBody,
      responses: {
        200: { description: 'Changed', schema: customerResponse },
        404: { description: 'Unknown' },
      },
      handler: async ({ params, body, correlationId }) => {
        const result = await customers.handle(
          params.customerId,
          { type: 'ChangeCustomerStatus', status: body.status, reason: body.reason },
          { correlationId },
        );
        return { status: 200, body: found(result.state, params.customerId) };
      },
    }),
    defineRoute({
      method: 'GET',
      path: BASE,
      operationId: 'listCustomers',
      summary: 'Customers, newest first',
      tags: [TAG],
      query: z.object({ limit: limitQuery(10, 1000) }),
      responses: { 200: { description: 'Customers', schema: z.array(customerResponse) } },
      handler: async ({ query }) => ({
        status: 200,
        body: await customers.list(query.limit, { newestBy: 'createdAt' }),
      }),
    }),
    eventHistoryRoute({
      basePath: BASE,
      idParam: 'customerId',
      tag: TAG,
      notFoundCode: 'CUSTOMER_NOT_FOUND',
      repository: customers,
    }),
  ];
}
