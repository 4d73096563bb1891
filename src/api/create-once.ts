import type { NewEvent, CommandMetadata } from '../events/envelope';
import type { AggregateRepository, HandleResult } from '../eventsourcing/aggregate-repository';
import { DomainError } from '../eventsourcing/domain-error';

export interface Created<S> extends HandleResult<S> {
  /** False when an earlier attempt of the same request had made it: the caller finishes what it left. */
  readonly isNew: boolean;
}

/**
 * Creates an aggregate under an id every attempt of one request shares (IdempotentAttempt.id). An earlier
 * attempt that committed and then died, timed out or lost its claim has made it already: the decider's
 * `existsCode` conflict says so, and the aggregate as it is now is the answer. The version check of the
 * append is what lets only one attempt create it.
 */
export async function createOnce<S, C, E extends NewEvent>(
  repository: AggregateRepository<S, C, E>,
  aggregateId: string,
  command: C,
  metadata: CommandMetadata,
  existsCode: string,
): Promise<Created<S>> {
  try {
    return { ...(await repository.handle(aggregateId, command, metadata)), isNew: true };
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== existsCode) throw error;
    const view = await repository.catchUp(aggregateId);
    if (!view) throw error;
    return { state: view.state, version: view.version, events: [], isNew: false };
  }
}
