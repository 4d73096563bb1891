import { Naming } from '../../../src/core/naming';
import { HazelcastKeyValueStore } from '../../../src/storage/hazelcast-key-value';
import { closeTestHazelcast, testHazelcast } from '../../support/hazelcast';
import { call, startTestSystem, type TestSystem } from '../../support/system';

describe('payment service API', () => {
  let system: TestSystem;
  const url = (path: string) => system.url('payment', path);
  const pay = (amount: unknown, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    call(
      'POST',
      url('/api/payments'),
      { orderId: `o-${Math.random()}`, customerId: 'c-1', amount, currency: 'usd', ...extra },
      headers,
    );

  beforeAll(async () => {
    system = await startTestSystem({ only: ['payment'] });
  });
  afterAll(() => system?.stop());

  test('a payment up to 10000.00 is CAPTURED with a transaction id; the default method is CREDIT_CARD', async () => {
    const paid = await pay('10000.00');
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({
      status: 'CAPTURED',
      amount: 10000,
      currency: 'USD',
      method: 'CREDIT_CARD',
      failureReason: null,
    });
    expect(paid.body.transactionId).toEqual(expect.any(String));
    expect((await call('GET', url(`/api/payments/${paid.body.paymentId}`))).body).toEqual(paid.body);
  });

  test('above 10000.00 the processor declines: 201 FAILED with the reason', async () => {
    const declined = await pay(10000.01, { method: 'DEBIT_CARD' });
    expect(declined.status).toBe(201);
    expect(declined.body).toMatchObject({
      status: 'FAILED',
      failureReason: 'Payment declined by processor',
      method: 'DEBIT_CARD',
    });
  });

  test("GET by order returns the order's latest payment, failed ones too", async () => {
    const orderId = `o-${Math.random()}`;
    await pay('20000', { orderId });
    const latest = await pay('20.00', { orderId });
    const byOrder = await call('GET', url(`/api/payments/order/${orderId}`));
    expect(byOrder.status).toBe(200);
    expect(byOrder.body.paymentId).toBe(latest.body.paymentId);
    expect((await call('GET', url('/api/payments/order/none'))).body.errorCode).toBe('PAYMENT_NOT_FOUND');
  });

  test('refund: 200 REFUNDED once, then 409 INVALID_PAYMENT_STATE with details', async () => {
    const paid = await pay('50.00');
    const refund = () =>
      call('POST', url(`/api/payments/${paid.body.paymentId}/refund`), { reason: 'customer asked' });
    expect(await refund()).toMatchObject({ status: 200, body: { status: 'REFUNDED' } });
    const again = await refund();
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      errorCode: 'INVALID_PAYMENT_STATE',
      details: { id: paid.body.paymentId, currentStatus: 'REFUNDED', requestedOperation: 'refund' },
    });
    const failed = await pay('20000');
    expect(
      (await call('POST', url(`/api/payments/${failed.body.paymentId}/refund`), { reason: 'x' })).status,
    ).toBe(409);
    expect((await call('POST', url('/api/payments/nope/refund'), { reason: 'x' })).status).toBe(404);
  });

  test('bad input names the field: currency, amount, unknown method', async () => {
    const badCurrency = await pay(10, { currency: 'dollars' });
    expect(badCurrency.status).toBe(400);
    expect(badCurrency.body.details).toHaveProperty('currency');
    const badAmount = await pay(-5);
    expect(badAmount.body.details).toHaveProperty('amount');
    const badMethod = await pay(10, { method: 'CASH' });
    expect(badMethod.status).toBe(400);
    expect(badMethod.body.errorCode).toBe('INVALID_ARGUMENT');
  });

  test('Idempotency-Key: a retried charge is not charged twice', async () => {
    const body = { orderId: 'o-idem', customerId: 'c', amount: 12.5, currency: 'EUR' };
    const headers = { 'Idempotency-Key': `pay-${Math.random()}` };
    const first = await call('POST', url('/api/payments'), body, headers);
    const second = await call('POST', url('/api/payments'), body, headers);
    expect(second.body).toEqual(first.body);
    const events = await call<unknown[]>('GET', url(`/api/payments/${first.body.paymentId}/events`));
    expect(events.body).toHaveLength(1);
    const payments = await call<Array<{ orderId: string }>>('GET', url('/api/payments?limit=1000'));
    expect(payments.body.filter((payment) => payment.orderId === 'o-idem')).toHaveLength(1);
  });

  test('Idempotency-Key on refund is per payment: the same key on another payment refunds that one', async () => {
    const [a, b] = [await pay(10), await pay(20)];
    const headers = { 'Idempotency-Key': `refund-${Math.random()}` };
    const refund = (paymentId: string) =>
      call('POST', url(`/api/payments/${paymentId}/refund`), { reason: 'asked' }, headers);
    expect((await refund(a.body.paymentId as string)).body).toMatchObject({ paymentId: a.body.paymentId });
    const second = await refund(b.body.paymentId as string);
    expect(second).toMatchObject({ status: 200, body: { paymentId: b.body.paymentId, status: 'REFUNDED' } });
    expect((await call('GET', url(`/api/payments/${b.body.paymentId}`))).body.status).toBe('REFUNDED');
  });

  test('a refund retried with its key after it committed answers 200 REFUNDED again, not 409', async () => {
    const paid = await pay(15);
    const headers = { 'Idempotency-Key': `refund-${Math.random()}` };
    const refund = () =>
      call('POST', url(`/api/payments/${paid.body.paymentId}/refund`), { reason: 'asked' }, headers);
    const first = await refund();
    expect(first.status).toBe(200);
    // The remembered answer is gone (as after a first attempt that died after its commit): the work runs again.
    const { client } = await testHazelcast();
    try {
      await new HazelcastKeyValueStore(client).map(new Naming(system.prefix).idempotency('payment')).clear();
    } finally {
      await closeTestHazelcast(client);
    }
    const again = await refund();
    expect(again).toMatchObject({ status: 200, body: { status: 'REFUNDED' } });
    expect(again.body.refundTransactionId).toBe(first.body.refundTransactionId);
  });
});
