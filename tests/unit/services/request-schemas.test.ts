import type { z } from 'zod';
import { customerBody, statusBody } from '../../../services/account/customer-schemas';
import type { Product } from '../../../services/inventory/product-decider';
import {
  createProductBody,
  releaseBody,
  replenishBody,
  reserveBody,
  toProductResponse,
} from '../../../services/inventory/product-schemas';
import { cancelBody, createOrderBody, toOrderResponse } from '../../../services/order/order-schemas';
import { createPaymentBody, refundBody, toPaymentResponse } from '../../../services/payment/payment-schemas';
import { moneyString } from '../../../src/events/money';
import { fieldMessages, isUnknownValue, issueDetails } from '../../../src/http/zod-issues';

/** The field → message details the HTTP edge answers with, parsed as the edge parses bodies. */
const details = (schema: z.ZodType, body: unknown): Record<string, string> => {
  const result = schema.safeParse(body, { error: fieldMessages });
  return result.success ? {} : issueDetails(result.error.issues, 'body');
};

/** Asserts the body is rejected on exactly this field. */
const rejects = (schema: z.ZodType, body: unknown, field: string): void => {
  expect(Object.keys(details(schema, body))).toEqual([field]);
};

const accepts = (schema: z.ZodType, body: unknown): void => {
  expect(details(schema, body)).toEqual({});
};

const text = (length: number): string => 'x'.repeat(length);

