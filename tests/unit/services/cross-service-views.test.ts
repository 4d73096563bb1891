import {
  customerDecider,
  type CustomerCommand,
  type CustomerEvent,
} from '../../../services/account/customer-decider';
import {
  productDecider,
  type ProductCommand,
  type ProductEvent,
} from '../../../services/inventory/product-decider';
import {
  applyCustomerEvent,
  applyProductEvent,
  type CustomerRow,
  type ProductRow,
} from '../../../services/order/cross-service-views';
import type { EventEnvelope, NewEvent } from '../../../src/events/envelope';
import { deciderSpec, envelope } from '../../support/decider-spec';

const fold = <V>(
  apply: (current: V | undefined, event: EventEnvelope) => V | undefined,
  events: readonly EventEnvelope[],
): V | undefined =>
  events.reduce<V | undefined>((current, event) => apply(current, event) ?? current, undefined);

const recordAll = <E extends NewEvent>(events: readonly E[], key: string): EventEnvelope[] =>
  events.map((event, index) => envelope(event, index + 1, key));

describe('customer cache (applyCustomerEvent)', () => {
  const created = envelope<CustomerEvent>(
    {
      type: 'CustomerCreated',
      payload: { email: 'ada@example.com', name: 'Ada', address: null, phone: null },
    },
    1,
    'c-1',
  );
  const row: CustomerRow = { customerId: 'c-1', name: 'Ada', email: 'ada@example.com', status: 'ACTIVE' };

  it('adds an ACTIVE row on CustomerCreated, keyed by the aggregate id', () => {
    expect(applyCustomerEvent(undefined, created)).toEqual(row);
  });

  it('takes the new name and email on CustomerUpdated', () => {
    const updated = envelope<CustomerEvent>(
      {
        type: 'CustomerUpdated',
        payload: { email: 'ada@lovelace.org', name: 'Ada King', address: 'x', phone: null },
      },
      2,
      'c-1',
    );
    expect(applyCustomerEvent(row, updated)).toEqual({ ...row, name: 'Ada King', email: 'ada@lovelace.org' });
  });

  it('keeps name and email an update does not carry', () => {
    const partial: EventEnvelope = { ...created, eventType: 'CustomerUpdated', version: 2, payload: {} };
    expect(applyCustomerEvent(row, partial)).toEqual(row);
  });

  it('takes the new status on CustomerStatusChanged', () => {
    const changed = envelope<CustomerEvent>(
      { type: 'CustomerStatusChanged', payload: { newStatus: 'SUSPENDED', reason: null } },
      2,
      'c-1',
    );
    expect(applyCustomerEvent(row, changed)).toEqual({ ...row, status: 'SUSPENDED' });
  });

  it('has no row for an update or status change of a customer it never saw', () => {
    const changed = envelope<CustomerEvent>(
      { type: 'CustomerStatusChanged', payload: { newStatus: 'CLOSED', reason: null } },
      2,
      'c-1',
    );
    expect(applyCustomerEvent(undefined, changed)).toBeUndefined();
    expect(applyCustomerEvent(undefined, { ...changed, eventType: 'CustomerUpdated' })).toBeUndefined();
  });

  it('ignores events it does not know', () => {
    expect(applyCustomerEvent(row, { ...created, eventType: 'CustomerMerged' })).toBeUndefined();
  });

  it("agrees with the account service's own state over what its decider writes", () => {
    const customers = deciderSpec(customerDecider, 'c-1');
    const events: CustomerEvent[] = [];
    const decide = (command: CustomerCommand): void => {
      events.push(...customerDecider.decide(command, customers.given(events).state));
    };
    decide({ type: 'CreateCustomer', customerId: 'c-1', email: 'ada@example.com', name: 'Ada' });
    decide({ type: 'UpdateCustomer', email: 'ada@lovelace.org', name: 'Ada King' });
    decide({ type: 'ChangeCustomerStatus', status: 'CLOSED' });
    const customer = customers.given(events).state;
    expect(customer).toMatchObject({ name: 'Ada King', email: 'ada@lovelace.org', status: 'CLOSED' });
    expect(fold(applyCustomerEvent, recordAll(events, 'c-1'))).toEqual({
      customerId: customer?.customerId,
      name: customer?.name,
      email: customer?.email,
      status: customer?.status,
    });
  });
});

