/**
 * An append-only, bounded log of strings with sequence numbers: the transport of published events.
 * Hazelcast Ringbuffers implement it (durable across client deaths, readable from any sequence still
 * held, unlike ReliableTopic which starts at the tail and has no acknowledgement).
 */
export interface StreamRead {
  readonly items: ReadonlyArray<{ readonly sequence: number; readonly value: string }>;
  /** Where the next read continues; may jump past `from` when old items were overwritten. */
  readonly nextSequence: number;
}

export interface StreamLog {
  readonly name: string;
  append(value: string): Promise<number>;
  /**
   * Reads up to maxCount items from `from`. With `wait`, resolves as soon as one item is there (or the
   * transport's own poll timeout passes, giving an empty read).
   */
  read(from: number, maxCount: number, wait: boolean): Promise<StreamRead>;
  /** Oldest sequence still held. */
  headSequence(): Promise<number>;
  /** Newest sequence written, -1 when empty. */
  tailSequence(): Promise<number>;
  capacity(): Promise<number>;
}

export interface StreamLogStore {
  log(name: string): StreamLog;
}
