import { z } from 'zod';
import { durationSchema, formatDuration } from './duration';

/**
 * The SagaPolicy spec (KUBERNETES.md), the one schema behind the CLI, the operator's validation and the
 * CRD. Durations are strings in the resource and milliseconds once parsed.
 */
export const sagaPolicySpecSchema = z
  .object({
    sagaType: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,99}$/, 'must be a name like OrderFulfillment'),
    timeout: durationSchema('1s', '24h').default(60_000),
    checkInterval: durationSchema('100ms', '1h').default(5_000),
    maxBatchSize: z.number().int('must be a whole number').min(1).max(10_000).default(100),
    autoCompensate: z.boolean().default(true),
    retention: durationSchema('1m', '90d').default(86_400_000),
    vectorStore: z
      .object({ enabled: z.boolean().default(false) })
      .strict()
      .default({ enabled: false }),
  })
  .strict()
  .refine((spec) => spec.checkInterval < spec.timeout, {
    message: 'checkInterval must be shorter than timeout',
    path: ['checkInterval'],
  });

export type SagaPolicySpec = z.output<typeof sagaPolicySpecSchema>;

/** What services read from the `saga.policy` map, per saga type. */
export interface EffectivePolicy {
  readonly sagaType: string;
  readonly timeoutMs: number;
  readonly checkIntervalMs: number;
  readonly maxBatchSize: number;
  readonly autoCompensate: boolean;
  readonly retentionMs: number;
  readonly vectorStoreEnabled: boolean;
  /** Increases with every change; services acknowledge the generation they applied. */
  readonly generation: number;
  /** Who wrote it: "default", "cli", "operator/<namespace>/<name>". */
  readonly source: string;
}

export function effectivePolicy(spec: SagaPolicySpec, generation: number, source: string): EffectivePolicy {
  return {
    sagaType: spec.sagaType,
    timeoutMs: spec.timeout,
    checkIntervalMs: spec.checkInterval,
    maxBatchSize: spec.maxBatchSize,
    autoCompensate: spec.autoCompensate,
    retentionMs: spec.retention,
    vectorStoreEnabled: spec.vectorStore.enabled,
    generation,
    source,
  };
}

export const defaultPolicy = (sagaType: string): EffectivePolicy =>
  effectivePolicy(sagaPolicySpecSchema.parse({ sagaType }), 0, 'default');

export const describePolicy = (policy: EffectivePolicy): string =>
  `timeout ${formatDuration(policy.timeoutMs)}, check every ${formatDuration(policy.checkIntervalMs)}, ` +
  `batch ${policy.maxBatchSize}, autoCompensate ${policy.autoCompensate}, retention ${formatDuration(policy.retentionMs)}, ` +
  `vectorStore ${policy.vectorStoreEnabled ? 'on' : 'off'} (generation ${policy.generation}, from ${policy.source})`;

/** A service instance's acknowledgement of the generation it applied (read by `policy get` and the operator). */
export interface PolicyAck {
  readonly sagaType: string;
  readonly service: string;
  readonly instanceId: string;
  readonly generation: number;
  readonly appliedAt: number;
}