describe('product availability (applyProductEvent)', () => {
  const productCreated: ProductEvent = {
    type: 'ProductCreated',
    payload: {
      sku: 'SKU-1',
      name: 'Widget',
      description: null,
      price: '19.99',
      initialQuantity: 10,
      category: null,
    },
  };
  const created = envelope(productCreated, 1, 'p-1');
  const row: ProductRow = {
    productId: 'p-1',
    name: 'Widget',
    sku: 'SKU-1',
    price: '19.99',
    quantityOnHand: 10,
    quantityReserved: 0,
  };
  const stock = (event: ProductEvent, version = 2): EventEnvelope => envelope(event, version, 'p-1');

  it('adds a row with price, name, sku and on-hand stock on ProductCreated', () => {
    expect(applyProductEvent(undefined, created)).toEqual(row);
  });

  it('adds to reserved on StockReserved', () => {
    expect(
      applyProductEvent(row, stock({ type: 'StockReserved', payload: { orderId: 'o-1', quantity: 3 } })),
    ).toEqual({ ...row, quantityReserved: 3 });
  });

  it('takes from reserved on StockReleased', () => {
    expect(
      applyProductEvent(
        { ...row, quantityReserved: 5 },
        stock({ type: 'StockReleased', payload: { orderId: 'o-1', quantity: 2, reason: 'cancelled' } }),
      ),
    ).toEqual({ ...row, quantityReserved: 3 });
  });

  it('takes the new on-hand quantity on StockReplenished', () => {
    expect(
      applyProductEvent(
        row,
        stock({
          type: 'StockReplenished',
          payload: { quantityAdded: 5, newQuantityOnHand: 15, reason: 'r' },
        }),
      ),
    ).toEqual({ ...row, quantityOnHand: 15 });
  });

  it('is not concerned by StockReservationFailed', () => {
    expect(
      applyProductEvent(
        row,
        stock({
          type: 'StockReservationFailed',
          payload: {
            orderId: 'o-1',
            productId: 'p-1',
            requestedQuantity: 50,
            availableQuantity: 10,
            reason: 'short',
          },
        }),
      ),
    ).toBeUndefined();
  });

  it('has no row for stock events of a product it never saw', () => {
    expect(
      applyProductEvent(
        undefined,
        stock({ type: 'StockReserved', payload: { orderId: 'o-1', quantity: 1 } }),
      ),
    ).toBeUndefined();
  });

  it("agrees with the inventory service's own stock over what its decider writes", () => {
    const products = deciderSpec(productDecider, 'p-1');
    const events: ProductEvent[] = [productCreated];
    const decide = (command: ProductCommand): void => {
      events.push(...productDecider.decide(command, products.given(events).state));
    };
    decide({ type: 'ReserveStock', orderId: 'o-1', quantity: 4 });
    decide({ type: 'ReserveStock', orderId: 'o-2', quantity: 3 });
    decide({ type: 'ReleaseStock', orderId: 'o-1', reason: 'cancelled' });
    decide({ type: 'ReplenishStock', quantity: 5, reason: 'delivery' });
    decide({ type: 'SettleStock', orderId: 'o-2' });
    decide({ type: 'ReserveStock', orderId: 'o-3', quantity: 2 });
    decide({ type: 'CancelOrderStock', orderId: 'o-2', quantity: 3, sagaCompleted: true, reason: 'x' });
    decide({ type: 'CloseCancellation', orderId: 'o-2' });
    decide({
      type: 'ReserveStock',
      orderId: 'd-1',
      quantity: 1,
      at: '2026-01-01T00:00:00.000Z',
      holdUntil: '2026-01-01T00:10:00.000Z',
    });
    decide({ type: 'ReserveStock', orderId: 'o-4', quantity: 1, at: '2026-01-01T00:10:00.000Z' });
    decide({ type: 'SettleStock', orderId: 'o-4' });
    const product = products.given(events).state;
    expect(product).toMatchObject({ quantityOnHand: 14, quantityReserved: 2, reservations: { 'o-3': 2 } });
    expect(fold(applyProductEvent, recordAll(events, 'p-1'))).toEqual({
      ...row,
      quantityOnHand: product?.quantityOnHand,
      quantityReserved: product?.quantityReserved,
    });
  });
});
