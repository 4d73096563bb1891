import { z } from 'zod';
import { eventEnvelopeSchema, type NewEvent } from '../events/envelope';
import type { AggregateRepository } from '../eventsourcing/aggregate-repository';
import { notFound } from '../http/api-error';
import { limitQuery } from '../http/query-schemas';
import { defineRoute, type Route } from '../http/route';

/**
 * `GET /api/<things>/{id}/events?limit=20`: an aggregate's events, oldest first, the same for every service,
 * documented by the very schema every stream item is checked against.
 */
export function eventHistoryRoute<S, C, E extends NewEvent>(options: {
  readonly basePath: string;
  readonly idParam: string;
  readonly tag: string;
  readonly notFoundCode: string;
  readonly repository: AggregateRepository<S, C, E>;
}): Route {
  const { basePath, idParam, tag, notFoundCode, repository } = options;
  return defineRoute({
    method: 'GET',
    path: `${basePath}/:${idParam}/events`,
    operationId: `get${tag}Events`,
    summary: `The ${tag.toLowerCase()}'s events, oldest first`,
    tags: [tag],
    params: z.object({ [idParam]: z.string().min(1).max(100) }),
    query: z.object({ limit: limitQuery(20, 1000) }),
    responses: {
      200: { description: 'Events, oldest first', schema: z.array(eventEnvelopeSchema) },
      404: { description: 'Unknown id' },
    },
    handler: async ({ params, query }) => {
      const id = params[idParam] as string;
      const events = await repository.events(id, query.limit);
      if (events.length === 0) throw notFound(notFoundCode, `${tag} ${id} not found`);
      return { status: 200, body: events };
    },
  });
}
