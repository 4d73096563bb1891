import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { projectRoot, startMember, type HazelcastMember } from '../../../src/hazelcast/member';
import { Shop, type Json } from '../../support/saga-fixtures';
import { call, eventually, startTestSystem, type TestSystem } from '../../support/system';

/**
 * Issue 11 item 3, "a member alone restarted in persistent mode", and item 8's concurrency check: the
 * grid is lost mid-burst, PostgreSQL keeps deciding who gets the stock.
 */
describe('persistent mode when the Hazelcast member dies', () => {
  const clusterName = `member-${randomBytes(4).toString('hex')}`;
  let member: HazelcastMember;
  let system: TestSystem;

  const startOwnMember = (port = 0) =>
    startMember({
      clusterName,
      host: '127.0.0.1',
      port,
      logFile: path.join(projectRoot(), '.run', 'tests', `${clusterName}-member.log`),
      stopTimeoutMs: 5_000,
    });

  beforeAll(async () => {
    member = await startOwnMember();
    system = await startTestSystem({
      persistence: 'postgres',
      hazelcast: { address: member.address, clusterName },
    });
  });
  afterAll(async () => {
    await system?.stop().catch(() => undefined);
    await member?.stop().catch(() => undefined);
  });

  test('50 concurrent reserves of 1 on a stock of 20 while the member is killed and restarted: exactly 20', async () => {
    const shop = new Shop(system);
    const productId = await shop.product('2.00', 20);
    const reserve = (orderId: string) =>
      call('POST', system.url('inventory', `/api/products/${productId}/stock/reserve`), {
        quantity: 1,
        orderId,
      });
    /** Retries an answer that is not final (503, or the connection refused), as a client would. */
    const reserveUntilAnswered = async (orderId: string): Promise<number> => {
      for (;;) {
        const status = await reserve(orderId).then(
          (response) => response.status,
          () => 503,
        );
        if (status !== 503) return status;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };

    const port = member.port;
    const burst = Array.from({ length: 50 }, (_, n) => reserveUntilAnswered(`burst-${n}`));
    process.kill(member.pid, 'SIGKILL');
    await member.exited;
    member = await startOwnMember(port);
    const statuses = await Promise.all(burst);

    expect(statuses.filter((status) => status === 200)).toHaveLength(20);
    expect(statuses.filter((status) => status === 409)).toHaveLength(30);
    const product = (await call<Json>('GET', system.url('inventory', `/api/products/${productId}`))).body;
    expect(product).toMatchObject({ quantityReserved: 20, availableQuantity: 0 });
  });

  test('after the restart, sagas run end to end again and earlier data is all there', async () => {
    const shop = new Shop(system);
    const customerId = await shop.customer();
    const productId = await shop.product('10.00', 5);
    const before = await shop.order(customerId, [{ productId, quantity: 1 }]);
    expect((await shop.ended(before.sagaId as string)).status).toBe('COMPLETED');

    const port = member.port;
    process.kill(member.pid, 'SIGKILL');
    await member.exited;
    member = await startOwnMember(port);

    // The services reconnect; the order placed before is still there, and a new one completes.
    const after = await eventually(
      async () => {
        const response = await call('POST', system.url('order', '/api/orders'), {
          customerId,
          lineItems: [{ productId, quantity: 1 }],
          shippingAddress: '1 Restart Lane',
        });
        return response.status === 201 && response.body;
      },
      60_000,
      'an order accepted after the member restart',
    );
    expect((await shop.ended(after.sagaId as string, 60_000)).status).toBe('COMPLETED');
    expect(await shop.getOrder(before.orderId as string)).toMatchObject({ status: 'CONFIRMED' });
    expect((await shop.paymentOf(before.orderId as string)).body).toMatchObject({ status: 'CAPTURED' });
  }, 120_000);
});
