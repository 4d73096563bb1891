import {
  CRD_DURATION_PATTERN,
  crdDurationMs,
  formatCelDuration,
  sagaPolicyCrd,
  toStructural,
} from '../../../charts/crd/sagapolicy-crd';
import type { StructuralSchema } from '../../../charts/crd/sagapolicy-crd';
import { parseDuration } from '../../../src/sagas/duration';
import { SAGA_POLICY_API_VERSION } from '../../../src/sagas/policy-admin';
import { sagaPolicySpecSchema } from '../../../src/sagas/saga-policy';
import { synthesize } from './manifests';

const crd = sagaPolicyCrd();
const [version] = crd.spec.versions;
const root = version!.schema.openAPIV3Schema;
const spec = root.properties!.spec!;
const status = root.properties!.status!;
const field = (name: string): StructuralSchema => spec.properties![name]!;
const durations = ['timeout', 'checkInterval', 'retention'];

/** The [min, max] a duration field's CEL rule allows, in milliseconds. */
const celBounds = (name: string): [number, number] => {
  const rule = field(name)['x-kubernetes-validations']?.[0]?.rule ?? '';
  const [min, max] = [...rule.matchAll(/duration\('([^']+)'\)/g)].map((match) => parseDuration(match[1]!)!);
  return [min!, max!];
};

const accepts = (name: string, value: string): boolean =>
  sagaPolicySpecSchema.safeParse({ sagaType: 'T', timeout: '24h', checkInterval: '100ms', [name]: value })
    .success;

describe('SagaPolicy CRD', () => {
  test('group, version, kind and scope match what the CLI and the operator use', () => {
    expect(`${crd.spec.group}/${version!.name}`).toBe(SAGA_POLICY_API_VERSION);
    expect(crd.metadata.name).toBe('sagapolicies.saga.hms.dev');
    expect(crd.spec.names).toMatchObject({
      kind: 'SagaPolicy',
      plural: 'sagapolicies',
      singular: 'sagapolicy',
    });
    expect(crd.spec.scope).toBe('Namespaced');
    expect(version).toMatchObject({ served: true, storage: true });
  });

  test('the spec schema is the zod schema: fields, required, integer bounds, pattern', () => {
    expect(Object.keys(spec.properties!).sort()).toEqual(Object.keys(sagaPolicySpecSchema.shape).sort());
    expect(spec.required).toEqual(['sagaType']);
    expect(field('sagaType')).toMatchObject({ type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_-]{0,99}$' });
    expect(field('maxBatchSize')).toEqual({ type: 'integer', default: 100, minimum: 1, maximum: 10000 });
    expect(field('autoCompensate')).toEqual({ type: 'boolean', default: true });
    expect(field('vectorStore')).toEqual({
      type: 'object',
      default: { enabled: false },
      properties: { enabled: { type: 'boolean', default: false } },
    });
    // Structural: no additionalProperties next to properties (unknown fields are pruned or rejected).
    expect(JSON.stringify(root)).not.toContain('additionalProperties');
    expect(JSON.stringify(root)).not.toContain('$schema');
  });

  test('duration defaults are strings the services read back as the zod defaults', () => {
    const zodDefaults: Record<string, unknown> = sagaPolicySpecSchema.parse({ sagaType: 'T' });
    expect(durations.map((name) => field(name).default)).toEqual(['1m', '5s', '24h']);
    for (const name of durations) {
      expect(crdDurationMs(String(field(name).default))).toBe(zodDefaults[name]);
    }
    // A spec made only of the CRD's defaults means to the services what a spec of zod's defaults means.
    const crdDefaults = Object.fromEntries(
      Object.entries(spec.properties!).map(([name, schema]) => [name, schema.default]),
    );
    const defaulted = sagaPolicySpecSchema.parse({ ...crdDefaults, sagaType: 'T' });
    expect(defaulted).toEqual(zodDefaults);
  });

  test('duration bounds are the zod bounds, as CEL rules', () => {
    expect(celBounds('timeout')).toEqual([1_000, 86_400_000]);
    expect(celBounds('checkInterval')).toEqual([100, 3_600_000]);
    expect(celBounds('retention')).toEqual([60_000, 90 * 86_400_000]);
    for (const name of durations) {
      const [min, max] = celBounds(name);
      expect(accepts(name, `${min}ms`)).toBe(true);
      expect(accepts(name, `${min - 1}ms`)).toBe(false);
      expect(accepts(name, `${max}ms`)).toBe(true);
      expect(accepts(name, `${max + 1}ms`)).toBe(false);
      expect(field(name)['x-kubernetes-validations']?.[0]?.rule).toMatch(/^!self\.matches\(r'.+'\) \|\| \(/);
    }
  });

  test('the duration pattern is a subset of what zod accepts, without the day unit CEL lacks', () => {
    const pattern = new RegExp(CRD_DURATION_PATTERN);
    for (const text of ['500ms', '5s', '1.5m', '24h', '0.5h', '2160h']) {
      expect(pattern.test(text)).toBe(true);
      expect(crdDurationMs(text)).toBe(parseDuration(text));
    }
    for (const text of ['7d', '5', 's', '1h30m', '-1s', '1.s', ' 5s']) expect(pattern.test(text)).toBe(false);
    for (const name of durations) expect(field(name).pattern).toBe(CRD_DURATION_PATTERN);
    expect(parseDuration('7d')).toBe(604_800_000);
  });

  test('checkInterval < timeout as a CEL rule, with the message and field zod reports', () => {
    const [rule] = spec['x-kubernetes-validations']!;
    expect(rule!.rule).toContain('duration(self.checkInterval) < duration(self.timeout)');
    expect(rule!.message).toBe('checkInterval must be shorter than timeout');
    expect(rule!.fieldPath).toBe('.checkInterval');
  });

  test('printer columns: saga type, timeout, applied, age', () => {
    expect(version!.additionalPrinterColumns).toEqual([
      { name: 'Saga Type', type: 'string', jsonPath: '.spec.sagaType' },
      { name: 'Timeout', type: 'string', jsonPath: '.spec.timeout' },
      { name: 'Applied', type: 'string', jsonPath: '.status.conditions[?(@.type=="Applied")].status' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ]);
  });

  test('status subresource: observedGeneration, conditions keyed by type, acknowledged services', () => {
    expect(version!.subresources).toEqual({ status: {} });
    expect(Object.keys(status.properties!)).toEqual(
      expect.arrayContaining(['observedGeneration', 'conditions', 'acknowledgedServices']),
    );
    const conditions = status.properties!.conditions!;
    expect(conditions['x-kubernetes-list-type']).toBe('map');
    expect(conditions['x-kubernetes-list-map-keys']).toEqual(['type']);
    expect(Object.keys(conditions.items!.properties!).sort()).toEqual(
      ['lastTransitionTime', 'message', 'observedGeneration', 'reason', 'status', 'type'].sort(),
    );
    expect(conditions.items!.properties!.status!.enum).toEqual(['True', 'False', 'Unknown']);
  });

  test('is the first chart, alone', () => {
    const { byChart } = synthesize();
    expect(byChart.crds).toHaveLength(1);
    expect(byChart.crds[0]).toMatchObject({
      kind: 'CustomResourceDefinition',
      metadata: { name: crd.metadata.name },
    });
  });

  test('formatCelDuration picks the largest whole unit CEL understands', () => {
    expect([100, 1_000, 60_000, 90_000, 3_600_000, 7_776_000_000].map(formatCelDuration)).toEqual([
      '100ms',
      '1s',
      '1m',
      '90s',
      '1h',
      '2160h',
    ]);
  });

  test('a JSON Schema construct without a Kubernetes translation is an error, not a silent gap', () => {
    expect(() => toStructural({ anyOf: [{ type: 'string' }] }, 'spec.x')).toThrow(/anyOf/);
    expect(() =>
      toStructural({ type: 'object', additionalProperties: { type: 'string' } }, 'spec.x'),
    ).toThrow(/additionalProperties/);
    expect(() => toStructural({ type: 'string', pattern: '^(?!x)' }, 'spec.x')).toThrow(/RE2/);
    expect(() => toStructural({ type: 'null' }, 'spec.x')).toThrow(/unsupported type/);
  });
});
