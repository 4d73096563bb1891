import type { z } from 'zod';
import type { EventEnvelope } from './envelope';

/**
 * A payload that does not match its event type's schema. Thrown, never skipped: the delivery retries the
 * event and parks it in the end, with this message, for an operator to see what was sent.
 */
export class MalformedPayloadError extends Error {
  constructor(event: EventEnvelope, issues: string) {
    super(
      `${event.eventType} ${event.eventId} (${event.source} ${event.key} v${event.version}) does not match its schema: ${issues}`,
    );
    this.name = 'MalformedPayloadError';
  }
}

/** "lineItems.0.quantity: Invalid input: expected number, received string; …" */
const issuesOf = (error: z.ZodError): string =>
  error.issues.map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`).join('; ');

/** The envelope with its payload checked against `schema` (unknown fields dropped: readers tolerate additions). */
export function parsePayload<S extends z.ZodType, T extends string>(
  schema: S,
  event: EventEnvelope<unknown, T>,
): EventEnvelope<z.output<S>, T> {
  const parsed = schema.safeParse(event.payload);
  if (!parsed.success) throw new MalformedPayloadError(event, issuesOf(parsed.error));
  return { ...event, payload: parsed.data };
}
