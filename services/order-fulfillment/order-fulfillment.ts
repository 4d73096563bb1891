import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CommandMetadata, EventEnvelope } from '../../src/events/envelope';
import type { SagaDefinition } from '../../src/sagas/saga-state';

/**
 * The OrderFulfillment saga of SAGA.md, shared by its four participants: the steps, what each
 * participant needs to know (the context), and the compensation registry.
 */
export const ORDER_FULFILLMENT = 'OrderFulfillment';

export const STEP = { orderCreated: 0, stockReserved: 1, paymentProcessed: 2, orderConfirmed: 3 } as const;

export const orderFulfillment: SagaDefinition = {
  sagaType: ORDER_FULFILLMENT,
  steps: [
    { stepNumber: 0, stepName: 'Order Created', service: 'order', eventType: 'OrderCreated' },
    { stepNumber: 1, stepName: 'Stock Reserved', service: 'inventory', eventType: 'StockReserved' },
    { stepNumber: 2, stepName: 'Payment Processed', service: 'payment', eventType: 'PaymentProcessed' },
    { stepNumber: 3, stepName: 'Order Confirmed', service: 'order', eventType: 'OrderConfirmed' },
  ],
};

/** Forward event → its compensating event and the service that owns it (SAGA.md). */
export const compensationRegistry: Readonly<
  Record<string, { compensatingEvent: string; service: string; step: number }>
> = {
  OrderCreated: { compensatingEvent: 'OrderCancelled', service: 'order', step: STEP.orderCreated },
  StockReserved: { compensatingEvent: 'StockReleased', service: 'inventory', step: STEP.stockReserved },
  PaymentProcessed: { compensatingEvent: 'PaymentRefunded', service: 'payment', step: STEP.paymentProcessed },
};

export const fulfillmentContextSchema = z.object({
  orderId: z.string(),
  customerId: z.string(),
  /** Decimal string. */
  total: z.string(),
  currency: z.string(),
  lineItems: z.array(z.object({ productId: z.string(), quantity: z.number().int().positive() })),
});
export type FulfillmentContext = z.infer<typeof fulfillmentContextSchema>;

/** One payment per saga: a deterministic id makes "charge once" a property of the payment stream itself. */
export function paymentIdFor(sagaId: string): string {
  const hex = createHash('sha256').update(`payment:${sagaId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The metadata a participant's events carry when caused by `event`: same saga, correlation and trace. */
export function causedBy(event: EventEnvelope, stepNumber: number, isCompensating = false): CommandMetadata {
  return {
    correlationId: event.correlationId,
    causationId: event.eventId,
    ...(event.traceparent ? { traceparent: event.traceparent } : {}),
    ...(event.sagaId
      ? {
          saga: {
            sagaId: event.sagaId,
            sagaType: event.sagaType ?? ORDER_FULFILLMENT,
            stepNumber,
            isCompensating,
          },
        }
      : {}),
  };
}
