import { ManualClock } from '../../../src/core/clock';
import { Naming } from '../../../src/core/naming';
import type { EffectivePolicy, PolicyAck } from '../../../src/sagas/saga-policy';
import { InMemoryKeyValueStore } from '../../../src/storage/in-memory-key-value';
import { policyMapTarget } from '../../../operator/sagapolicy/policy-map-target';
import type { EventSink, PolicyResources, PolicyTarget } from '../../../operator/sagapolicy/ports';
import { SagaPolicyReconciler } from '../../../operator/sagapolicy/sagapolicy-reconciler';
import {
  FINALIZER,
  type SagaPolicyResource,
  type SagaPolicyStatus,
} from '../../../operator/sagapolicy/sagapolicy-resource';

/** The API server's side, in memory: resources, status patches and events are recorded. */
class FakeResources implements PolicyResources, EventSink {
  readonly items = new Map<string, SagaPolicyResource>();
  statusWrites = 0;
  readonly events: string[] = [];

  put(name: string, spec: unknown, generation = 1): void {
    const key = `ns/${name}`;
    const previous = this.items.get(key);
    this.items.set(key, {
      metadata: { ...previous?.metadata, name, namespace: 'ns', generation },
      spec,
      ...(previous?.status ? { status: previous.status } : {}),
    });
  }
  markDeleted(name: string): void {
    const item = this.items.get(`ns/${name}`)!;
    this.items.set(`ns/${name}`, {
      ...item,
      metadata: { ...item.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' },
    });
  }
  get(namespace: string, name: string) {
    return this.items.get(`${namespace}/${name}`);
  }
  all() {
    return [...this.items.values()];
  }
  async patchStatus(resource: SagaPolicyResource, status: SagaPolicyStatus) {
    this.statusWrites += 1;
    const key = `${resource.metadata.namespace}/${resource.metadata.name}`;
    this.items.set(key, { ...this.items.get(key)!, status });
  }
  async setFinalizers(resource: SagaPolicyResource, finalizers: readonly string[]) {
    const key = `${resource.metadata.namespace}/${resource.metadata.name}`;
    const item = this.items.get(key)!;
    if (finalizers.length === 0 && item.metadata.deletionTimestamp) this.items.delete(key);
    else this.items.set(key, { ...item, metadata: { ...item.metadata, finalizers } });
  }
  async normal(resource: SagaPolicyResource, reason: string) {
    this.events.push(`${resource.metadata.name}:Normal:${reason}`);
  }
  async warning(resource: SagaPolicyResource, reason: string) {
    this.events.push(`${resource.metadata.name}:Warning:${reason}`);
  }
  condition(name: string, type: string) {
    return this.items.get(`ns/${name}`)?.status?.conditions?.find((condition) => condition.type === type);
  }
}

describe('SagaPolicy reconciler', () => {
  let kv: InMemoryKeyValueStore;
  let resources: FakeResources;
  let target: PolicyTarget;
  let reconciler: SagaPolicyReconciler;
  const naming = new Naming();
  const ack = (service: string, generation: number, instanceId = 'i') =>
    kv.map<PolicyAck>(naming.sagaPolicyAcks()).set(`OrderFulfillment|${service}|${instanceId}`, {
      sagaType: 'OrderFulfillment',
      service,
      instanceId,
      generation,
      appliedAt: 0,
    });
  const policy = async () =>
    (await kv.map<EffectivePolicy>(naming.sagaPolicy()).get('OrderFulfillment'))?.value;

  beforeEach(() => {
    kv = new InMemoryKeyValueStore();
    resources = new FakeResources();
    target = policyMapTarget(async () => kv, naming);
    reconciler = new SagaPolicyReconciler({ resources, events: resources, target, clock: new ManualClock() });
  });

  test('writes the policy, adds the finalizer, and is Ready once every running service acknowledged it', async () => {
    await ack('order', 0);
    await ack('payment', 0);
    resources.put('p', { sagaType: 'OrderFulfillment', timeout: '30s' });
    expect(await reconciler.reconcile('ns/p')).toEqual({ requeueAfterMs: 2_000 });
    expect(await policy()).toMatchObject({ timeoutMs: 30_000, generation: 1, source: 'operator/ns/p' });
    expect(resources.get('ns', 'p')?.metadata.finalizers).toEqual([FINALIZER]);
    expect(resources.condition('p', 'Applied')).toMatchObject({ status: 'True' });
    expect(resources.condition('p', 'Ready')).toMatchObject({
      status: 'False',
      reason: 'WaitingForServices',
    });

    await ack('order', 1);
    await ack('payment', 1);
    expect(await reconciler.reconcile('ns/p')).toEqual({});
    expect(resources.get('ns', 'p')?.status).toMatchObject({
      observedGeneration: 1,
      acknowledgedServices: 2,
      appliedPolicyGeneration: 1,
    });
    expect(resources.condition('p', 'Ready')).toMatchObject({
      status: 'True',
      reason: 'AllServicesAcknowledged',
    });
    expect(resources.events).toEqual(['p:Normal:Applied', 'p:Normal:Acknowledged']);
  });

  test('Ready counts every replica: one replica of a service still on the old generation keeps it waiting', async () => {
    await ack('order', 0, 'order-1');
    await ack('order', 0, 'order-2');
    await ack('payment', 0, 'payment-1');
    resources.put('p', { sagaType: 'OrderFulfillment', timeout: '30s' });
    await reconciler.reconcile('ns/p');

    await ack('order', 1, 'order-1');
    await ack('payment', 1, 'payment-1');
    expect(await reconciler.reconcile('ns/p')).toEqual({ requeueAfterMs: 2_000 });
    expect(resources.condition('p', 'Ready')).toMatchObject({
      status: 'False',
      reason: 'WaitingForServices',
      message: '1 of 2 services (2 of 3 replicas) run generation 1',
    });
    expect(resources.get('ns', 'p')?.status?.acknowledgedServices).toBe(1);

    await ack('order', 1, 'order-2');
    expect(await reconciler.reconcile('ns/p')).toEqual({});
    expect(resources.condition('p', 'Ready')).toMatchObject({
      status: 'True',
      reason: 'AllServicesAcknowledged',
      message: '2 of 2 services (3 of 3 replicas) run generation 1',
    });
    expect(resources.get('ns', 'p')?.status?.acknowledgedServices).toBe(2);
  });

  test('a reconcile with nothing new writes neither the map nor the status', async () => {
    await ack('order', 1);
    resources.put('p', { sagaType: 'OrderFulfillment' });
    await reconciler.reconcile('ns/p');
    const writes = resources.statusWrites;
    await reconciler.reconcile('ns/p');
    expect(resources.statusWrites).toBe(writes);
    expect((await policy())?.generation).toBe(1);
  });

  test('an update bumps observedGeneration and the policy generation', async () => {
    resources.put('p', { sagaType: 'OrderFulfillment', timeout: '30s' });
    await reconciler.reconcile('ns/p');
    resources.put('p', { sagaType: 'OrderFulfillment', timeout: '45s' }, 2);
    await reconciler.reconcile('ns/p');
    expect(resources.get('ns', 'p')?.status?.observedGeneration).toBe(2);
    expect(await policy()).toMatchObject({ timeoutMs: 45_000, generation: 2 });
  });

  test('two policies for one saga type: both report the conflict, neither is applied', async () => {
    resources.put('a', { sagaType: 'OrderFulfillment', timeout: '10s' });
    resources.put('b', { sagaType: 'OrderFulfillment', timeout: '20s' });
    await reconciler.reconcile('ns/a');
    await reconciler.reconcile('ns/b');
    expect(resources.condition('a', 'Ready')).toMatchObject({ status: 'False', reason: 'Conflict' });
    expect(resources.condition('b', 'Ready')?.message).toContain('ns/a');
    expect(await policy()).toBeUndefined();
  });

  test('delete restores the defaults through the finalizer', async () => {
    resources.put('p', { sagaType: 'OrderFulfillment', timeout: '30s' });
    await reconciler.reconcile('ns/p');
    resources.markDeleted('p');
    await reconciler.reconcile('ns/p');
    expect(await policy()).toMatchObject({ timeoutMs: 60_000, source: 'default', generation: 2 });
    expect(resources.get('ns', 'p')).toBeUndefined();
  });

  test('the vector-store flag on a community cluster: VectorStoreAvailable False, EnterpriseRequired', async () => {
    resources.put('p', { sagaType: 'OrderFulfillment', vectorStore: { enabled: true } });
    await reconciler.reconcile('ns/p');
    expect(resources.condition('p', 'VectorStoreAvailable')).toMatchObject({
      status: 'False',
      reason: 'EnterpriseRequired',
    });
    expect(await policy()).toMatchObject({ vectorStoreEnabled: true });
  });

  test('Hazelcast unreachable: the status says so and the reconcile fails (to be retried with back-off)', async () => {
    const broken = new SagaPolicyReconciler({
      resources,
      events: resources,
      target: { ...target, current: async () => Promise.reject(new Error('connection refused')) },
      clock: new ManualClock(),
    });
    resources.put('p', { sagaType: 'OrderFulfillment' });
    await expect(broken.reconcile('ns/p')).rejects.toThrow('Hazelcast is unreachable');
    expect(resources.condition('p', 'Applied')).toMatchObject({
      status: 'False',
      reason: 'HazelcastUnavailable',
    });
  });

  test('an invalid spec (the API server should have refused it) is reported, not applied', async () => {
    resources.put('p', { sagaType: 'OrderFulfillment', timeout: '5s', checkInterval: '10s' });
    await reconciler.reconcile('ns/p');
    expect(resources.condition('p', 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(resources.condition('p', 'Ready')?.message).toContain('checkInterval');
    expect(await policy()).toBeUndefined();
  });
});
