import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock';
import { nameBasedUuid, randomIds, type IdSource } from '../core/ids';
import { sleep } from '../core/sleep';
import { DomainError } from '../eventsourcing/domain-error';
import { writtenStored, type KeyValueMap } from '../storage/key-value';

export interface IdempotentResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface IdempotencyRecord {
  readonly fingerprint: string;
  readonly state: 'pending' | 'done';
  readonly response?: IdempotentResponse;
  readonly createdAt: number;
}

export interface IdempotencyOptions {
  /** How long a key is remembered (API.md: at least 24 h). */
  readonly retentionMs?: number;
  /** A claim whose process died is given up after this, so the key can be used again. */
  readonly pendingMs?: number;
  /** How long a duplicate waits for the first request to finish before it is told to retry. */
  readonly waitMs?: number;
  /** Where the ids of a request without a key come from. */
  readonly ids?: IdSource;
}

/** What one attempt of a request may use; every attempt with the same key and body gets the same. */
export interface IdempotentAttempt {
  /** The id a create gives its new aggregate (name: which one, e.g. "order", "saga"). */
  id(name: string): string;
}

/** Same body, same fingerprint: key order and whitespace do not matter. */
export function fingerprintOf(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object' && !('toJSON' in value)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Idempotency-Key for POSTs, shared by all replicas through one map: the first request claims the key
 * with a compare-and-set, later ones with the same body get the first answer, with another body a 422.
 * Only successful answers are remembered; a failed first attempt frees the key for a retry.
 *
 * The claim is what makes a duplicate wait, not what makes a create happen once: an attempt can die after
 * its commit, time out after it, or outlive its claim. Every attempt with one key and body therefore gets the
 * same ids (`attempt.id`), derived from them, so a second attempt addresses the aggregate the first one made
 * and the event store's version check lets only one of them create it (docs/adr/0012-exactly-once-creates.md).
 */
export class IdempotencyGuard {
  private readonly retentionMs: number;
  private readonly pendingMs: number;
  private readonly waitMs: number;
  private readonly ids: IdSource;

  constructor(
    private readonly records: KeyValueMap<IdempotencyRecord>,
    private readonly clock: Clock,
    options: IdempotencyOptions = {},
  ) {
    this.retentionMs = options.retentionMs ?? 24 * 60 * 60 * 1000;
    this.pendingMs = options.pendingMs ?? 30_000;
    this.waitMs = options.waitMs ?? 10_000;
    this.ids = options.ids ?? randomIds;
  }

  /** Runs a request that carries no key: fresh ids, nothing remembered. */
  once(work: (attempt: IdempotentAttempt) => Promise<IdempotentResponse>): Promise<IdempotentResponse> {
    return work({ id: () => this.ids.uuid() });
  }

  /** `scope` names the operation and its target, e.g. "POST /api/products/p-1/stock/reserve". */
  async run(
    scope: string,
    key: string,
    body: unknown,
    work: (attempt: IdempotentAttempt) => Promise<IdempotentResponse>,
  ): Promise<IdempotentResponse> {
    const recordKey = `${scope}|${key}`;
    const fingerprint = fingerprintOf(body);
    const attempt: IdempotentAttempt = { id: (name) => nameBasedUuid(`${recordKey}|${fingerprint}|${name}`) };
    const claim: IdempotencyRecord = { fingerprint, state: 'pending', createdAt: this.clock.now() };
    const waitUntil = Date.now() + this.waitMs;
    for (;;) {
      const existing = await this.records.putIfAbsent(recordKey, claim, { ttlMs: this.pendingMs });
      if (!existing) return this.complete(recordKey, claim, () => work(attempt));
      if (existing.value.fingerprint !== fingerprint) {
        throw new DomainError(
          'unprocessable',
          'IDEMPOTENCY_KEY_REUSED',
          'Idempotency-Key was already used with a different request body',
          { idempotencyKey: key },
        );
      }
      if (existing.value.state === 'done' && existing.value.response) return existing.value.response;
      if (Date.now() >= waitUntil) {
        throw new DomainError(
          'conflict',
          'IDEMPOTENCY_KEY_IN_PROGRESS',
          'A request with this Idempotency-Key is still in progress',
          {
            idempotencyKey: key,
          },
        );
      }
      await sleep(25);
    }
  }

  private async complete(
    recordKey: string,
    claim: IdempotencyRecord,
    work: () => Promise<IdempotentResponse>,
  ): Promise<IdempotentResponse> {
    let response: IdempotentResponse;
    try {
      response = await work();
    } catch (error) {
      // Only our own claim: one that expired may have been taken by a retry that is still running.
      await this.records.deleteIfSame(recordKey, writtenStored(claim));
      throw error;
    }
    const done: IdempotencyRecord = { ...claim, state: 'done', response };
    await this.records.set(recordKey, done, { ttlMs: this.retentionMs });
    return response;
  }
}
