import { InMemoryKeyValueStore } from '../../../src/storage/in-memory-key-value';
import { InMemoryStreamLogStore } from '../../../src/storage/in-memory-stream-log';
import { describeExactlyOnceContract } from '../../core/exactly-once-contract';

const kv = new InMemoryKeyValueStore();
const logs = new InMemoryStreamLogStore();
let counter = 0;

describeExactlyOnceContract('in-memory storage', () => ({ kv, logs, prefix: () => `t${++counter}.` }));
