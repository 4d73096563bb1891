import type {
  IdempotencyGuard,
  IdempotentAttempt,
  IdempotentResponse,
} from '../idempotency/idempotency-guard';
import { invalidArgument } from '../http/api-error';
import type { RouteRequest } from '../http/route';

const MAX_KEY_LENGTH = 255;

/**
 * Runs a POST once per Idempotency-Key (when the client sent one); without the header it just runs.
 * `scope` is the operation with its path parameters filled in: one key on two products is two requests.
 */
export async function idempotently(
  guard: IdempotencyGuard,
  scope: string,
  req: Pick<RouteRequest<unknown, unknown, unknown>, 'headers' | 'body'>,
  work: (attempt: IdempotentAttempt) => Promise<IdempotentResponse>,
): Promise<IdempotentResponse> {
  const key = req.headers['idempotency-key'];
  if (key === undefined) return guard.once(work);
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw invalidArgument(`Header 'Idempotency-Key' must be 1 to ${MAX_KEY_LENGTH} characters`, {
      'Idempotency-Key': 'invalid length',
    });
  }
  return guard.run(scope, key, req.body, work);
}
