import type { Client } from 'hazelcast-client';
import { Naming } from '../../src/core/naming';
import { connectHazelcast } from '../../src/hazelcast/client';
import { formatDuration } from '../../src/sagas/duration';
import { applyPolicy, restoreDefaults } from '../../src/sagas/policy-admin';
import {
  defaultPolicy,
  sagaPolicySpecSchema,
  type EffectivePolicy,
  type PolicyAck,
} from '../../src/sagas/saga-policy';
import { HazelcastKeyValueStore } from '../../src/storage/hazelcast-key-value';
import type { KeyValueMap } from '../../src/storage/key-value';
import { DemoError, narrate, sleep, type ServiceName } from './demo-kit';

/**
 * The SagaPolicy, written exactly as `npx hms policy apply|reset` writes it (src/sagas/policy-admin.ts), on
 * the cluster at HAZELCAST_ADDRESSES / HAZELCAST_CLUSTER_NAME (defaults 127.0.0.1:5701 / dev).
 */
export class PolicyControl {
  private constructor(
    private readonly client: Client,
    private readonly policies: KeyValueMap<EffectivePolicy>,
    private readonly acks: KeyValueMap<PolicyAck>,
    readonly where: string,
  ) {}

  static async connect(): Promise<PolicyControl> {
    const clusterName = process.env.HAZELCAST_CLUSTER_NAME?.trim() || 'dev';
    const addresses = (process.env.HAZELCAST_ADDRESSES?.trim() || '127.0.0.1:5701').split(',');
    const where = `cluster "${clusterName}" at ${addresses.join(', ')}`;
    let client: Client;
    try {
      client = await connectHazelcast({ clusterName, addresses, connectTimeoutMs: 10_000 });
    } catch (error) {
      throw new DemoError(
        `Cannot reach the Hazelcast ${where} to change the SagaPolicy: ${error instanceof Error ? error.message : String(error)}\n` +
          '  Locally, start the system with `npm start`. On Kubernetes, port-forward the member and set\n' +
          '  HAZELCAST_ADDRESSES (and HAZELCAST_CLUSTER_NAME), or apply the SagaPolicy yourself with kubectl.',
      );
    }
    const kv = new HazelcastKeyValueStore(client);
    const naming = new Naming(process.env.HAZELCAST_NAME_PREFIX ?? '');
    return new PolicyControl(
      client,
      kv.map<EffectivePolicy>(naming.sagaPolicy()),
      kv.map<PolicyAck>(naming.sagaPolicyAcks()),
      where,
    );
  }

  /** What services use now: the stored policy, or the defaults when none was ever written. */
  async current(sagaType: string): Promise<EffectivePolicy> {
    return (await this.policies.get(sagaType))?.value ?? defaultPolicy(sagaType);
  }

  async apply(sagaType: string, timeout: string, checkInterval: string): Promise<EffectivePolicy> {
    const parsed = sagaPolicySpecSchema.safeParse({ sagaType, timeout, checkInterval });
    if (!parsed.success) {
      throw new DemoError(
        `invalid demo policy: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      );
    }
    return applyPolicy(this.policies, parsed.data, 'demo-saga-timeout');
  }

  /**
   * Puts back what was there before the demo: the defaults (as `hms policy reset` does) when that was the
   * defaults, the same values as a new generation otherwise.
   */
  async restore(previous: EffectivePolicy): Promise<EffectivePolicy> {
    const defaults = defaultPolicy(previous.sagaType);
    const same = (a: EffectivePolicy, b: EffectivePolicy): boolean =>
      a.timeoutMs === b.timeoutMs &&
      a.checkIntervalMs === b.checkIntervalMs &&
      a.maxBatchSize === b.maxBatchSize &&
      a.autoCompensate === b.autoCompensate &&
      a.retentionMs === b.retentionMs &&
      a.vectorStoreEnabled === b.vectorStoreEnabled;
    if (same(previous, defaults))
      return restoreDefaults(this.policies, previous.sagaType, 'demo-saga-timeout reset');
    const spec = sagaPolicySpecSchema.parse({
      sagaType: previous.sagaType,
      timeout: formatDuration(previous.timeoutMs),
      checkInterval: formatDuration(previous.checkIntervalMs),
      maxBatchSize: previous.maxBatchSize,
      autoCompensate: previous.autoCompensate,
      retention: formatDuration(previous.retentionMs),
      vectorStore: { enabled: previous.vectorStoreEnabled },
    });
    return applyPolicy(this.policies, spec, 'demo-saga-timeout restore');
  }

  /**
   * Waits until at least one instance of each service acknowledged the generation (the services poll the
   * policy every second), printing who did. Returns false when time ran out.
   */
  async waitApplied(
    policy: EffectivePolicy,
    services: readonly ServiceName[],
    timeoutMs: number,
  ): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const acks = (await this.acks.query([]))
        .map(([, stored]) => stored.value)
        .filter((ack) => ack.sagaType === policy.sagaType);
      const missing = services.filter(
        (service) => !acks.some((ack) => ack.service === service && ack.generation === policy.generation),
      );
      if (missing.length === 0) {
        const applied = acks
          .filter((ack) => ack.generation === policy.generation)
          .map((ack) => `${ack.service} (${ack.instanceId})`)
          .sort();
        narrate.info(`generation ${policy.generation} applied by: ${applied.join(', ')}`);
        return true;
      }
      if (Date.now() > deadline) {
        narrate.info(`not yet applied by: ${missing.join(', ')}`);
        return false;
      }
      await sleep(250);
    }
  }

  async close(): Promise<void> {
    await this.client.shutdown();
  }
}
