import type { z } from 'zod';
import type { EventEnvelope } from '../events/envelope';
import type { SagaState } from './saga-state';

/**
 * A saga participant, emmett's workflow style: per event type it handles, a pure function of the event
 * and what the participant knows (the saga record, facts it read, a fresh id) to the intents that carry
 * out its part, or none. The one runner (participant-runner.ts) does the I/O: it parses the payload with
 * the event's schema, loads what the participant needs to know, decides, and carries the intents out in
 * order. An intent whose outcome decides what comes next (the fences after acting: "the saga ended while
 * I charged, so refund") carries `then`, a pure function of that outcome to the next intents.
 */

/** Event type → the zod schema of its payload, shared by the producer (its type) and every consumer. */
export type EventSchemas = Readonly<Record<string, z.ZodType>>;

/** An envelope whose payload has passed its schema. */
export type TypedEvent<Schemas extends EventSchemas, T extends keyof Schemas & string> = EventEnvelope<
  z.output<Schemas[T]>,
  T
>;

/** Event type → what the participant knows when it decides on that event (`undefined`: nothing). */
export type KnowledgeOf<Schemas extends EventSchemas> = { readonly [T in keyof Schemas & string]?: unknown };

/** The pure part: one decision per handled event type. */
export type Decisions<Schemas extends EventSchemas, Knows extends KnowledgeOf<Schemas>, I> = {
  readonly [T in keyof Knows & keyof Schemas & string]: (
    event: TypedEvent<Schemas, T>,
    knows: Knows[T],
  ) => readonly I[];
};

/** The participant's own I/O, kept small: per handled event type, what to read before deciding. */
export type KnowledgeLoaders<Schemas extends EventSchemas, Knows extends KnowledgeOf<Schemas>> = {
  readonly [T in keyof Knows & keyof Schemas & string]: (event: TypedEvent<Schemas, T>) => Promise<Knows[T]>;
};

export interface SagaParticipant<Schemas extends EventSchemas, Knows extends KnowledgeOf<Schemas>, I> {
  /** The event catalogue the payloads are parsed with. */
  readonly events: Schemas;
  readonly decide: Decisions<Schemas, Knows, I>;
}

/** The event types a participant handles: its consumer group's `handles`. */
export function handledBy<Schemas extends EventSchemas, Knows extends KnowledgeOf<Schemas>, I>(
  participant: SagaParticipant<Schemas, Knows, I>,
): ReadonlyArray<keyof Knows & string> {
  return Object.keys(participant.decide) as Array<keyof Knows & string>;
}

/** What a command did: the aggregate after it and the events it appended (none for a repeat)… */
export interface Done<S> {
  readonly state: S;
  readonly events: readonly EventEnvelope[];
  readonly refusal?: undefined;
}

/** …or the domain's "no", for the codes the intent said it expects (`tolerating`). */
export interface Refused {
  readonly refusal: { readonly code: string; readonly details: Record<string, unknown> | null };
  readonly state?: undefined;
  readonly events: readonly [];
}

export type CommandOutcome<S> = Done<S> | Refused;

export type Next<C, S, N> = readonly Intent<C, S, N>[];

/**
 * What a participant asks for. C and S are the command and state of the participant's own aggregate,
 * N the value of its durable notes (inventory's cancellation marks). Each runs in order; an intent's
 * `then` runs right after it, before the intents that follow it.
 */
export type Intent<C, S, N = never> =
  | {
      /** A command on the participant's own aggregate, caused by the event, for saga step `step`. */
      readonly kind: 'command';
      readonly aggregateId: string;
      readonly command: C;
      readonly step: number;
      readonly compensating?: true;
      /** Domain error codes that are an answer rather than a failure (a repeat, nothing to act on). */
      readonly tolerating?: readonly string[];
      readonly then?: (outcome: CommandOutcome<S>) => Next<C, S, N>;
    }
  | {
      /** Reads the aggregate again, after acting: what an earlier intent changed decides the next. */
      readonly kind: 'load';
      readonly aggregateId: string;
      readonly then: (state: S | undefined) => Next<C, S, N>;
    }
  | {
      /** Reads the aggregate's first recorded events (the event a repeat did not append again). */
      readonly kind: 'history';
      readonly aggregateId: string;
      readonly limit: number;
      readonly then: (events: readonly EventEnvelope[]) => Next<C, S, N>;
    }
  | {
      readonly kind: 'recordStepCompleted';
      readonly sagaId: string;
      readonly step: number;
      readonly eventId: string;
      /** The record as the update left it: whether the saga ended while the participant acted. */
      readonly then?: (saga: SagaState | undefined) => Next<C, S, N>;
    }
  | {
      readonly kind: 'recordStepFailed';
      readonly sagaId: string;
      readonly step: number;
      readonly reason: string;
    }
  | {
      readonly kind: 'recordCompensationStarted';
      readonly sagaId: string;
      readonly reason: string;
      readonly then?: (saga: SagaState | undefined) => Next<C, S, N>;
    }
  | {
      readonly kind: 'recordCompensationStep';
      readonly sagaId: string;
      readonly step: number;
      readonly eventId: string | null;
    }
  | { readonly kind: 'announceCompleted'; readonly saga: SagaState }
  | {
      /** A durable note of the participant's, written only once everything it vouches for is done. */
      readonly kind: 'note';
      readonly key: string;
      readonly value: N;
    };

/** Command intents on `items`, one after the other, then `done` with every outcome but the tolerated refusals. */
export function eachInTurn<T, C, S, N>(
  items: readonly T[],
  intentFor: (item: T) => Omit<Extract<Intent<C, S, N>, { kind: 'command' }>, 'then'>,
  done: (outcomes: ReadonlyArray<Done<S>>) => Next<C, S, N>,
  outcomes: ReadonlyArray<Done<S>> = [],
): Next<C, S, N> {
  const [first, ...rest] = items;
  if (first === undefined) return done(outcomes);
  return [
    {
      ...intentFor(first),
      then: (outcome: CommandOutcome<S>) =>
        eachInTurn(rest, intentFor, done, outcome.refusal ? outcomes : [...outcomes, outcome]),
    },
  ];
}
