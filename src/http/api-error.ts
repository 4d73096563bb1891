export type ErrorDetails = Record<string, unknown>;

/**
 * An error that already knows its HTTP answer. Handlers throw these; the error handler turns them into
 * the contract's error body, so no handler ever builds an error response by hand.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly details: ErrorDetails | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const invalidArgument = (message: string, details?: ErrorDetails): ApiError =>
  new ApiError(400, 'INVALID_ARGUMENT', message, details ?? null);

/** details: field path → message, e.g. { "lineItems.0.quantity": "must be at least 1" }. */
export const validationError = (
  details: Record<string, string>,
  message = 'Request validation failed',
): ApiError => new ApiError(400, 'VALIDATION_ERROR', message, details);

export const notFound = (errorCode: string, message: string, details?: ErrorDetails): ApiError =>
  new ApiError(404, errorCode, message, details ?? null);

export const methodNotAllowed = (method: string, path: string, allowed: readonly string[]): ApiError =>
  new ApiError(405, 'METHOD_NOT_ALLOWED', `Method ${method} is not allowed on ${path}`, {
    allowed: [...allowed],
  });

export const conflict = (errorCode: string, message: string, details?: ErrorDetails): ApiError =>
  new ApiError(409, errorCode, message, details ?? null);

export const payloadTooLarge = (limitBytes: number): ApiError =>
  new ApiError(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds the limit of ${limitBytes} bytes`, {
    limitBytes,
  });

export const unprocessable = (errorCode: string, message: string, details?: ErrorDetails): ApiError =>
  new ApiError(422, errorCode, message, details ?? null);

export const idempotencyKeyReused = (idempotencyKey: string): ApiError =>
  unprocessable(
    'IDEMPOTENCY_KEY_REUSED',
    'The Idempotency-Key was already used with a different request body',
    { idempotencyKey },
  );

export const serviceUnavailable = (
  message = 'The service is temporarily unavailable; retry later',
  details?: ErrorDetails,
): ApiError => new ApiError(503, 'SERVICE_UNAVAILABLE', message, details ?? null);

export const internalError = (): ApiError =>
  new ApiError(500, 'INTERNAL_ERROR', 'An unexpected error occurred');
