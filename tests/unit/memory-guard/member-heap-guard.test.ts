import pino from 'pino';
import { Registry } from 'prom-client';
import { ManualClock } from '../../../src/core/clock';
import type { HeapObservation } from '../../../src/memory-guard/high-water-mark';
import { MemberHeapGuard } from '../../../src/memory-guard/member-heap-guard';
import { expectErrorBody, postJson, send, startTestService, type TestService } from '../http/test-service';
import { KNOWN_CUSTOMER, testRoutes } from '../http/test-routes';

const MB = 1024 * 1024;
const heapAt = (fraction: number, member = '127.0.0.1:5780'): HeapObservation => ({
  ok: true,
  members: [{ member, heap: { oldGenBytes: fraction * 1000 * MB, maxBytes: 1000 * MB } }],
});
const unreadable: HeapObservation = { ok: false, error: 'ECONNREFUSED' };

/** A guard fed by a scripted metrics source and a manual clock; poll() is driven by the test. */
function scriptedGuard() {
  let next: HeapObservation = heapAt(0.1);
  const clock = new ManualClock();
  const logs: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const registry = new Registry();
  const guard = new MemberHeapGuard({
    source: async () => next,
    clock,
    logger,
    registry,
    pollMs: 5_000,
    highWater: 0.85,
    resumeGap: 0.05,
  });
  const readAt = async (observation: HeapObservation): Promise<void> => {
    next = observation;
    await guard.poll();
  };
  const metric = async (name: string): Promise<number | undefined> =>
    (await registry.getSingleMetric(name)?.get())?.values[0]?.value;
  return { guard, clock, logs, registry, readAt, metric };
}

describe('the member heap high-water mark', () => {
  it('lets writes through below the mark and refuses them from it on, naming the heap and the mark', async () => {
    const { guard, readAt, logs, metric } = scriptedGuard();
    await readAt(heapAt(0.84));
    expect(guard.admitWrite()).toBeUndefined();
    expect(await metric('http_write_shedding')).toBe(0);

    await readAt(heapAt(0.86));
    const refusal = guard.admitWrite();
    expect(refusal).toBeDefined();
    expect(refusal?.message).toContain('86 % full (its old generation) (high-water mark 85 %)');
    // Two fresh readings before a retry: two 5 s polls.
    expect(refusal?.retryAfterSeconds).toBe(10);
    expect(refusal?.details).toMatchObject({ reason: 'MEMBER_HEAP_HIGH_WATER', heapUsedAfterGc: 0.86 });
    expect(await metric('http_write_shedding')).toBe(1);
    expect(await metric('http_writes_shed_total')).toBe(1);
    expect(logs.filter((line) => line.msg.includes('shedding HTTP writes'))).toHaveLength(1);
  });

  it('takes writes back only below the mark minus the gap, and says how long it shed', async () => {
    const { guard, clock, readAt, logs } = scriptedGuard();
    await readAt(heapAt(0.9));
    clock.advance(42_000);
    await readAt(heapAt(0.82));
    expect(guard.admitWrite()).toBeDefined();
    await readAt(heapAt(0.79));
    expect(guard.admitWrite()).toBeUndefined();
    expect(logs.at(-1)?.msg).toContain('accepting HTTP writes again after 42 s of shedding');
  });

  it('keeps its decision while the member cannot be read, either way', async () => {
    const { guard, readAt, logs } = scriptedGuard();
    await readAt(unreadable);
    expect(guard.admitWrite()).toBeUndefined();
    await readAt(heapAt(0.95));
    await readAt(unreadable);
    await readAt(unreadable);
    expect(guard.admitWrite()).toBeDefined();
    // One warning when reading starts failing, not one per poll.
    expect(logs.filter((line) => line.msg.startsWith('cannot read the member heap'))).toHaveLength(2);
  });

  it('goes by the fullest member of a cluster', async () => {
    const { guard, readAt } = scriptedGuard();
    const cluster = (a: number, b: number): HeapObservation => ({
      ok: true,
      members: [
        { member: 'a:5780', heap: { oldGenBytes: a * MB, maxBytes: 100 * MB } },
        { member: 'b:5780', heap: { oldGenBytes: b * MB, maxBytes: 100 * MB } },
      ],
    });
    await readAt(cluster(40, 88));
    expect(guard.admitWrite()?.details.member).toBe('b:5780');
  });
});

describe('shedding on the HTTP surface', () => {
  let service: TestService;
  let readAt: (observation: HeapObservation) => Promise<void>;

  beforeAll(async () => {
    const scripted = scriptedGuard();
    readAt = scripted.readAt;
    service = await startTestService({ routes: testRoutes(), writeAdmission: scripted.guard });
  });

  afterAll(async () => {
    await service.server.close(1000);
  });

  const customer = {
    email: 'ada@example.com',
    name: 'Ada',
    tier: 'GOLD',
    lineItems: [{ sku: 'S', quantity: 1 }],
  };

  it('answers writes 503 SERVICE_UNAVAILABLE with Retry-After, and still serves reads', async () => {
    await readAt(heapAt(0.9));
    const refused = await postJson(service.url('/api/customers'), customer);
    const body = expectErrorBody(refused, 503, 'SERVICE_UNAVAILABLE');
    expect(refused.headers.get('retry-after')).toBe('10');
    expect(body.details).toMatchObject({ reason: 'MEMBER_HEAP_HIGH_WATER', retryAfterSeconds: 10 });
    expect((await send(service.url(`/api/customers/${KNOWN_CUSTOMER}`))).status).toBe(200);

    await readAt(heapAt(0.5));
    expect((await postJson(service.url('/api/customers'), customer)).status).toBe(201);
  });
});
