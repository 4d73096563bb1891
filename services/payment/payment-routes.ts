import { z } from 'zod';
import { eventHistoryRoute } from '../../src/api/event-history-route';
import { idempotently } from '../../src/api/idempotent';
import { moneyString } from '../../src/events/money';
import type { AggregateRepository } from '../../src/eventsourcing/aggregate-repository';
import { notFound } from '../../src/http/api-error';
import { limitQuery } from '../../src/http/query-schemas';
import { defineRoute, type Route } from '../../src/http/route';
import type { IdempotencyGuard } from '../../src/idempotency/idempotency-guard';
import type { Payment, PaymentCommand, PaymentEvent, PaymentState } from './payment-decider';
import {
  createPaymentBody,
  orderIdParams,
  paymentIdParams,
  paymentResponse,
  refundBody,
  toPaymentResponse,
} from './payment-schemas';

export type Payments = AggregateRepository<PaymentState, PaymentCommand, PaymentEvent>;

const BASE = '/api/payments';
const TAG = 'Payment';

const found = (state: PaymentState | undefined, id: string): Payment => {
  if (!state) throw notFound('PAYMENT_NOT_FOUND', `Payment ${id} not found`);
  return state;
};

const newestFirst = (a: PaymentState, b: PaymentState): number =>
  (b?.createdAt ?? '').localeCompare(a?.createdAt ?? '');

/** The order's latest payment, failed ones included. */
export async function latestPaymentOf(payments: Payments, orderId: string): Promise<Payment | undefined> {
  const all = await payments.find([{ field: 'state.orderId', op: 'eq', value: orderId }]);
  return all.filter((payment): payment is Payment => payment !== null).sort(newestFirst)[0];
}

export function paymentRoutes(deps: { payments: Payments; idempotency: IdempotencyGuard }): Route[] {
  const { payments, idempotency } = deps;
  return [
    defineRoute({
      method: 'POST',
      path: BASE,
      operationId: 'processPayment',
      summary:
        'Charge through the simulated processor: 201 CAPTURED, or 201 FAILED when declined (amount > 10000.00)',
      tags: [TAG],
      body: createPaymentBody,
      responses: { 201: { description: 'Processed (CAPTURED or FAILED)', schema: paymentResponse } },
      handler: (req) =>
        idempotently(idempotency, `POST ${BASE}`, req, async (attempt) => {
          // A repeat of ProcessPayment on an existing payment changes nothing (see the decider).
          const paymentId = attempt.id('payment');
          const result = await payments.handle(
            paymentId,
            {
              type: 'ProcessPayment',
              ...req.body,
              amount: moneyString(req.body.amount),
              transactionId: `TXN-${attempt.id('transaction')}`,
            },
            { correlationId: req.correlationId },
          );
          return { status: 201, body: toPaymentResponse(found(result.state, paymentId)) };
        }),
    }),
    defineRoute({
      method: 'GET',
      path: `${BASE}/:paymentId`,
      operationId: 'getPayment',
      summary: 'A payment',
      tags: [TAG],
      params: paymentIdParams,
      responses: {
        200: { description: 'The payment', schema: paymentResponse },
        404: { description: 'Unknown' },
      },
      handler: async ({ params }) => ({
        status: 200,
        body: toPaymentResponse(found((await payments.load(params.paymentId))?.state, params.paymentId)),
      }),
    }),
    defineRoute({
      method: 'GET',
      path: `${BASE}/order/:orderId`,
      operationId: 'getPaymentByOrder',
      summary: "The order's latest payment, failed ones too",
      tags: [TAG],
      params: orderIdParams,
      responses: {
        200: { description: 'The payment', schema: paymentResponse },
        404: { description: 'None' },
      },
      handler: async ({ params }) => {
        const payment = await latestPaymentOf(payments, params.orderId);
        if (!payment) throw notFound('PAYMENT_NOT_FOUND', `No payment for order ${params.orderId}`);
        return { status: 200, body: toPaymentResponse(payment) };
      },
    }),
    defineRoute({
      method: 'POST',
      path: `${BASE}/:paymentId/refund`,
      operationId: 'refundPayment',
      summary: 'Refund a captured payment',
      tags: [TAG],
      params: paymentIdParams,
      body: refundBody,
      responses: {
        200: { description: 'Refunded', schema: paymentResponse },
        404: { description: 'Unknown' },
        409: { description: 'INVALID_PAYMENT_STATE: not CAPTURED' },
      },
      handler: (req) =>
        idempotently(idempotency, `POST ${BASE}/${req.params.paymentId}/refund`, req, async (attempt) => {
          const result = await payments.handle(
            req.params.paymentId,
            {
              type: 'RefundPayment',
              reason: req.body.reason,
              refundTransactionId: `RFD-${attempt.id('refund')}`,
            },
            { correlationId: req.correlationId },
          );
          return { status: 200, body: toPaymentResponse(found(result.state, req.params.paymentId)) };
        }),
    }),
    defineRoute({
      method: 'GET',
      path: BASE,
      operationId: 'listPayments',
      summary: 'Payments, newest first',
      tags: [TAG],
      query: z.object({ limit: limitQuery(10, 1000) }),
      responses: { 200: { description: 'Payments', schema: z.array(paymentResponse) } },
      handler: async ({ query }) => ({
        status: 200,
        body: (await payments.list(query.limit, { newestBy: 'createdAt' })).map((state) =>
          toPaymentResponse(state!),
        ),
      }),
    }),
    eventHistoryRoute({
      basePath: BASE,
      idParam: 'paymentId',
      tag: TAG,
      notFoundCode: 'PAYMENT_NOT_FOUND',
      repository: payments,
    }),
  ];
}
