import type { Intent, SagaParticipant } from '../../src/sagas/participant';
import { ACTIVE, type SagaState } from '../../src/sagas/saga-state';
import { fulfillmentContextSchema, STEP } from '../order-fulfillment/order-fulfillment';
import { sagaEvents, type SagaEvent, type SagaEvents } from '../order-fulfillment/saga-events';
import type { Order, OrderCommand, OrderState } from './order-decider';
import { cancelReason } from './order-routes';

export type OrderIntent = Intent<OrderCommand, OrderState>;
type OrderIntents = readonly OrderIntent[];

/** Already in that state, or never created (its service died between the saga record and the order). */
export const NOTHING_TO_DO = ['INVALID_ORDER_STATE', 'ORDER_NOT_FOUND'] as const;

/** What order knows when it decides, per event: the saga record (and a fresh confirmation number). */
export interface OrderKnowledge {
  readonly OrderCancelled: undefined;
  readonly PaymentProcessed: { readonly saga: SagaState | undefined; readonly confirmationNumber: string };
  readonly PaymentFailed: { readonly saga: SagaState | undefined };
  readonly StockReservationFailed: { readonly saga: SagaState | undefined };
  readonly SagaTimedOut: { readonly saga: SagaState | undefined };
}

/**
 * A committed cancel in the saga record: an active saga starts compensating (from here on no forward step
 * records itself), and the order's step is undone. Idempotent: the cancel route carries it out right after
 * the commit, and the order-saga group again when OrderCancelled arrives.
 */
export function cancellationRecorded(sagaId: string, eventId: string, reason: string): OrderIntents {
  return [
    {
      kind: 'recordCompensationStarted',
      sagaId,
      reason,
      // A cancel after the saga COMPLETED leaves the record COMPLETED (docs/guides/sagas.md, "Known limits").
      then: (saga) =>
        saga && saga.status !== 'COMPLETED'
          ? [{ kind: 'recordCompensationStep', sagaId, step: STEP.orderCreated, eventId }]
          : [],
    },
  ];
}

/** The system cancels the order: its step is undone, and so is a confirmation that raced the unwinding. */
function cancel(sagaId: string | undefined, saga: SagaState | undefined, reason: string): OrderIntents {
  if (!sagaId) return [];
  const context = fulfillmentContextSchema.safeParse(saga?.context);
  // A cancelled order is not confirmed either: if a confirmation raced the timeout, its step is undone too
  // (or skipped), so the saga can settle.
  const undone = (eventId: string | null): OrderIntents => [
    { kind: 'recordCompensationStep', sagaId, step: STEP.orderConfirmed, eventId },
    { kind: 'recordCompensationStep', sagaId, step: STEP.orderCreated, eventId },
  ];
  if (!context.success) return undone(null);
  return [
    {
      kind: 'command',
      aggregateId: context.data.orderId,
      command: { type: 'CancelOrder', reason, cancelledBy: 'system' },
      step: STEP.orderCreated,
      compensating: true,
      tolerating: NOTHING_TO_DO,
      then: (outcome) => undone(outcome.events[0]?.eventId ?? null),
    },
  ];
}

/**
 * Confirm the order when the payment went through (the last step), only while the saga is active, and
 * announce the saga's completion only once the step's record says COMPLETED.
 */
function confirm(
  event: SagaEvent<'PaymentProcessed'>,
  knows: OrderKnowledge['PaymentProcessed'],
): OrderIntents {
  const { saga, confirmationNumber } = knows;
  const sagaId = event.sagaId;
  if (!sagaId) return [];
  // Completed by a delivery that died before announcing it (this event is then redelivered).
  if (saga?.status === 'COMPLETED') return [{ kind: 'announceCompleted', saga }];
  // Over already (timed out, cancelled): the payment's own handlers give the money back.
  if (!saga || !ACTIVE.includes(saga.status)) return [];
  const orderId = fulfillmentContextSchema.parse(saga.context).orderId;
  const confirmed = (order: Order | null | undefined, eventId: string | null): OrderIntents =>
    // Not confirmed (cancelled by its user a moment ago, while the saga was not yet compensating): the
    // step did not happen, and OrderCancelled unwinds the saga.
    order?.status === 'CONFIRMED'
      ? [
          {
            kind: 'recordStepCompleted',
            sagaId,
            step: STEP.orderConfirmed,
            eventId: eventId ?? event.eventId,
            // Only once the record says COMPLETED: a confirmation that raced the timeout is unwound instead.
            then: (after) =>
              after?.status === 'COMPLETED' ? [{ kind: 'announceCompleted', saga: after }] : [],
          },
        ]
      : [];
  return [
    {
      kind: 'command',
      aggregateId: orderId,
      command: { type: 'ConfirmOrder', confirmationNumber },
      step: STEP.orderConfirmed,
      tolerating: NOTHING_TO_DO,
      then: (outcome) =>
        outcome.refusal
          ? [{ kind: 'load', aggregateId: orderId, then: (order) => confirmed(order, null) }]
          : confirmed(outcome.state, outcome.events[0]?.eventId ?? null),
    },
  ];
}

/**
 * Order's part of OrderFulfillment: confirm when the payment went through and announce the completed
 * saga; cancel when the stock or the payment failed or the saga timed out; and put a user's cancel into
 * the saga record.
 */
export const orderParticipant: SagaParticipant<SagaEvents, OrderKnowledge, OrderIntent> = {
  events: sagaEvents,
  decide: {
    OrderCancelled: (event) =>
      // The system's own cancels (below) have recorded their compensation already. They carry the event
      // they answer as their cause; a user's, through the route, has none (and may name itself "system").
      event.sagaId && !(event.payload.cancelledBy === 'system' && event.causationId)
        ? cancellationRecorded(event.sagaId, event.eventId, cancelReason(event.payload))
        : [],
    PaymentProcessed: confirm,
    PaymentFailed: (event, { saga }) =>
      cancel(event.sagaId, saga, `Payment failed: ${event.payload.failureReason}`),
    StockReservationFailed: (event, { saga }) =>
      cancel(event.sagaId, saga, `Stock reservation failed: ${event.payload.reason}`),
    SagaTimedOut: (event, { saga }) => cancel(event.sagaId, saga, 'Saga timed out'),
  },
};
