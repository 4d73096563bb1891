import { z } from 'zod';
import { isoTime } from '../core/clock';
import { conflict, notFound } from '../http/api-error';
import { limitQuery } from '../http/query-schemas';
import { defineRoute, type Route } from '../http/route';
import type { DeadLetter, DeadLetterStatus } from './dead-letter';
import { deadLetterStatuses, OPEN_STATUSES } from './dead-letter';
import type { DeadLetterQueue, ReplayOutcome } from './dead-letter-queue';

const TAGS = ['Dead letters'];
const MAX_OFFSET = 10_000;

export const deadLetterResponse = z
  .object({
    dlqEntryId: z.string(),
    consumerGroup: z.string(),
    sourceService: z.string(),
    kind: z.enum(['handler', 'malformed']),
    status: z.enum(deadLetterStatuses),
    topicName: z.string(),
    originalEventId: z.string().nullable(),
    eventType: z.string().nullable(),
    aggregateId: z.string().nullable(),
    version: z.number().nullable(),
    sagaId: z.string().nullable(),
    correlationId: z.string().nullable(),
    failureReason: z.string(),
    failureTimestamp: z.string(),
    attempts: z.number(),
    replayCount: z.number(),
    eventRecord: z.record(z.string(), z.unknown()).nullable(),
    rawItem: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    resolution: z.string().nullable(),
  })
  .meta({ id: 'DeadLetterEntry' });

const idParams = z.object({ id: z.string().min(1).max(300) });
const actionResponse = z.object({ status: z.string(), dlqEntryId: z.string() });
const replayAllResponse = z.object({
  replayed: z.number(),
  failed: z.number(),
  skipped: z.number(),
  results: z.array(
    z.object({ dlqEntryId: z.string(), status: z.string(), failureReason: z.string().optional() }),
  ),
});

export function toDeadLetterResponse(entry: DeadLetter): z.infer<typeof deadLetterResponse> {
  return {
    dlqEntryId: entry.dlqEntryId,
    consumerGroup: entry.group,
    sourceService: entry.sourceService,
    kind: entry.kind,
    status: entry.status,
    topicName: entry.topicName,
    originalEventId: entry.originalEventId,
    eventType: entry.eventType,
    aggregateId: entry.aggregateId,
    version: entry.version,
    sagaId: entry.sagaId,
    correlationId: entry.correlationId,
    failureReason: entry.failureReason,
    failureTimestamp: isoTime(entry.failureTimestamp),
    attempts: entry.attempts,
    replayCount: entry.replayCount,
    eventRecord: entry.event ? { ...entry.event } : null,
    rawItem: entry.rawItem,
    resolvedAt: entry.resolvedAt === null ? null : isoTime(entry.resolvedAt),
    resolution: entry.resolution,
  };
}

/**
 * `/api/admin/dlq*` on every service with consumer groups: the Java framework's DLQ admin API (list, count,
 * get, replay, discard by DELETE) plus replay-all, paging and a discard reason. Ids name their group.
 */
