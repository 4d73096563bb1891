import type { ServiceContext } from '../runtime/service-context';
import { IdempotencyGuard, type IdempotencyRecord } from './idempotency-guard';

/** A service's Idempotency-Key guard: its own map, shared by its replicas, with the configured claim. */
export function serviceIdempotency(
  context: Pick<ServiceContext, 'kv' | 'naming' | 'clock' | 'ids' | 'config'>,
  service: string,
): IdempotencyGuard {
  const { kv, naming, clock, ids, config } = context;
  return new IdempotencyGuard(kv.map<IdempotencyRecord>(naming.idempotency(service)), clock, {
    ids,
    pendingMs: config.IDEMPOTENCY_CLAIM_MS,
  });
}
