/**
 * Names of every Hazelcast structure, in one place. Suffixes match the wildcards of
 * config/hazelcast.yaml (`*.es`, `*.view`, `*.stream`, …), so a prefix (tests, tenants) keeps the config.
 */
export class Naming {
  constructor(readonly prefix = '') {}

  eventStore(stream: string): string {
    return `${this.prefix}${stream}.es`;
  }

  view(name: string): string {
    return `${this.prefix}${name}.view`;
  }

  streamPartition(stream: string, partition: number): string {
    return `${this.prefix}${stream}.p${partition}.stream`;
  }

  ledger(group: string): string {
    return `${this.prefix}${group}.ledger`;
  }

  /** Per aggregate, the highest version a group acted on; never expires (src/subscriptions/handled-versions.ts). */
  handledVersions(group: string): string {
    return `${this.prefix}${group}.handled`;
  }

  deadLetters(group: string): string {
    return `${this.prefix}${group}.dead-letters.view`;
  }

  /**
   * One entry per stream partition, keyed by the ringbuffer's own name, so it lives in the ringbuffer's
   * Hazelcast partition and is lost with it. Transient (grid only): its whole point is dying with the streams.
   */
  streamEpochs(): string {
    return `${this.prefix}stream.epochs`;
  }

  checkpoints(): string {
    return `${this.prefix}subscription.checkpoints`;
  }

  leases(): string {
    return `${this.prefix}subscription.leases`;
  }

  idempotency(service: string): string {
    return `${this.prefix}${service}.idempotency`;
  }

  sagaState(): string {
    return `${this.prefix}saga.state`;
  }

  sagaPolicy(): string {
    return `${this.prefix}saga.policy`;
  }

  sagaPolicyAcks(): string {
    return `${this.prefix}saga.policy-acks`;
  }

  clusterCounters(): string {
    return `${this.prefix}metrics.counters`;
  }
}

/** FNV-1a: stable across processes and languages, so every replica maps a key to the same partition. */
export function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index++) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
