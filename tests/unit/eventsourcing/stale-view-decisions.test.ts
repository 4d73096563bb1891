import { ManualClock } from '../../../src/core/clock';
import type { AggregateView } from '../../../src/eventsourcing/aggregate-view';
import type { EventSourcingRuntime } from '../../../src/runtime/event-sourcing-runtime';
import { InMemoryKeyValueStore } from '../../../src/storage/in-memory-key-value';
import {
  paymentDecider,
  type PaymentCommand,
  type PaymentState,
} from '../../../services/payment/payment-decider';
import { productDecider, type ProductState } from '../../../services/inventory/product-decider';
import { inMemoryRuntime } from '../../support/in-memory-runtime';

const meta = { correlationId: 'c-1' };
const capture: PaymentCommand = {
  type: 'ProcessPayment',
  orderId: 'o1',
  customerId: 'c1',
  amount: '10.00',
  currency: 'USD',
  method: 'CREDIT_CARD',
  transactionId: 'TXN-1',
};

/**
 * A view can miss a commit (its writer died between the append and the view, or another replica's view
 * update is still on its way). A decision of "nothing to do", or a domain error, made on such a view is
 * checked against the event store before it stands: compensations must not silently do nothing.
 */
describe('decisions on a stale view are made again on the head', () => {
  let kv: InMemoryKeyValueStore;
  let runtime: EventSourcingRuntime;

  beforeEach(() => {
    kv = new InMemoryKeyValueStore();
    runtime = inMemoryRuntime({ kv, clock: new ManualClock() });
  });
  afterEach(() => runtime.close());

  test('ReleaseStock on a view that missed its StockReserved releases the stock', async () => {
    const products = runtime.repository('Product', productDecider);
    const views = kv.map<AggregateView<ProductState>>('t.Product.view');
    await products.handle(
      'p1',
      { type: 'CreateProduct', sku: 'S-1', name: 'One', price: '1.00', quantityOnHand: 10 },
      meta,
    );
    const beforeReservation = (await views.get('p1'))!.value;
    await products.handle('p1', { type: 'ReserveStock', orderId: 'o1', quantity: 4 }, meta);
    await views.set('p1', beforeReservation); // the view never saw the reservation

    const released = await products.handle(
      'p1',
      { type: 'ReleaseStock', orderId: 'o1', reason: 'compensation' },
      meta,
    );

    expect(released.events.map((event) => event.eventType)).toEqual(['StockReleased']);
    expect(released.state).toMatchObject({ quantityOnHand: 10, quantityReserved: 0 });
    expect((await views.get('p1'))?.value.version).toBe(3);
  });

  test('a no-op decided on a stale view saves the view it folded', async () => {
    const products = runtime.repository('Product', productDecider);
    const views = kv.map<AggregateView<ProductState>>('t.Product.view');
    await products.handle(
      'p1',
      { type: 'CreateProduct', sku: 'S-1', name: 'One', price: '1.00', quantityOnHand: 10 },
      meta,
    );
    const beforeReservation = (await views.get('p1'))!.value;
    await products.handle('p1', { type: 'ReserveStock', orderId: 'o1', quantity: 4 }, meta);
    await views.set('p1', beforeReservation);

    const repeat = await products.handle('p1', { type: 'ReserveStock', orderId: 'o1', quantity: 4 }, meta);

    expect(repeat.events).toEqual([]);
    expect(repeat.version).toBe(2);
    expect((await views.get('p1'))?.value).toMatchObject({ version: 2, state: { quantityReserved: 4 } });
  });

  test('a refund reading a view that missed PaymentProcessed refunds the captured money', async () => {
    const payments = runtime.repository('Payment', paymentDecider);
    const views = kv.map<AggregateView<PaymentState>>('t.Payment.view');
    await payments.handle('pay-1', capture, meta);
    await views.delete('pay-1'); // the view never saw the payment

    const refunded = await payments.handle(
      'pay-1',
      { type: 'RefundPayment', reason: 'compensation', refundTransactionId: 'RFD-1' },
      meta,
    );

    expect(refunded.events.map((event) => event.eventType)).toEqual(['PaymentRefunded']);
    expect(refunded.state).toMatchObject({ status: 'REFUNDED' });
  });

  test('a domain error on the head still stands, and the view it folded is saved', async () => {
    const payments = runtime.repository('Payment', paymentDecider);
    const views = kv.map<AggregateView<PaymentState>>('t.Payment.view');
    await payments.handle('pay-1', capture, meta);
    await payments.handle(
      'pay-1',
      { type: 'RefundPayment', reason: 'r', refundTransactionId: 'RFD-1' },
      meta,
    );
    await views.delete('pay-1');

    await expect(
      payments.handle(
        'pay-1',
        { type: 'RefundPayment', reason: 'again', refundTransactionId: 'RFD-2' },
        meta,
      ),
    ).rejects.toMatchObject({ code: 'INVALID_PAYMENT_STATE' });
    expect((await views.get('pay-1'))?.value).toMatchObject({ version: 2, state: { status: 'REFUNDED' } });
  });

  test('a command refused on an aggregate that does not exist leaves no view behind', async () => {
    const payments = runtime.repository('Payment', paymentDecider);
    const views = kv.map<AggregateView<PaymentState>>('t.Payment.view');
    await expect(
      payments.handle('nope', { type: 'RefundPayment', reason: 'r', refundTransactionId: 'RFD-1' }, meta),
    ).rejects.toMatchObject({ code: 'PAYMENT_NOT_FOUND' });
    expect(await views.get('nope')).toBeUndefined();
  });
});
