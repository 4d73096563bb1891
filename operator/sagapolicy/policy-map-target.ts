import type { Naming } from '../../src/core/naming';
import { writeNextGeneration } from '../../src/sagas/policy-admin';
import type { EffectivePolicy, PolicyAck } from '../../src/sagas/saga-policy';
import type { KeyValueStore } from '../../src/storage/key-value';
import type { PolicyTarget } from './ports';

/**
 * The services' policy map and acknowledgements, on the key-value port (Hazelcast in the operator, in
 * memory in unit tests). The cluster is treated as community: the Node client has no VectorCollection,
 * so the Enterprise vector store is reported unavailable rather than claimed (see the vector-store ADR).
 */
export function policyMapTarget(kv: () => Promise<KeyValueStore>, naming: Naming): PolicyTarget {
  const policies = async () => (await kv()).map<EffectivePolicy>(naming.sagaPolicy());
  return {
    current: async (sagaType) => (await (await policies()).get(sagaType))?.value,
    write: async (desired) => writeNextGeneration(await policies(), desired),
    acks: async (sagaType) =>
      (
        await (
          await kv()
        )
          .map<PolicyAck>(naming.sagaPolicyAcks())
          .query([{ field: 'sagaType', op: 'eq', value: sagaType }])
      ).map(([, stored]) => stored.value),
    enterprise: async () => false,
  };
}
