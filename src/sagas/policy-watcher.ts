import type { Clock } from '../core/clock';
import { sleep } from '../core/sleep';
import type { Logger } from '../logging/logger';
import type { KeyValueMap } from '../storage/key-value';
import type { EffectivePolicy, PolicyAck } from './saga-policy';
import { defaultPolicy, describePolicy } from './saga-policy';

export interface PolicyWatcherOptions {
  readonly sagaType: string;
  readonly service: string;
  readonly instanceId: string;
  readonly policies: KeyValueMap<EffectivePolicy>;
  readonly acks: KeyValueMap<PolicyAck>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly pollMs?: number;
}

/**
 * Applies the saga policy live: polls its entry in the policy map (cheap, and survives reconnects that a
 * listener would not), swaps it in when the generation changes, and acknowledges what it applied. A
 * missing entry means the defaults.
 */
export class PolicyWatcher {
  private current: EffectivePolicy;
  private readonly stopper = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly listeners: Array<(policy: EffectivePolicy) => void> = [];

  constructor(private readonly options: PolicyWatcherOptions) {
    this.current = defaultPolicy(options.sagaType);
  }

  get policy(): EffectivePolicy {
    return this.current;
  }

  onChange(listener: (policy: EffectivePolicy) => void): void {
    this.listeners.push(listener);
  }

  /** Reads once before returning, so a service never starts on stale defaults. */
  async start(): Promise<void> {
    await this.refresh();
    this.loop ??= this.run();
  }

  async close(): Promise<void> {
    this.stopper.abort();
    await this.loop;
  }

  async refresh(): Promise<void> {
    const { policies, acks, sagaType, service, instanceId, clock, logger } = this.options;
    const stored = (await policies.get(sagaType))?.value ?? defaultPolicy(sagaType);
    if (stored.generation !== this.current.generation || stored.source !== this.current.source) {
      this.current = stored;
      logger.info(
        { sagaType, generation: stored.generation },
        `saga policy applied: ${describePolicy(stored)}`,
      );
      for (const listener of this.listeners) listener(stored);
    }
    // Refreshed on every poll with a TTL, so the acknowledgements list only live instances.
    await acks.set(
      `${sagaType}|${service}|${instanceId}`,
      { sagaType, service, instanceId, generation: this.current.generation, appliedAt: clock.now() },
      { ttlMs: 30_000 },
    );
  }

  private async run(): Promise<void> {
    while (!this.stopper.signal.aborted) {
      await sleep(this.options.pollMs ?? 1_000, this.stopper.signal);
      if (this.stopper.signal.aborted) return;
      try {
        await this.refresh();
      } catch (error) {
        this.options.logger.warn({ err: error }, 'reading the saga policy failed; keeping the current one');
      }
    }
  }
}
