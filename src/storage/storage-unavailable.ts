/**
 * The store behind a port cannot answer right now (connection refused or lost, timed out, shutting down).
 * Callers treat it like a Hazelcast outage: retry later, and HTTP answers 503.
 */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}
