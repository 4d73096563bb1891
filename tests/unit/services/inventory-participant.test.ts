import { inventoryParticipant } from '../../../services/inventory/inventory-participant';
import type { Product, ProductCommand } from '../../../services/inventory/product-decider';
import { STEP } from '../../../services/order-fulfillment/order-fulfillment';
import { participantSpec } from '../../support/participant-spec';
import {
  appended,
  ORDER_ID,
  orderCancelled,
  orderCreated,
  paymentFailed,
  SAGA_ID,
  sagaCompleted,
  sagaRecord,
  sagaTimedOut,
} from '../../support/saga-event-fixtures';

const NOW = '2026-01-01T00:00:00.000Z';
const NO_PRODUCT = ['PRODUCT_NOT_FOUND'];

const onProduct = (productId: string, command: ProductCommand, compensating = false) =>
  ({
    kind: 'command',
    aggregateId: productId,
    command,
    step: STEP.stockReserved,
    ...(compensating ? { compensating: true as const } : {}),
    tolerating: NO_PRODUCT,
  }) as const;
const reserveStock = (productId: string, quantity: number, completesReservation: boolean) => ({
  kind: 'command' as const,
  aggregateId: productId,
  command: { type: 'ReserveStock' as const, orderId: ORDER_ID, quantity, completesReservation, at: NOW },
  step: STEP.stockReserved,
  tolerating: ['PRODUCT_NOT_FOUND', 'INSUFFICIENT_STOCK'],
});
const releaseStock = (productId: string, reason: string) =>
  onProduct(productId, { type: 'ReleaseStock', orderId: ORDER_ID, reason }, true);
const compensated = (eventId: string | null) =>
  ({ kind: 'recordCompensationStep', sagaId: SAGA_ID, step: STEP.stockReserved, eventId }) as const;

/** What a product says after a command: here only its cancellations matter. */
const product = (cancellations: Record<string, number> = {}): Product => ({
  productId: 'p',
  sku: 'S',
  name: 'Widget',
  description: null,
  price: '10.00',
  category: null,
  quantityOnHand: 10,
  quantityReserved: 0,
  status: 'ACTIVE',
  reservations: {},
  holds: {},
  cancellations,
  createdAt: 'then',
  updatedAt: 'then',
});
/** Each command appends one event named after its product and command. */
const appendsOne = (
  intent: { aggregateId: string; command: ProductCommand },
  eventType = 'StockReserved',
) => ({
  state: product(),
  events: [appended(`${intent.aggregateId}:${intent.command.type}`, eventType)],
});

describe('inventory participant: reserve on OrderCreated', () => {
  const spec = participantSpec(inventoryParticipant, 'OrderCreated', null);
  const active = { saga: sagaRecord('STARTED'), now: NOW };

  test('happy path: every line reserved, the same product on two lines once and summed, step 1 recorded', async () => {
    await spec
      .given(active)
      .when(
        orderCreated([
          { productId: 'p-a', quantity: 2 },
          { productId: 'p-b', quantity: 1 },
          { productId: 'p-a', quantity: 1 },
        ]),
        { command: (intent) => appendsOne(intent), saga: () => sagaRecord('IN_PROGRESS') },
      )
      .then([
        reserveStock('p-a', 3, false),
        reserveStock('p-b', 1, true),
        {
          kind: 'recordStepCompleted',
          sagaId: SAGA_ID,
          step: STEP.stockReserved,
          eventId: 'p-b:ReserveStock',
        },
      ]);
  });

  test("a redelivery reserves nothing again: the step records the OrderCreated's own id", async () => {
    const created = orderCreated();
    await spec
      .given(active)
      .when(created)
      .then([
        reserveStock('p-a', 2, false),
        reserveStock('p-b', 1, true),
        { kind: 'recordStepCompleted', sagaId: SAGA_ID, step: STEP.stockReserved, eventId: created.eventId },
      ]);
  });

  test.each(['TIMED_OUT', 'COMPENSATING', 'COMPENSATED', 'FAILED', 'COMPLETED'] as const)(
    'a late OrderCreated after the saga went %s takes nothing',
    async (status) => {
      await spec
        .given({ saga: sagaRecord(status), now: NOW })
        .when(orderCreated())
        .thenNothing();
    },
  );

  test('an OrderCreated whose saga record is gone takes nothing', async () => {
    await spec.given({ saga: undefined, now: NOW }).when(orderCreated()).thenNothing();
  });

  test.each([
    ['INSUFFICIENT_STOCK', 'Insufficient stock for product p-b: requested 1, available 0'],
    ['PRODUCT_NOT_FOUND', 'Product p-b not found'],
  ])(
    'stock failed (%s): gives back the lines before, records the failure on the product, fails step 1',
    async (code, reason) => {
      await spec
        .given(active)
        .when(orderCreated(), {
          command: (intent) =>
            intent.command.type === 'ReserveStock' && intent.aggregateId === 'p-b'
              ? { refusal: { code, details: { availableQuantity: 0 } }, events: [] }
              : appendsOne(intent),
        })
        .then([
          reserveStock('p-a', 2, false),
          reserveStock('p-b', 1, true),
          releaseStock('p-a', 'Stock reservation failed'),
          {
            kind: 'command',
            aggregateId: 'p-b',
            command: {
              type: 'RecordReservationFailure',
              orderId: ORDER_ID,
              productId: 'p-b',
              requestedQuantity: 1,
              reason,
            },
            step: STEP.stockReserved,
          },
          { kind: 'recordStepFailed', sagaId: SAGA_ID, step: STEP.stockReserved, reason },
        ]);
    },
  );

  test('timeout while reserving: the step record finds the saga TIMED_OUT, so every line goes back', async () => {
    await spec
      .given(active)
      .when(orderCreated(), {
        command: (intent) =>
          appendsOne(intent, intent.command.type === 'ReserveStock' ? 'StockReserved' : 'StockReleased'),
        saga: () => sagaRecord('TIMED_OUT'),
      })
      .then([
        reserveStock('p-a', 2, false),
        reserveStock('p-b', 1, true),
        {
          kind: 'recordStepCompleted',
          sagaId: SAGA_ID,
          step: STEP.stockReserved,
          eventId: 'p-b:ReserveStock',
        },
        releaseStock('p-a', 'Saga timed_out'),
        releaseStock('p-b', 'Saga timed_out'),
        compensated('p-b:ReleaseStock'),
      ]);
  });

  test('malformed payload: a line whose quantity is not a number is refused, with the field named', async () => {
    const created = orderCreated();
    const payload = created.payload as { lineItems: Array<Record<string, unknown>> };
    const malformed = {
      ...created,
      payload: { ...payload, lineItems: [{ ...payload.lineItems[0], quantity: '2' }] },
    };
    await spec
      .given(active)
      .when(malformed)
      .thenRejects(/OrderCreated .* lineItems\.0\.quantity: /);
  });
});

