import type { EventEnvelope } from '../../src/events/envelope';
import { parsePayload } from '../../src/events/parse-payload';
import type {
  CommandOutcome,
  EventSchemas,
  Intent,
  KnowledgeOf,
  Next,
  SagaParticipant,
} from '../../src/sagas/participant';
import { carryOut } from '../../src/sagas/participant-runner';
import type { SagaState } from '../../src/sagas/saga-state';

/**
 * Emmett-style given/when/then for a saga participant's pure decisions, no I/O:
 *
 *   participantSpec(paymentParticipant, 'StockReserved', null)
 *     .given({ saga: active, ids })              // what the participant knows
 *     .when(completingReservation, {             // the event, and how the world answers its intents
 *       command: () => ({ state: captured, events: [processed] }),
 *       saga: () => timedOut,                    // the step's record finds the saga ended
 *     })
 *     .then([ProcessPayment…, recordStepCompleted…, load…, RefundPayment…, recordCompensationStep…]);
 *
 * The intents are carried out as the runner does (in order, each intent's follow-ups right after it),
 * and the trace is every intent carried out, without its `then`.
 */

type CommandIntent<C, S, N> = Extract<Intent<C, S, N>, { kind: 'command' }>;

/** How the world answers the intents; anything unanswered did nothing (no events, no record). */
export interface World<C, S, N> {
  readonly command?: (intent: CommandIntent<C, S, N>) => CommandOutcome<S>;
  readonly load?: (aggregateId: string) => S | undefined;
  readonly history?: (aggregateId: string) => EventEnvelope[];
  /** The saga record as recordStepCompleted or recordCompensationStarted leaves it. */
  readonly saga?: (intent: Intent<C, S, N>) => SagaState | undefined;
}

/** An intent as carried out: its data, without the decision that follows it. */
export type Traced<I> = I extends unknown ? Omit<I, 'then'> : never;

export interface ParticipantWhen<I> {
  /** Asserts exactly these intents were carried out, in this order. */
  then(expected: ReadonlyArray<Traced<I>>): Promise<void>;
  /** Asserts the participant does nothing at all. */
  thenNothing(): Promise<void>;
  /** Asserts the event is refused before any decision (a payload that fails its schema). */
  thenRejects(message: RegExp): Promise<void>;
}

export function participantSpec<
  Schemas extends EventSchemas,
  Knows extends KnowledgeOf<Schemas>,
  C,
  S,
  N,
  T extends keyof Knows & keyof Schemas & string,
>(
  participant: SagaParticipant<Schemas, Knows, Intent<C, S, N>>,
  type: T,
  /** What a command that was not answered leaves the aggregate as (the decider's empty state). */
  nothing: NoInfer<S>,
) {
  const follow = (intent: Intent<C, S, N>, world: World<C, S, N>): Next<C, S, N> => {
    switch (intent.kind) {
      case 'command':
        return intent.then?.(world.command?.(intent) ?? { state: nothing, events: [] }) ?? [];
      case 'load':
        return intent.then(world.load?.(intent.aggregateId));
      case 'history':
        return intent.then(world.history?.(intent.aggregateId) ?? []);
      case 'recordStepCompleted':
      case 'recordCompensationStarted':
        return intent.then?.(world.saga?.(intent)) ?? [];
      default:
        return [];
    }
  };

  return {
    given(knows: Knows[T]) {
      return {
        when(envelope: EventEnvelope, world: World<C, S, N> = {}): ParticipantWhen<Intent<C, S, N>> {
          const run = async (): Promise<unknown[]> => {
            expect(envelope.eventType).toBe(type);
            const schema = participant.events[type];
            if (!schema) throw new Error(`no schema for ${type}`);
            const event = parsePayload(schema, { ...envelope, eventType: type });
            // The decision must be pure: it may read what it knows, never change it.
            const before: unknown = structuredClone(knows);
            const intents = participant.decide[type](event, knows);
            expect(knows).toEqual(before);
            const trace: unknown[] = [];
            await carryOut(intents, async (intent) => {
              trace.push(Object.fromEntries(Object.entries(intent).filter(([key]) => key !== 'then')));
              return follow(intent, world);
            });
            return trace;
          };
          return {
            async then(expected) {
              expect(await run()).toEqual(expected);
            },
            async thenNothing() {
              expect(await run()).toEqual([]);
            },
            async thenRejects(message) {
              await expect(run()).rejects.toThrow(message);
            },
          };
        },
      };
    },
  };
}
