import { join } from 'node:path';
import type { Client } from 'hazelcast-client';
import { stringify } from 'yaml';
import { Naming } from '../../../src/core/naming';
import { startMember, type HazelcastMember } from '../../../src/hazelcast/member';
import { findFreePort } from '../../../src/net/free-port';
import type { EffectivePolicy } from '../../../src/sagas/saga-policy';
import { HazelcastKeyValueStore } from '../../../src/storage/hazelcast-key-value';
import { closeTestHazelcast, testHazelcast } from '../../support/hazelcast';
import { installSagaPolicyCrd, kubectlJson, kubectlOk, useControlPlane } from '../../support/kube';
import { startTestOperator, type OperatorProcess } from '../../support/operator-process';
import { Shop } from '../../support/saga-fixtures';
import { eventually, startTestSystem, type TestSystem } from '../../support/system';

interface PolicyObject {
  metadata: { generation: number; finalizers?: string[] };
  status?: {
    observedGeneration?: number;
    acknowledgedServices?: number;
    conditions?: Array<{ type: string; status: string; reason: string; message: string }>;
  };
}

const NAMESPACE = 'sagas';

const policyYaml = (name: string, spec: Record<string, unknown>) =>
  stringify({
    apiVersion: 'saga.hms.dev/v1alpha1',
    kind: 'SagaPolicy',
    metadata: { name, namespace: NAMESPACE },
    spec,
  });

