import type { PolicyAck } from '../../src/sagas/saga-policy';

export interface ReplicaCount {
  /** Services with at least one live replica. */
  readonly services: number;
  /** Services every live replica of which runs the generation. */
  readonly servicesUpdated: number;
  readonly instances: number;
  readonly instancesUpdated: number;
}

/**
 * How far a generation has got, counted per replica. Every live instance keeps one acknowledgement (keyed
 * sagaType|service|instanceId, with a 30 s TTL, so the list is the replicas running now); a service counts
 * as updated only once all of its replicas run the generation, since one replica left on the old policy
 * still decides with it.
 */
export function replicaCount(acks: readonly PolicyAck[], generation: number): ReplicaCount {
  const lagging = new Set<string>();
  const services = new Set<string>();
  let instancesUpdated = 0;
  for (const ack of acks) {
    services.add(ack.service);
    if (ack.generation === generation) instancesUpdated += 1;
    else lagging.add(ack.service);
  }
  return {
    services: services.size,
    servicesUpdated: services.size - lagging.size,
    instances: acks.length,
    instancesUpdated,
  };
}