export function deadLetterRoutes(queues: readonly DeadLetterQueue[]): Route[] {
  /** The queue an id belongs to: ids start with `<group>:` (the longest group name wins). */
  const queueOf = (id: string): DeadLetterQueue => {
    const queue = [...queues]
      .sort((a, b) => b.group.length - a.group.length)
      .find((candidate) => id.startsWith(`${candidate.group}:`));
    if (!queue) throw entryNotFound(id);
    return queue;
  };
  const entryNotFound = (id: string) =>
    notFound('DLQ_ENTRY_NOT_FOUND', `Dead letter ${id} not found`, { dlqEntryId: id });
  const notPending = (id: string) =>
    conflict('DLQ_ENTRY_NOT_PENDING', `Dead letter ${id} is not PENDING`, { dlqEntryId: id });

  const replay = async (id: string): Promise<ReplayOutcome> => queueOf(id).replay(id);

  return [
    defineRoute({
      method: 'GET',
      path: '/api/admin/dlq',
      operationId: 'listDeadLetters',
      summary: 'Parked events, newest failure first (default: the open ones, PENDING and REPLAYING)',
      description: 'X-Total-Count carries the number of entries with these statuses, for paging.',
      tags: TAGS,
      query: z.object({
        limit: limitQuery(20, 100),
        offset: z.coerce.number().int().min(0).max(MAX_OFFSET).default(0),
        status: z.enum(deadLetterStatuses).optional(),
        group: z.string().max(200).optional(),
      }),
      responses: { 200: { description: 'A page of entries', schema: z.array(deadLetterResponse) } },
      handler: async ({ query }) => {
        const statuses: readonly DeadLetterStatus[] = query.status ? [query.status] : OPEN_STATUSES;
        const chosen = queues.filter((queue) => !query.group || queue.group === query.group);
        const wanted = query.offset + query.limit;
        const [pages, counts] = await Promise.all([
          Promise.all(chosen.map((queue) => queue.list(statuses, wanted))),
          Promise.all(chosen.map((queue) => queue.count(statuses))),
        ]);
        const page = pages
          .flat()
          .sort((a, b) => b.failureTimestamp - a.failureTimestamp || a.dlqEntryId.localeCompare(b.dlqEntryId))
          .slice(query.offset, wanted);
        const total = counts.reduce((sum, count) => sum + count, 0);
        return {
          status: 200,
          body: page.map(toDeadLetterResponse),
          headers: { 'X-Total-Count': String(total) },
        };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/admin/dlq/count',
      operationId: 'countDeadLetters',
      summary: 'How many parked events wait for an operator (PENDING and REPLAYING)',
      tags: TAGS,
      responses: { 200: { description: 'The count', schema: z.object({ count: z.number() }) } },
      handler: async () => {
        const counts = await Promise.all(queues.map((queue) => queue.count()));
        return { status: 200, body: { count: counts.reduce((sum, count) => sum + count, 0) } };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/admin/dlq/replay-all',
      operationId: 'replayAllDeadLetters',
      summary: 'Replays the PENDING entries, oldest failure first, one at a time',
      tags: TAGS,
      query: z.object({ limit: limitQuery(100, 1_000) }),
      responses: { 200: { description: 'What each replay did', schema: replayAllResponse } },
      handler: async ({ query }) => {
        const pending = (await Promise.all(queues.map((queue) => queue.list(['PENDING'], query.limit))))
          .flat()
          .sort((a, b) => a.failureTimestamp - b.failureTimestamp)
          .slice(0, query.limit);
        const results: Array<z.infer<typeof replayAllResponse>['results'][number]> = [];
        for (const entry of pending) {
          const done = await replay(entry.dlqEntryId);
          results.push({
            dlqEntryId: entry.dlqEntryId,
            status: done.outcome,
            ...(done.outcome === 'failed' ? { failureReason: done.failureReason } : {}),
          });
        }
        const counted = (outcome: string) => results.filter((result) => result.status === outcome).length;
        return {
          status: 200,
          body: {
            replayed: counted('replayed'),
            failed: counted('failed'),
            skipped: results.length - counted('replayed') - counted('failed'),
            results,
          },
        };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/admin/dlq/:id',
      operationId: 'getDeadLetter',
      summary: 'One parked event, with the event itself',
      tags: TAGS,
      params: idParams,
      responses: {
        200: { description: 'The entry', schema: deadLetterResponse },
        404: { description: 'DLQ_ENTRY_NOT_FOUND' },
      },
      handler: async ({ params }) => {
        const entry = await queueOf(params.id).get(params.id);
        if (!entry) throw entryNotFound(params.id);
        return { status: 200, body: toDeadLetterResponse(entry) };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/admin/dlq/:id/replay',
      operationId: 'replayDeadLetter',
      summary: "Hands the parked event to its group's handler again, once; REPLAYED when it succeeds",
      tags: TAGS,
      params: idParams,
      responses: {
        200: { description: 'Replayed', schema: actionResponse },
        404: { description: 'DLQ_ENTRY_NOT_FOUND' },
        409: {
          description:
            'DLQ_ENTRY_NOT_PENDING, DLQ_ENTRY_NOT_REPLAYABLE (a malformed item), or DLQ_REPLAY_FAILED (the handler threw again; PENDING again)',
        },
      },
      handler: async ({ params }) => {
        const done = await replay(params.id);
        switch (done.outcome) {
          case 'replayed':
            return { status: 200, body: { status: 'replayed', dlqEntryId: params.id } };
          case 'not-found':
            throw entryNotFound(params.id);
          case 'not-pending':
            throw notPending(params.id);
          case 'not-replayable':
            throw conflict(
              'DLQ_ENTRY_NOT_REPLAYABLE',
              `Dead letter ${params.id} is a malformed stream item, not an event: discard it`,
              { dlqEntryId: params.id },
            );
          case 'failed':
            throw conflict('DLQ_REPLAY_FAILED', `The handler failed again: ${done.failureReason}`, {
              dlqEntryId: params.id,
              failureReason: done.failureReason,
            });
        }
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/admin/dlq/:id',
      operationId: 'discardDeadLetter',
      summary: 'Discards a PENDING entry, with an optional reason kept on the record',
      tags: TAGS,
      params: idParams,
      body: z.object({ reason: z.string().min(1).max(1_000) }).optional(),
      responses: {
        200: { description: 'Discarded', schema: actionResponse },
        404: { description: 'DLQ_ENTRY_NOT_FOUND' },
        409: { description: 'DLQ_ENTRY_NOT_PENDING' },
      },
      handler: async ({ params, body }) => {
        const done = await queueOf(params.id).discard(params.id, body?.reason ?? 'discarded by an operator');
        if (done.outcome === 'not-found') throw entryNotFound(params.id);
        if (done.outcome === 'not-pending') throw notPending(params.id);
        return { status: 200, body: { status: 'discarded', dlqEntryId: params.id } };
      },
    }),
  ];
}
