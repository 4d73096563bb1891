/**
 * A rule of the domain said no. `kind` says which kind of no, so the HTTP edge can pick the status
 * without the domain knowing about HTTP.
 */
export type DomainErrorKind = 'not-found' | 'conflict' | 'invalid' | 'unprocessable';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> | null = null,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (code: string, message: string): DomainError =>
  new DomainError('not-found', code, message);

export const conflict = (code: string, message: string, details?: Record<string, unknown>): DomainError =>
  new DomainError('conflict', code, message, details ?? null);

/** A command the domain refuses as given, e.g. details: field → message (a 400 at the HTTP edge). */
export const invalid = (code: string, message: string, details?: Record<string, unknown>): DomainError =>
  new DomainError('invalid', code, message, details ?? null);
