import type { EventEnvelope } from '../../src/events/envelope';

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
