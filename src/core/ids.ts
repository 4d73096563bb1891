import { createHash, randomUUID } from 'node:crypto';

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

/** The project's namespace for name-based ids (RFC 9562 §5.5); any fixed UUID would do. */
const NAMESPACE = Buffer.from('6f3c2a1e9b7d4c58a0e1f2d3c4b5a697', 'hex');

/** The same name always gives the same UUID (version 5): how every attempt of one request finds its ids. */
export function nameBasedUuid(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