describe('account request schemas', () => {
  const valid = { email: 'ada@example.com', name: 'Ada' };

  it('accepts a customer with only email and name', () => {
    expect(customerBody.parse(valid)).toEqual(valid);
  });

  it.each([2, 100])('accepts a name of %i characters', (length) => {
    accepts(customerBody, { ...valid, name: text(length) });
  });

  it.each([0, 1, 101])('rejects a name of %i characters', (length) => {
    rejects(customerBody, { ...valid, name: text(length) }, 'name');
  });

  it('counts the name after trimming', () => {
    rejects(customerBody, { ...valid, name: '  A  ' }, 'name');
    expect(customerBody.parse({ ...valid, name: '  Al  ' }).name).toBe('Al');
  });

  it.each(['not-an-email', 'ada@', '@example.com', 'ada example@example.com', ''])(
    'rejects the email %p',
    (email) => {
      rejects(customerBody, { ...valid, email }, 'email');
    },
  );

  it('requires email and name', () => {
    expect(Object.keys(details(customerBody, {})).sort()).toEqual(['email', 'name']);
  });

  it('keeps address and phone absent when they are not given (so an update keeps them)', () => {
    const parsed = customerBody.parse(valid);
    expect('address' in parsed).toBe(false);
    expect('phone' in parsed).toBe(false);
  });

  it('bounds address and phone', () => {
    accepts(customerBody, { ...valid, address: text(500), phone: text(50) });
    rejects(customerBody, { ...valid, address: text(501) }, 'address');
    rejects(customerBody, { ...valid, phone: text(51) }, 'phone');
  });

  it.each(['ACTIVE', 'SUSPENDED', 'CLOSED'])('accepts the status %s', (status) => {
    accepts(statusBody, { status });
  });

  it('rejects an unknown status as an unknown enum value (400 INVALID_ARGUMENT)', () => {
    const result = statusBody.safeParse({ status: 'DELETED' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['status']);
    expect(result.error?.issues.some(isUnknownValue)).toBe(true);
  });
});

describe('inventory request schemas', () => {
  const valid = { sku: 'SKU-1', name: 'Widget', price: 19.99, quantityOnHand: 10 };

  it('accepts a product, money becoming an exact decimal', () => {
    const parsed = createProductBody.parse({ ...valid, description: 'd', category: 'tools' });
    expect(moneyString(parsed.price)).toBe('19.99');
    expect(parsed).toMatchObject({ sku: 'SKU-1', name: 'Widget', quantityOnHand: 10, category: 'tools' });
  });

  it.each([1, 50])('accepts a sku of %i characters', (length) => {
    accepts(createProductBody, { ...valid, sku: text(length) });
  });

  it.each(['', '   ', text(51)])('rejects the sku %p', (sku) => {
    rejects(createProductBody, { ...valid, sku }, 'sku');
  });

  it.each([2, 200])('accepts a name of %i characters', (length) => {
    accepts(createProductBody, { ...valid, name: text(length) });
  });

  it.each([1, 201])('rejects a name of %i characters', (length) => {
    rejects(createProductBody, { ...valid, name: text(length) }, 'name');
  });

  it('accepts a description of 1000 characters and rejects 1001', () => {
    accepts(createProductBody, { ...valid, description: text(1000) });
    rejects(createProductBody, { ...valid, description: text(1001) }, 'description');
  });

  it.each([0.01, '0.01', 1_000_000, '19.99', ' 19.99 '])('accepts the price %p', (price) => {
    accepts(createProductBody, { ...valid, price });
  });

  it.each([0, 0.004, -1, '0', '-5.00', 'abc', '', '1e3', null, true])('rejects the price %p', (price) => {
    rejects(createProductBody, { ...valid, price }, 'price');
  });

  it.each([1_000_000_000, '1000000000.00', ' 1000000000 '])('accepts the largest price, %p', (price) => {
    accepts(createProductBody, { ...valid, price });
  });

  it.each([1_000_000_000.01, '1000000000.01', '99999999999999999999', 1e300, 0.009, '0.009'])(
    'rejects the price %p as out of bounds, naming the range (bounds apply to the value as sent)',
    (price) => {
      expect(details(createProductBody, { ...valid, price })).toEqual({
        price: 'must be 0.01 to 1000000000.00',
      });
    },
  );

  it('reads a price given as number or as numeric string to the same decimal, rounded half-up', () => {
    const price = (value: unknown): string =>
      moneyString(createProductBody.parse({ ...valid, price: value }).price);
    expect(price(19.99)).toBe('19.99');
    expect(price('19.99')).toBe('19.99');
    expect(price('1.005')).toBe('1.01');
    expect(price(1.005)).toBe('1.01');
    expect(price('2.344')).toBe('2.34');
  });

  it.each([0, 1_000_000_000])('accepts a quantityOnHand of %i', (quantityOnHand) => {
    accepts(createProductBody, { ...valid, quantityOnHand });
  });

  it.each([-1, 1.5, '10'])('rejects a quantityOnHand of %p', (quantityOnHand) => {
    rejects(createProductBody, { ...valid, quantityOnHand }, 'quantityOnHand');
  });

  it('requires sku, name, price and quantityOnHand', () => {
    expect(Object.keys(details(createProductBody, {})).sort()).toEqual([
      'name',
      'price',
      'quantityOnHand',
      'sku',
    ]);
  });

  it('reserves at least 1, whole, for an order', () => {
    accepts(reserveBody, { quantity: 1, orderId: 'o-1' });
    rejects(reserveBody, { quantity: 0, orderId: 'o-1' }, 'quantity');
    rejects(reserveBody, { quantity: -3, orderId: 'o-1' }, 'quantity');
    rejects(reserveBody, { quantity: 1.5, orderId: 'o-1' }, 'quantity');
    rejects(reserveBody, { quantity: 1, orderId: ' ' }, 'orderId');
    rejects(reserveBody, { quantity: 1 }, 'orderId');
  });

  it('releases at least 1 for an order, with a reason', () => {
    accepts(releaseBody, { quantity: 1, orderId: 'o-1', reason: 'cancelled' });
    rejects(releaseBody, { quantity: 0, orderId: 'o-1', reason: 'cancelled' }, 'quantity');
    rejects(releaseBody, { quantity: 1, orderId: 'o-1', reason: '  ' }, 'reason');
  });

  it('replenishes at least 1, with a reason', () => {
    accepts(replenishBody, { quantity: 1, reason: 'delivery' });
    rejects(replenishBody, { quantity: 0, reason: 'delivery' }, 'quantity');
    rejects(replenishBody, { quantity: 1 }, 'reason');
  });

  const widget: Product = {
    productId: 'p-1',
    sku: 'SKU-1',
    name: 'Widget',
    description: null,
    price: '19.90',
    category: null,
    quantityOnHand: 10,
    quantityReserved: 4,
    status: 'ACTIVE',
    reservations: { 'o-1': 4 },
    holds: {},
    cancellations: {},
    createdAt: 't1',
    updatedAt: 't2',
  };

  it('answers availableQuantity = onHand − reserved and money as a number, hiding reservations', () => {
    const response = toProductResponse(widget, '2026-01-01T00:00:00.000Z');
    expect(response).toMatchObject({
      price: 19.9,
      quantityOnHand: 10,
      quantityReserved: 4,
      availableQuantity: 6,
    });
    expect(response).not.toHaveProperty('reservations');
    expect(response).not.toHaveProperty('holds');
    expect(response).not.toHaveProperty('cancellations');
  });

  it('answers a direct reservation whose hold lapsed as released', () => {
    const response = toProductResponse(
      {
        ...widget,
        quantityReserved: 10,
        status: 'OUT_OF_STOCK',
        reservations: { 'o-1': 4, 'd-1': 6 },
        holds: { 'd-1': '2026-01-01T00:10:00.000Z' },
      },
      '2026-01-01T00:10:00.000Z',
    );
    expect(response).toMatchObject({ quantityReserved: 4, availableQuantity: 6, status: 'ACTIVE' });
  });
});

describe('order request schemas', () => {
  const valid = {
    customerId: 'c-1',
    lineItems: [{ productId: 'p-1', quantity: 2 }],
    shippingAddress: '1 Analytical St',
  };

  it('accepts lines with and without unitPrice, unitPrice as number or numeric string', () => {
    const parsed = createOrderBody.parse({
      ...valid,
      lineItems: [
        { productId: 'p-1', quantity: 1 },
        { productId: 'p-2', quantity: 2, unitPrice: 0.1 },
        { productId: 'p-3', quantity: 3, unitPrice: '19.99' },
      ],
    });
    expect(parsed.lineItems.map((line) => line.unitPrice && moneyString(line.unitPrice))).toEqual([
      undefined,
      '0.10',
      '19.99',
    ]);
  });

  it('requires at least one line item', () => {
    rejects(createOrderBody, { ...valid, lineItems: [] }, 'lineItems');
  });

  it('reports a bad line by its index', () => {
    const lineItems = [
      { productId: 'p-1', quantity: 1 },
      { productId: 'p-2', quantity: 0 },
    ];
    rejects(createOrderBody, { ...valid, lineItems }, 'lineItems.1.quantity');
  });

  it.each([
    [{ productId: 'p-1', quantity: 1, unitPrice: 'abc' }, 'lineItems.0.unitPrice'],
    [{ productId: 'p-1', quantity: 1, unitPrice: 0 }, 'lineItems.0.unitPrice'],
    [{ productId: 'p-1', quantity: 1.5 }, 'lineItems.0.quantity'],
    [{ productId: '', quantity: 1 }, 'lineItems.0.productId'],
    [{ quantity: 1 }, 'lineItems.0.productId'],
  ])('rejects the line %p on %s', (line, field) => {
    rejects(createOrderBody, { ...valid, lineItems: [line] }, field);
  });

  it('bounds unitPrice like every amount, naming the line', () => {
    accepts(createOrderBody, { ...valid, lineItems: [{ productId: 'p-1', quantity: 1, unitPrice: 1e9 }] });
    expect(
      details(createOrderBody, {
        ...valid,
        lineItems: [{ productId: 'p-1', quantity: 1, unitPrice: '1000000000.01' }],
      }),
    ).toEqual({ 'lineItems.0.unitPrice': 'must be 0.01 to 1000000000.00' });
  });

  it('requires a customer and a shipping address', () => {
    rejects(createOrderBody, { ...valid, customerId: ' ' }, 'customerId');
    rejects(createOrderBody, { ...valid, shippingAddress: '' }, 'shippingAddress');
  });

  it('cancels with a reason and who cancelled', () => {
    accepts(cancelBody, { reason: 'changed my mind', cancelledBy: 'customer' });
    rejects(cancelBody, { reason: '', cancelledBy: 'customer' }, 'reason');
    rejects(cancelBody, { reason: 'r' }, 'cancelledBy');
  });

  it('answers money as JSON numbers', () => {
    const response = toOrderResponse({
      orderId: 'o-1',
      customerId: 'c-1',
      customerName: null,
      customerEmail: null,
      lineItems: [
        {
          productId: 'p-1',
          productName: null,
          sku: null,
          quantity: 3,
          unitPrice: '19.99',
          lineTotal: '59.97',
        },
      ],
      subtotal: '59.97',
      tax: '6.00',
      total: '65.97',
      shippingAddress: 'a',
      status: 'PENDING',
      sagaId: 's-1',
      confirmationNumber: null,
      cancellationReason: null,
      cancelledBy: null,
      createdAt: 't',
      updatedAt: 't',
    });
    expect(response).toMatchObject({
      subtotal: 59.97,
      tax: 6,
      total: 65.97,
      lineItems: [{ unitPrice: 19.99, lineTotal: 59.97 }],
    });
  });
});

describe('payment request schemas', () => {
  const valid = { orderId: 'o-1', customerId: 'c-1', amount: 65.97, currency: 'USD' };

  it('defaults the method to CREDIT_CARD', () => {
    expect(createPaymentBody.parse(valid).method).toBe('CREDIT_CARD');
  });

  it.each(['CREDIT_CARD', 'DEBIT_CARD', 'BANK_TRANSFER', 'DIGITAL_WALLET'])(
    'accepts the method %s',
    (method) => {
      expect(createPaymentBody.parse({ ...valid, method }).method).toBe(method);
    },
  );

  it('rejects an unknown method as an unknown enum value', () => {
    const result = createPaymentBody.safeParse({ ...valid, method: 'PAYPAL' });
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['method']);
    expect(result.error?.issues.some(isUnknownValue)).toBe(true);
  });

  it('accepts a 3-letter currency, upper-cased', () => {
    expect(createPaymentBody.parse({ ...valid, currency: 'eur' }).currency).toBe('EUR');
  });

  it.each(['US', 'USDX', 'U$D', '123', ''])('rejects the currency %p', (currency) => {
    rejects(createPaymentBody, { ...valid, currency }, 'currency');
  });

  it.each([0.01, '0.01', '10000.01', 10000])(
    'accepts the amount %p (declining is the processor’s job)',
    (amount) => {
      accepts(createPaymentBody, { ...valid, amount });
    },
  );

  it.each([1_000_000_000.01, '1000000000.01', 0.009])('rejects the amount %p as out of bounds', (amount) => {
    expect(details(createPaymentBody, { ...valid, amount })).toEqual({
      amount: 'must be 0.01 to 1000000000.00',
    });
  });

  it('reads the amount as number or numeric string to the same decimal', () => {
    expect(moneyString(createPaymentBody.parse({ ...valid, amount: '65.97' }).amount)).toBe('65.97');
    expect(moneyString(createPaymentBody.parse({ ...valid, amount: 65.97 }).amount)).toBe('65.97');
  });

  it.each([0, -10, 'abc', '12,50', null])('rejects the amount %p', (amount) => {
    rejects(createPaymentBody, { ...valid, amount }, 'amount');
  });

  it('requires orderId and customerId', () => {
    rejects(createPaymentBody, { ...valid, orderId: '' }, 'orderId');
    rejects(createPaymentBody, { ...valid, customerId: undefined }, 'customerId');
  });

  it('refunds with a reason', () => {
    accepts(refundBody, { reason: 'order cancelled' });
    rejects(refundBody, { reason: ' ' }, 'reason');
  });

  it('answers the amount as a number and hides the refund bookkeeping', () => {
    const response = toPaymentResponse({
      paymentId: 'pay-1',
      orderId: 'o-1',
      customerId: 'c-1',
      amount: '65.90',
      currency: 'USD',
      method: 'CREDIT_CARD',
      status: 'REFUNDED',
      transactionId: 'TXN-1',
      processedAt: 't',
      failureReason: null,
      refundTransactionId: 'RFD-1',
      refundReason: 'r',
      createdAt: 't',
      updatedAt: 't',
    });
    expect(response.amount).toBe(65.9);
    expect(response).not.toHaveProperty('refundTransactionId');
    expect(response).not.toHaveProperty('refundReason');
  });
});
