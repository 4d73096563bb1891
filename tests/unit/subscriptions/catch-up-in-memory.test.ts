import { InMemoryKeyValueStore } from '../../../src/storage/in-memory-key-value';
import { describeCatchUpContract } from '../../core/catch-up-contract';
import { RecreatableLogs } from '../../core/recreatable-logs';

let kv = new InMemoryKeyValueStore();
let logs = new RecreatableLogs(8);
let counter = 0;

beforeEach(() => {
  kv = new InMemoryKeyValueStore();
  logs = new RecreatableLogs(8);
});

describeCatchUpContract('in-memory storage', () => ({
  kv,
  logs,
  prefix: () => `t${++counter}.`,
  capacity: logs.capacity,
  loseRing: async (name) => logs.lose(name),
}));
