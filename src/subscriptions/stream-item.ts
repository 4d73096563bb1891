import { z } from 'zod';
import { eventEnvelopeSchema } from '../events/envelope';
import type { Commit } from '../eventsourcing/commit';

/** A commit as another process put it on a stream: the envelope of every event checked (envelope.ts). */
const commitSchema = z
  .object({
    stream: z.string().min(1),
    aggregateId: z.string().min(1),
    firstVersion: z.number().int().positive(),
    lastVersion: z.number().int().positive(),
    committedAt: z.number().finite(),
    published: z.boolean(),
    events: z.array(eventEnvelopeSchema).min(1),
  })
  .superRefine((commit, context) => {
    // What delivery relies on: the events are the aggregate's versions first..last, in order.
    commit.events.forEach((event, index) => {
      if (event.key !== commit.aggregateId)
        context.addIssue({
          code: 'custom',
          path: ['events', index, 'key'],
          message: 'is not the aggregateId',
        });
      if (event.version !== commit.firstVersion + index)
        context.addIssue({
          code: 'custom',
          path: ['events', index, 'version'],
          message: `should be ${commit.firstVersion + index}`,
        });
    });
    if (commit.lastVersion !== commit.firstVersion + commit.events.length - 1)
      context.addIssue({ code: 'custom', path: ['lastVersion'], message: 'does not match the events' });
  });

export type StreamItemCheck = { readonly commit: Commit } | { readonly reason: string };

/** A stream item as a Commit, or why it is not one (the first few problems, for the dead letter). */
export function parseStreamItem(value: string): StreamItemCheck {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (error) {
    return { reason: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const parsed = commitSchema.safeParse(json);
  // The item as read, not the parse: fields this schema does not know yet are the handler's to see.
  if (parsed.success) return { commit: json as Commit };
  const problems = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(item)'}: ${issue.message}`);
  return { reason: `not a commit: ${problems.join('; ')}` };
}
