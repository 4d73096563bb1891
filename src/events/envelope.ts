import { z } from 'zod';

/** Saga metadata carried by every event of a saga (SAGA.md). */
export interface SagaMetadata {
  readonly sagaId: string;
  readonly sagaType: string;
  readonly stepNumber?: number;
  readonly isCompensating?: boolean;
}

/** The envelope of SAGA.md: what every domain event carries besides its payload. */
export interface EventEnvelope<P = unknown, T extends string = string> {
  readonly eventId: string;
  readonly eventType: T;
  readonly eventVersion: number;
  /** The domain that owns the aggregate: Customer, Product, Order, Payment. */
  readonly source: string;
  /** The aggregate id. */
  readonly key: string;
  /** The aggregate's version after this event. */
  readonly version: number;
  readonly timestamp: string;
  readonly correlationId: string;
  readonly sagaId?: string;
  readonly sagaType?: string;
  readonly stepNumber?: number;
  readonly isCompensating: boolean;
  /** W3C trace context of the producer, so the consumer's span joins the producer's trace. */
  readonly traceparent?: string;
  /** The event this one was caused by, when a handler emitted it. */
  readonly causationId?: string;
  readonly payload: P;
}

/** Checked on everything read off a stream: another process wrote it. */
export const eventEnvelopeSchema = z.object({
  eventId: z.string().min(1),
  eventType: z.string().min(1),
  eventVersion: z.number().int().positive(),
  source: z.string().min(1),
  key: z.string().min(1),
  version: z.number().int().positive(),
  timestamp: z.string(),
  correlationId: z.string(),
  sagaId: z.string().optional(),
  sagaType: z.string().optional(),
  stepNumber: z.number().int().nonnegative().optional(),
  isCompensating: z.boolean(),
  traceparent: z.string().optional(),
  causationId: z.string().optional(),
  payload: z.unknown(),
});

/** What a decider returns: the facts, before the store gives them ids, versions and metadata. */
export interface NewEvent<P = unknown, T extends string = string> {
  readonly type: T;
  readonly payload: P;
  /** Schema version of this event type; 1 unless the payload's shape changed. */
  readonly eventVersion?: number;
  /** Per-event saga overrides (a step number, a compensation); the command's saga ids apply otherwise. */
  readonly saga?: Partial<SagaMetadata>;
}

/** Metadata a command carries into the events it produces. */
export interface CommandMetadata {
  readonly correlationId: string;
  readonly saga?: SagaMetadata;
  readonly traceparent?: string;
  readonly causationId?: string;
}
