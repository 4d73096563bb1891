import type { CommandMetadata, EventEnvelope } from '../events/envelope';
import { parsePayload } from '../events/parse-payload';
import type { HandleResult } from '../eventsourcing/aggregate-repository';
import type { AggregateView } from '../eventsourcing/aggregate-view';
import { DomainError } from '../eventsourcing/domain-error';
import type { KeyValueMap } from '../storage/key-value';
import type { EventHandler } from '../subscriptions/delivery';
import type {
  CommandOutcome,
  EventSchemas,
  Intent,
  KnowledgeLoaders,
  KnowledgeOf,
  Next,
  SagaParticipant,
} from './participant';
import type { SagaState } from './saga-state';
import type { SagaStateStore } from './saga-state-store';

/** The participant's own aggregate, as its repository offers it. */
export interface OwnAggregate<C, S> {
  handle(aggregateId: string, command: C, metadata: CommandMetadata): Promise<HandleResult<S>>;
  load(aggregateId: string): Promise<AggregateView<S> | undefined>;
  events(aggregateId: string, limit: number): Promise<EventEnvelope[]>;
}

/** Where the intents of one participant go. */
export interface ParticipantPorts<C, S, N> {
  readonly aggregate: OwnAggregate<C, S>;
  readonly sagas: SagaStateStore;
  /** The metadata of a command caused by `event` for saga step `step`. */
  readonly causedBy: (event: EventEnvelope, step: number, isCompensating: boolean) => CommandMetadata;
  readonly announceCompleted?: (saga: SagaState) => Promise<void>;
  readonly notes?: KeyValueMap<N>;
}

/** Carries out one intent and answers the intents that follow from its outcome. */
export type IntentExecutor<C, S, N> = (intent: Intent<C, S, N>) => Promise<Next<C, S, N>>;

/** Carries the intents out in order; what follows from one runs before the next (depth first). */
export async function carryOut<C, S, N>(
  intents: Next<C, S, N>,
  execute: IntentExecutor<C, S, N>,
): Promise<void> {
  for (const intent of intents) await carryOut(await execute(intent), execute);
}

/** The I/O of every intent, for intents caused by `cause` (absent: saga-record intents only). */
export function intentExecutor<C, S, N>(
  ports: ParticipantPorts<C, S, N>,
  cause?: EventEnvelope,
): IntentExecutor<C, S, N> {
  const { aggregate, sagas } = ports;
  return async (intent) => {
    switch (intent.kind) {
      case 'command': {
        if (!cause) throw new Error('a command intent needs the event that caused it');
        const metadata = ports.causedBy(cause, intent.step, intent.compensating ?? false);
        let outcome: CommandOutcome<S>;
        try {
          const { state, events } = await aggregate.handle(intent.aggregateId, intent.command, metadata);
          outcome = { state, events };
        } catch (error) {
          if (!(error instanceof DomainError && intent.tolerating?.includes(error.code))) throw error;
          outcome = { refusal: { code: error.code, details: error.details }, events: [] };
        }
        return intent.then?.(outcome) ?? [];
      }
      case 'load':
        return intent.then((await aggregate.load(intent.aggregateId))?.state);
      case 'history':
        return intent.then(await aggregate.events(intent.aggregateId, intent.limit));
      case 'recordStepCompleted': {
        const { state } = await sagas.recordStepCompleted(intent.sagaId, intent.step, intent.eventId);
        return intent.then?.(state) ?? [];
      }
      case 'recordStepFailed':
        await sagas.recordStepFailed(intent.sagaId, intent.step, intent.reason);
        return [];
      case 'recordCompensationStarted': {
        const { state } = await sagas.recordCompensationStarted(intent.sagaId, intent.reason);
        return intent.then?.(state) ?? [];
      }
      case 'recordCompensationStep':
        await sagas.recordCompensationStep(intent.sagaId, intent.step, intent.eventId);
        return [];
      case 'announceCompleted':
        if (!ports.announceCompleted) throw new Error('this participant announces no completion');
        await ports.announceCompleted(intent.saga);
        return [];
      case 'note':
        if (!ports.notes) throw new Error('this participant keeps no notes');
        await ports.notes.set(intent.key, intent.value);
        return [];
    }
  };
}

/**
 * The consumer-group handler of a participant: parse the payload with its schema (a mismatch throws, so
 * the delivery retries and then parks it), load what the participant knows, decide, carry out. Event
 * types the participant does not handle are ignored.
 */
export function participantHandler<Schemas extends EventSchemas, Knows extends KnowledgeOf<Schemas>, C, S, N>(
  participant: SagaParticipant<Schemas, Knows, Intent<C, S, N>>,
  know: KnowledgeLoaders<Schemas, Knows>,
  ports: ParticipantPorts<C, S, N>,
): EventHandler {
  return async (envelope) => {
    const type = envelope.eventType;
    if (!Object.hasOwn(participant.decide, type)) return;
    const handled = type as keyof Knows & keyof Schemas & string;
    const schema = participant.events[handled];
    if (!schema) throw new Error(`no schema for ${type} in the participant's event catalogue`);
    const event = parsePayload(schema, { ...envelope, eventType: handled });
    // One event type at a time: its loader, its decision and its event agree, which the mapped types
    // cannot say of a type known only at run time.
    const load = know[handled] as (event: EventEnvelope) => Promise<unknown>;
    const decide = participant.decide[handled] as (event: EventEnvelope, knows: unknown) => Next<C, S, N>;
    await carryOut(decide(event, await load(event)), intentExecutor(ports, envelope));
  };
}
