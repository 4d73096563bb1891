import type { EventEnvelope } from '../../src/events/envelope';
import type { Commit } from '../../src/eventsourcing/commit';

/** A minimal event of an aggregate at a version, for tests that only care where commits sit. */
export const anEvent = (key: string, version: number): EventEnvelope => ({
  eventId: `${key}-${version}`,
  eventType: 'Happened',
  eventVersion: 1,
  source: 'S',
  key,
  version,
  timestamp: new Date(0).toISOString(),
  correlationId: 'c',
  isCompensating: false,
  payload: {},
});

/** A one-event commit of stream S at a version, committed at that version's millisecond. */
export const aCommit = (aggregateId: string, version: number, eventType = 'Happened'): Commit => ({
  stream: 'S',
  aggregateId,
  firstVersion: version,
  lastVersion: version,
  committedAt: version,
  published: true,
  events: [{ ...anEvent(aggregateId, version), eventType }],
});
