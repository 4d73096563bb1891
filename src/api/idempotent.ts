import type { IdempotencyGuard, IdempotentResponse } from '../idempotency/idempotency-guard';
import { invalidArgument } from '../http/api-error';
import type { RouteRequest } from '../http/route';

const MAX_KEY_LENGTH = 255;

/** Runs a POST once per Idempotency-Key (when the client sent one); without the header it just runs. */
export async function idempotently(
  guard: IdempotencyGuard,
  scope: string,
  req: Pick<RouteRequest<unknown, unknown, unknown>, 'headers' | 'body'>,
  work: () => Promise<IdempotentResponse>,
): Promise<IdempotentResponse> {
  const key = req.headers['idempotency-key'];
  if (key === undefined) return work();
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw invalidArgument(`Header 'Idempotency-Key' must be 1 to ${MAX_KEY_LENGTH} characters`, {
      'Idempotency-Key': 'invalid length',
    });
  }
  return guard.run(scope, key, req.body, work);
}