/** The SagaPolicy operator against a real kube-apiserver and etcd, a real Hazelcast member and the four services. */
describe('SagaPolicy operator', () => {
  const kube = useControlPlane();
  let system: TestSystem;
  let client: Client;
  let shop: Shop;
  const operators: OperatorProcess[] = [];

  const operator = async (name: string, env: Record<string, string> = {}) => {
    const started = await startTestOperator({
      name,
      kubeconfig: kube().kubeconfigPath,
      namespace: NAMESPACE,
      prefix: system.prefix,
      env,
    });
    operators.push(started);
    return started;
  };
  const apply = (name: string, spec: Record<string, unknown>) =>
    kube().kubectl(['apply', '-f', '-'], { input: policyYaml(name, spec) });
  const get = (name: string) =>
    kubectlJson<PolicyObject>(kube(), ['get', 'sagapolicy', name, '-n', NAMESPACE]);
  const condition = (policy: PolicyObject, type: string) =>
    policy.status?.conditions?.find((c) => c.type === type);
  const policyMap = () =>
    new HazelcastKeyValueStore(client).map<EffectivePolicy>(new Naming(system.prefix).sagaPolicy());

  beforeAll(async () => {
    ({ client } = await testHazelcast());
    system = await startTestSystem();
    shop = new Shop(system);
    await installSagaPolicyCrd(kube(), NAMESPACE);
  }, 240_000);

  afterAll(async () => {
    await Promise.all(operators.map((started) => started.stop()));
    await system?.stop();
    await closeTestHazelcast(client);
  });

  afterEach(async () => {
    await kube().kubectl([
      'delete',
      'sagapolicies',
      '--all',
      '-n',
      NAMESPACE,
      '--wait=true',
      '--timeout=30s',
    ]);
    await Promise.all(operators.splice(0).map((started) => started.stop()));
  });

  test('kubectl apply: status Applied and Ready with all services, and the services run the new timeout', async () => {
    await operator('op-a');
    expect(
      (await apply('fast', { sagaType: 'OrderFulfillment', timeout: '2s', checkInterval: '200ms' })).code,
    ).toBe(0);
    const ready = await eventually(
      async () => {
        const policy = await get('fast');
        return condition(policy, 'Ready')?.status === 'True' && policy;
      },
      30_000,
      'Ready=True',
    );
    expect(ready.status).toMatchObject({ observedGeneration: 1, acknowledgedServices: 4 });
    expect(condition(ready, 'Applied')).toMatchObject({ status: 'True', reason: 'PolicyWritten' });
    expect(condition(ready, 'VectorStoreAvailable')).toMatchObject({ status: 'False', reason: 'Disabled' });
    expect(ready.metadata.finalizers).toContain('saga.hms.dev/restore-defaults');
    const table = await kubectlOk(kube(), ['get', 'sagapolicies', '-n', NAMESPACE]);
    expect(table).toMatch(/SAGA TYPE\s+TIMEOUT\s+APPLIED\s+AGE/);
    expect(table).toMatch(/fast\s+OrderFulfillment\s+2s\s+True/);

    // A saga placed now carries the 2 s deadline and, with payment stopped, times out on it.
    await system.services.payment.stop();
    try {
      const customerId = await shop.customer();
      const order = await shop.order(customerId, [
        { productId: await shop.product('10.00', 5), quantity: 1 },
      ]);
      const saga = await shop.ended(order.sagaId as string, 20_000);
      expect(saga).toMatchObject({ status: 'COMPENSATED', timedOut: true });
      expect(Date.parse(saga.deadline as string) - Date.parse(saga.startedAt as string)).toBe(2_000);
    } finally {
      await system.restart('payment');
    }
  }, 120_000);

  test('an update bumps observedGeneration; the vector-store flag reports EnterpriseRequired', async () => {
    await operator('op-a');
    await apply('p', { sagaType: 'OrderFulfillment', timeout: '30s' });
    await eventually(async () => (await get('p')).status?.observedGeneration === 1);
    await apply('p', { sagaType: 'OrderFulfillment', timeout: '45s', vectorStore: { enabled: true } });
    const updated = await eventually(async () => {
      const policy = await get('p');
      return policy.status?.observedGeneration === 2 && policy;
    });
    expect(updated.metadata.generation).toBe(2);
    expect(condition(updated, 'VectorStoreAvailable')).toMatchObject({
      status: 'False',
      reason: 'EnterpriseRequired',
    });
    expect((await policyMap().get('OrderFulfillment'))?.value).toMatchObject({
      timeoutMs: 45_000,
      vectorStoreEnabled: true,
    });
  }, 60_000);

  test('an invalid policy is refused by the API server, naming the field', async () => {
    const cel = await apply('bad', { sagaType: 'OrderFulfillment', timeout: '5s', checkInterval: '10s' });
    expect(cel.code).not.toBe(0);
    expect(cel.stderr).toContain('checkInterval');
    const bounds = await apply('bad', { sagaType: 'OrderFulfillment', timeout: '48h' });
    expect(bounds.code).not.toBe(0);
    expect(bounds.stderr).toContain('timeout');
    const batch = await apply('bad', { sagaType: 'OrderFulfillment', maxBatchSize: 0 });
    expect(batch.stderr).toContain('maxBatchSize');
    expect((await kube().kubectl(['get', 'sagapolicy', 'bad', '-n', NAMESPACE])).code).not.toBe(0);
  });

  test('two policies for one saga type: both report the conflict', async () => {
    await operator('op-a');
    await apply('one', { sagaType: 'OrderFulfillment', timeout: '10s' });
    await apply('two', { sagaType: 'OrderFulfillment', timeout: '20s' });
    for (const name of ['one', 'two']) {
      await eventually(
        async () => condition(await get(name), 'Ready')?.reason === 'Conflict',
        20_000,
        `${name} in conflict`,
      );
    }
    await kubectlOk(kube(), ['delete', 'sagapolicy', 'two', '-n', NAMESPACE]);
    await eventually(
      async () => condition(await get('one'), 'Applied')?.status === 'True',
      20_000,
      'one applied after the rival left',
    );
  }, 60_000);

  test('delete restores the defaults', async () => {
    await operator('op-a');
    await apply('p', { sagaType: 'OrderFulfillment', timeout: '30s' });
    await eventually(async () => (await policyMap().get('OrderFulfillment'))?.value.timeoutMs === 30_000);
    await kubectlOk(kube(), ['delete', 'sagapolicy', 'p', '-n', NAMESPACE, '--timeout=30s']);
    const restored = (await policyMap().get('OrderFulfillment'))?.value;
    expect(restored).toMatchObject({ timeoutMs: 60_000, source: 'default' });
  }, 60_000);

  test('two replicas: only the leader reconciles; the other takes over when the leader stops', async () => {
    const first = await operator('op-a', { LEASE_DURATION_MS: '3000', RETRY_PERIOD_MS: '300' });
    await eventually(async () => (await first.metric('operator_leader')) === 1);
    const second = await operator('op-b', { LEASE_DURATION_MS: '3000', RETRY_PERIOD_MS: '300' });
    await apply('p', { sagaType: 'OrderFulfillment', timeout: '30s' });
    await eventually(async () => (await get('p')).status?.observedGeneration === 1);
    expect(await second.metric('operator_leader')).toBe(0);
    expect(await second.metric('operator_reconcile_total')).toBe(0);

    await first.stop(); // releases the Lease on SIGTERM
    await eventually(
      async () => (await second.metric('operator_leader')) === 1,
      10_000,
      'the second replica to lead',
    );
    await apply('p', { sagaType: 'OrderFulfillment', timeout: '40s' });
    await eventually(
      async () => (await get('p')).status?.observedGeneration === 2,
      20_000,
      'the new leader to reconcile',
    );
  }, 90_000);

  test('the API server restarted mid-watch: the operator recovers and goes on reconciling', async () => {
    await operator('op-a');
    await apply('p', { sagaType: 'OrderFulfillment', timeout: '30s' });
    await eventually(async () => (await get('p')).status?.observedGeneration === 1);
    await kube().restartApiServer();
    await apply('p', { sagaType: 'OrderFulfillment', timeout: '35s' });
    await eventually(
      async () => (await get('p')).status?.observedGeneration === 2,
      60_000,
      'reconcile after the restart',
    );
    expect((await policyMap().get('OrderFulfillment'))?.value.timeoutMs).toBe(35_000);
  }, 120_000);

  test('Hazelcast down, then up: the condition says so, and the policy is applied once it is back', async () => {
    const port = await findFreePort();
    const cluster = `op-hz-${port}`;
    await operator('op-a', { HAZELCAST_ADDRESSES: `127.0.0.1:${port}`, HAZELCAST_CLUSTER_NAME: cluster });
    await apply('p', { sagaType: 'OrderFulfillment', timeout: '30s' });
    await eventually(
      async () => condition(await get('p'), 'Applied')?.reason === 'HazelcastUnavailable',
      60_000,
      'HazelcastUnavailable',
    );
    let member: HazelcastMember | undefined;
    try {
      member = await startMember({
        clusterName: cluster,
        port,
        logFile: join(__dirname, '../../../.run', `op-member-${port}.log`),
      });
      const applied = await eventually(
        async () => {
          const policy = await get('p');
          return condition(policy, 'Applied')?.status === 'True' && policy;
        },
        90_000,
        'Applied once Hazelcast is back',
      );
      expect(condition(applied, 'Ready')).toMatchObject({ status: 'False', reason: 'NoServicesRunning' });
    } finally {
      await member?.stop();
    }
  }, 180_000);
});
