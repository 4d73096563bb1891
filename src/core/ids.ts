import { randomUUID } from 'node:crypto';

/** The one source of ids, injectable so tests can make them predictable. */
export interface IdSource {
  uuid(): string;
}

export const randomIds: IdSource = { uuid: () => randomUUID() };

/** Deterministic ids for tests: 00000000-0000-4000-8000-000000000001, …02, … */
export class SequentialIds implements IdSource {
  private next = 1;

  uuid(): string {
    const n = (this.next++).toString(16).padStart(12, '0');
    return `00000000-0000-4000-8000-${n}`;
  }
}
