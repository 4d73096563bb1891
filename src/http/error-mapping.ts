import {
  ClientNotActiveError,
  ClientOfflineError,
  HazelcastInstanceNotActiveError,
  IndeterminateOperationStateError,
  IOError,
  NoDataMemberInClusterError,
  OperationTimeoutError,
  RetryableHazelcastError,
  SplitBrainProtectionError,
  TargetDisconnectedError,
} from 'hazelcast-client';
import { ContentionError } from '../eventsourcing/aggregate-repository';
import { DomainError, type DomainErrorKind } from '../eventsourcing/domain-error';
import { StorageUnavailableError } from '../storage/storage-unavailable';
import { ApiError, serviceUnavailable } from './api-error';

const STATUS_OF_KIND: Record<DomainErrorKind, number> = {
  invalid: 400,
  'not-found': 404,
  conflict: 409,
  unprocessable: 422,
};

/**
 * Errors meaning "the grid cannot answer right now" (or, for ContentionError, not before the writers
 * racing on one aggregate calm down): the client should retry, so 503 and not 500.
 */
const UNAVAILABLE: ReadonlyArray<abstract new (...args: never[]) => Error> = [
  ContentionError,
  StorageUnavailableError,
  ClientOfflineError,
  ClientNotActiveError,
  HazelcastInstanceNotActiveError,
  OperationTimeoutError,
  TargetDisconnectedError,
  IOError,
  RetryableHazelcastError,
  IndeterminateOperationStateError,
  NoDataMemberInClusterError,
  SplitBrainProtectionError,
];

const CODE_OF_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'INVALID_ARGUMENT',
};

/**
 * What the client is told about a thrown value. Anything not recognised is undefined: the error
 * handler answers 500 and logs it, because only known errors may show their message.
 */
export function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof DomainError) {
    return new ApiError(STATUS_OF_KIND[error.kind], error.code, error.message, error.details);
  }
  if (isUnavailable(error)) return serviceUnavailable();
  return fromHttpError(error);
}

function isUnavailable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 3) return false;
  if (UNAVAILABLE.some((type) => error instanceof type)) return true;
  return isUnavailable(error.cause, depth + 1);
}

/** Koa and the router throw http-errors; only the exposed 4xx ones carry a message meant for clients. */
function fromHttpError(error: unknown): ApiError | undefined {
  if (!(error instanceof Error)) return undefined;
  const { status, expose } = error as Error & { status?: unknown; expose?: unknown };
  if (typeof status !== 'number' || status < 400 || status > 499 || expose !== true) return undefined;
  return new ApiError(status, CODE_OF_STATUS[status] ?? 'BAD_REQUEST', error.message);
}
