import { StorageUnavailableError } from '../storage/storage-unavailable';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);
/** SQLSTATEs meaning "not now": connection exceptions, the server shutting down or starting, no slots. */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);
/** node-postgres reports these without a code. */
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Query read timeout/i,
  /Client has encountered a connection error/i,
];

export function isConnectionLoss(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08'))
  ) {
    return true;
  }
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message));
}

/** Runs a PostgreSQL call; losing the server becomes StorageUnavailableError (503), anything else is a bug. */
export async function unavailableOnConnectionLoss<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isConnectionLoss(error)) {
      throw new StorageUnavailableError(`PostgreSQL unavailable: ${(error as Error).message}`, {
        cause: error,
      });
    }
    throw error;
  }
}