describe('inventory participant: settle, release, give back', () => {
  test('a completed saga settles each product of its order', async () => {
    await participantSpec(inventoryParticipant, 'SagaCompleted', null)
      .given(undefined)
      .when(sagaCompleted())
      .then([
        onProduct('p-a', { type: 'SettleStock', orderId: ORDER_ID }),
        onProduct('p-b', { type: 'SettleStock', orderId: ORDER_ID }),
      ]);
  });

  test("payment failed: releases the order's own lines and compensates step 1", async () => {
    await participantSpec(inventoryParticipant, 'PaymentFailed', null)
      .given({ lines: [{ productId: 'p-a', quantity: 2 }] })
      .when(paymentFailed(), { command: (intent) => appendsOne(intent, 'StockReleased') })
      .then([releaseStock('p-a', 'Payment failed'), compensated('p-a:ReleaseStock')]);
  });

  test('payment failed for an order nobody created: nothing', async () => {
    await participantSpec(inventoryParticipant, 'PaymentFailed', null)
      .given({ lines: undefined })
      .when(paymentFailed())
      .thenNothing();
  });

  test('timeout: releases the lines of the saga context, a product gone (refused) is skipped', async () => {
    await participantSpec(inventoryParticipant, 'SagaTimedOut', null)
      .given(undefined)
      .when(sagaTimedOut(), {
        command: (intent) =>
          intent.aggregateId === 'p-b'
            ? { refusal: { code: 'PRODUCT_NOT_FOUND', details: null }, events: [] }
            : appendsOne(intent, 'StockReleased'),
      })
      .then([
        releaseStock('p-a', 'Saga timed out'),
        releaseStock('p-b', 'Saga timed out'),
        compensated('p-a:ReleaseStock'),
      ]);
  });
});

describe('inventory participant: a cancelled order gives back what it took, once', () => {
  const spec = participantSpec(inventoryParticipant, 'OrderCancelled', null);
  const lines = [
    { productId: 'p-a', quantity: 2 },
    { productId: 'p-b', quantity: 1 },
  ];
  const cancelOrderStock = (productId: string, quantity: number, sagaCompleted: boolean) =>
    onProduct(
      productId,
      {
        type: 'CancelOrderStock',
        orderId: ORDER_ID,
        quantity,
        sagaCompleted,
        reason: 'Order cancelled: changed my mind',
      },
      true,
    );
  const close = (productId: string) =>
    onProduct(productId, { type: 'CloseCancellation', orderId: ORDER_ID }, true);
  const gaveBack = (intent: { aggregateId: string; command: ProductCommand }) =>
    intent.command.type === 'CancelOrderStock'
      ? {
          state: product({ [ORDER_ID]: intent.command.quantity }),
          events: [appended(`${intent.aggregateId}:given-back`, 'StockRestocked')],
        }
      : { state: product(), events: [] };

  test.each(['customer', 'system'])(
    'cancelledBy %s after the saga completed: restocks each product, marks it done, then closes',
    async (cancelledBy) => {
      const cancel = orderCancelled(cancelledBy);
      await spec
        .given({ lines, cancellationDone: false, sagaCompleted: true })
        .when(cancel, { command: gaveBack })
        .then([
          cancelOrderStock('p-a', 2, true),
          cancelOrderStock('p-b', 1, true),
          { kind: 'note', key: ORDER_ID, value: { eventId: cancel.eventId } },
          close('p-a'),
          close('p-b'),
          compensated('p-b:given-back'),
        ]);
    },
  );

  test('a redelivery after the mark: nothing given back twice, the products only forget', async () => {
    await spec
      .given({ lines, cancellationDone: true, sagaCompleted: false })
      .when(orderCancelled('customer'))
      .then([close('p-a'), close('p-b'), compensated(null)]);
  });

  test('nothing held and nothing settled (released by a compensation already): no mark', async () => {
    await spec
      .given({ lines, cancellationDone: false, sagaCompleted: false })
      .when(orderCancelled('customer'))
      .then([
        cancelOrderStock('p-a', 2, false),
        cancelOrderStock('p-b', 1, false),
        close('p-a'),
        close('p-b'),
        compensated(null),
      ]);
  });

  test('an order nobody created: nothing', async () => {
    await spec
      .given({ lines: undefined, cancellationDone: false, sagaCompleted: false })
      .when(orderCancelled('customer'))
      .thenNothing();
  });
});
