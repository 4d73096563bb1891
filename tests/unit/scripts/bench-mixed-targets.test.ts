import { kindOfUrl, targetOf } from '../../../scripts/bench-mixed/targets';
import { kindOf, requestOf } from '../../../scripts/bench-soak/mix';
import { parseResult } from '../../../scripts/load-tools/vegeta';

const shop = { customerIds: ['c1', 'c2'], productIds: ['p1', 'p2', 'p3'] };
const baseUrls = {
  account: 'http://127.0.0.1:1001',
  inventory: 'http://127.0.0.1:1002',
  order: 'http://127.0.0.1:1003',
};

interface Target {
  readonly method: string;
  readonly url: string;
  readonly body: string;
  readonly header: Record<string, string[]>;
}

describe('the target generator of bench:mixed', () => {
  it('sends iteration n to the soak request of n, and its result URL names the kind again', () => {
    for (let seq = 0; seq < 2_000; seq++) {
      const target = JSON.parse(targetOf(seq, shop, 't', baseUrls)) as Target;
      const request = requestOf(kindOf(seq), seq, shop, 't');
      expect(target.method).toBe('POST');
      expect(target.url.startsWith(`${baseUrls[request.service]}${request.path}`)).toBe(true);
      expect(Buffer.from(target.body, 'base64').toString('utf8')).toBe(request.body);
      expect(target.header['Content-Type']).toEqual(['application/json']);
      // Order-and-poll is told from a plain order by its URL alone: vegeta's results carry no request body.
      expect(kindOfUrl(target.url)).toBe(kindOf(seq));
    }
  });

  it('offers the k6 mix: 54 % orders, 25 % reservations, 15 % customers, 6 % order-and-poll', () => {
    const counts = { order: 0, reserve: 0, customer: 0, orderAndPoll: 0 };
    for (let seq = 0; seq < 100_000; seq++) counts[kindOf(seq)]++;
    expect(counts.order / 1000).toBeCloseTo(54, 0);
    expect(counts.reserve / 1000).toBeCloseTo(25, 0);
    expect(counts.customer / 1000).toBeCloseTo(15, 0);
    expect(counts.orderAndPoll / 1000).toBeCloseTo(6, 0);
  });
});

describe("vegeta's JSON results", () => {
  it('reads a line as vegeta encode writes it: latency in ns, body in base64', () => {
    const line =
      '{"attack":"","seq":3,"code":201,"timestamp":"2026-12-03T18:30:43.5+00:00","latency":2500000,' +
      '"bytes_out":120,"bytes_in":40,"error":"","body":"eyJvcmRlcklkIjoibzEifQ==","method":"POST",' +
      '"url":"http://127.0.0.1:1003/api/orders","headers":{"Content-Type":["application/json"]}}';
    expect(parseResult(line)).toEqual({
      code: 201,
      sentAtEpochMs: Date.parse('2026-12-03T18:30:43.5Z'),
      latencyMs: 2.5,
      error: '',
      body: '{"orderId":"o1"}',
      method: 'POST',
      url: 'http://127.0.0.1:1003/api/orders',
    });
  });

  it('refuses a line that is not a result, naming the field', () => {
    expect(() => parseResult('{"code":"201"}')).toThrow(/code/);
  });
});
