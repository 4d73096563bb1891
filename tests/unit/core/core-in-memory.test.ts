import { InMemoryKeyValueStore } from '../../../src/storage/in-memory-key-value';
import { InMemoryStreamLogStore } from '../../../src/storage/in-memory-stream-log';
import { describeCoreContract } from '../../core/core-contract';

let kv = new InMemoryKeyValueStore();
let logs = new InMemoryStreamLogStore();
let counter = 0;

beforeEach(() => {
  kv = new InMemoryKeyValueStore();
  logs = new InMemoryStreamLogStore();
});

describeCoreContract('in-memory storage', () => ({ kv, logs, prefix: () => `t${++counter}.` }));
