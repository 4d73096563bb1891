import { formatDuration, parseDuration } from '../../../src/sagas/duration';
import { parsePolicyYaml, PolicyFileError } from '../../../src/sagas/policy-admin';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const resource = (spec: string) =>
  `apiVersion: saga.hms.dev/v1alpha1\nkind: SagaPolicy\nmetadata: {name: p}\nspec:\n${spec}`;

const problems = (text: string): string => {
  try {
    parsePolicyYaml(text);
  } catch (error) {
    if (error instanceof PolicyFileError) return error.message;
    throw error;
  }
  throw new Error('expected the policy to be rejected');
};

describe('SagaPolicy files', () => {
  test('the example parses, with durations in milliseconds', () => {
    const [spec] = parsePolicyYaml(
      readFileSync(join(__dirname, '../../../examples/sagapolicy.yaml'), 'utf8'),
    );
    expect(spec).toEqual({
      sagaType: 'OrderFulfillment',
      timeout: 60_000,
      checkInterval: 5_000,
      maxBatchSize: 100,
      autoCompensate: true,
      retention: 86_400_000,
      vectorStore: { enabled: false },
    });
  });

  test('defaults fill what is left out', () => {
    expect(parsePolicyYaml(resource('  sagaType: OrderFulfillment\n'))[0]).toMatchObject({
      timeout: 60_000,
      checkInterval: 5_000,
    });
  });

  test.each([
    ['  sagaType: OrderFulfillment\n  timeout: 0s\n', 'spec.timeout'],
    ['  sagaType: OrderFulfillment\n  timeout: 25h\n', 'spec.timeout'],
    ['  sagaType: OrderFulfillment\n  timeout: soon\n', 'spec.timeout'],
    ['  sagaType: OrderFulfillment\n  timeout: 5s\n  checkInterval: 10s\n', 'spec.checkInterval'],
    ['  sagaType: OrderFulfillment\n  maxBatchSize: 0\n', 'spec.maxBatchSize'],
    ['  sagaType: OrderFulfillment\n  autoCompensate: maybe\n', 'spec.autoCompensate'],
    ['  sagaType: OrderFulfillment\n  speed: fast\n', 'speed'],
    ['  timeout: 5s\n', 'spec.sagaType'],
  ])('rejects %j naming %s', (spec, field) => {
    expect(problems(resource(spec))).toContain(field);
  });

  test('a wrong kind, a wrong apiVersion and broken YAML are named', () => {
    expect(problems('apiVersion: v1\nkind: ConfigMap\nspec: {sagaType: X}\n')).toMatch(
      /kind must be SagaPolicy[\s\S]*apiVersion must be/,
    );
    expect(problems('kind: [unclosed')).toContain('not valid YAML');
    expect(problems('')).toContain('no SagaPolicy');
    expect(problems(`${resource('  sagaType: A\n')}\n---\n${resource('  sagaType: A\n')}`)).toContain(
      'two policies for saga type A',
    );
  });

  test('durations round-trip', () => {
    expect([
      parseDuration('500ms'),
      parseDuration('1.5m'),
      parseDuration('24h'),
      parseDuration('7d'),
    ]).toEqual([500, 90_000, 86_400_000, 604_800_000]);
    expect(parseDuration('5 s')).toBeUndefined();
    expect([formatDuration(60_000), formatDuration(1_500), formatDuration(86_400_000)]).toEqual([
      '1m',
      '1500ms',
      '1d',
    ]);
  });
});
