import type { KeyValueMap } from '../storage/key-value';
import type { HandledVersionsReader } from './delivery-owner';

/** The highest version of one aggregate a consumer group acted on (`<group>.handled`, no expiry). */
export interface HandledVersion {
  readonly version: number;
}

/**
 * Per consumer group and aggregate, the highest version the group acted on, kept for good: the floor
 * under the ledger, whose entries expire after a week. It is written per partition just before each
 * checkpoint write (one `setAll` for every aggregate acted on since the last one), not per commit, so
 * whatever lies at or below a checkpoint is never handled again, however old, while the ledger alone
 * covers what was handled since the last checkpoint.
 */
export class HandledVersions implements HandledVersionsReader {
  constructor(private readonly map: KeyValueMap<HandledVersion>) {}

  async versions(aggregateKeys: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (const [key, stored] of await this.map.getAll(aggregateKeys)) found.set(key, stored.value.version);
    return found;
  }

  /** What one partition owner acted on since its last checkpoint, written by `flush`. */
  forOwner(): PendingVersions {
    return new PendingVersions(this.map);
  }
}

export class PendingVersions {
  private pending = new Map<string, number>();

  constructor(private readonly map: KeyValueMap<HandledVersion>) {}

  note(aggregateKey: string, version: number): void {
    this.pending.set(aggregateKey, Math.max(version, this.pending.get(aggregateKey) ?? 0));
  }

  /** Writes what was noted; what a failed write held is kept for the next flush. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const written = this.pending;
    this.pending = new Map();
    try {
      await this.map.setAll([...written].map(([key, version]) => [key, { version }] as const));
    } catch (error) {
      for (const [key, version] of written) this.note(key, version);
      throw error;
    }
  }

  /** An owner that lost its lease writes nothing more: the next owner reads those commits again. */
  discard(): void {
    this.pending.clear();
  }
}
