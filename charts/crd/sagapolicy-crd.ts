import { z } from 'zod';
import { parseDuration } from '../../src/sagas/duration';
import { SAGA_POLICY_API_GROUP } from '../../src/sagas/policy-admin';
import { sagaPolicySpecSchema } from '../../src/sagas/saga-policy';

/**
 * The SagaPolicy CustomResourceDefinition, generated from the one zod schema in src/sagas/saga-policy.ts.
 *
 * Plain objects only (no cdk8s), so the operator can import the same definition. What the generator does
 * to turn zod's JSON Schema (draft 2020-12, input side) into a structural OpenAPI v3 schema:
 * - `additionalProperties: false` (zod `.strict()`) is dropped: Kubernetes forbids it next to `properties`;
 *   a structural schema prunes unknown fields instead, and kubectl's default strict field validation
 *   rejects them with "unknown field", which is the same outcome for a user.
 * - Duration fields (strings zod turns into milliseconds) are recognised by probing the schema. They get
 *   a pattern CEL's duration() understands, their zod default as a string, and their zod bounds as CEL
 *   rules. CEL durations have no day unit, so the CRD's pattern rejects "7d": write 168h.
 * - Cross-field refinements become CEL rules on spec; their message and field come from zod itself.
 * - Anything the generator does not know (anyOf, $ref, ...) is an error, so a schema change cannot slip
 *   into the CRD half-translated.
 */

export const SAGA_POLICY_VERSION = 'v1alpha1';
export const SAGA_POLICY_KIND = 'SagaPolicy';
export const SAGA_POLICY_PLURAL = 'sagapolicies';
export const SAGA_POLICY_CRD_NAME = `${SAGA_POLICY_PLURAL}.${SAGA_POLICY_API_GROUP}`;

/** Durations as the CRD accepts them: what zod accepts minus the day unit, which CEL cannot parse. */
export const CRD_DURATION_PATTERN = '^(\\d+(?:\\.\\d+)?)(ms|s|m|h)$';
/** Bounds the string so CEL's cost estimate stays small; far longer than any sensible duration. */
export const CRD_DURATION_MAX_LENGTH = 32;

export interface CelRule {
  readonly rule: string;
  readonly message?: string;
  readonly fieldPath?: string;
  readonly reason?:
    'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

/** The subset of a Kubernetes structural schema (JSONSchemaProps) this CRD uses, in wire format. */
export interface StructuralSchema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly description?: string;
  readonly properties?: Readonly<Record<string, StructuralSchema>>;
  readonly required?: readonly string[];
  readonly items?: StructuralSchema;
  readonly default?: unknown;
  readonly enum?: readonly string[];
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly maxItems?: number;
  readonly 'x-kubernetes-validations'?: readonly CelRule[];
  readonly 'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
}

export interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly jsonPath: string;
  readonly description?: string;
  readonly priority?: number;
}

export interface CustomResourceDefinition {
  readonly apiVersion: 'apiextensions.k8s.io/v1';
  readonly kind: 'CustomResourceDefinition';
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec: {
    readonly group: string;
    readonly scope: 'Namespaced' | 'Cluster';
    readonly names: {
      readonly kind: string;
      readonly listKind: string;
      readonly plural: string;
      readonly singular: string;
      readonly shortNames?: readonly string[];
      readonly categories?: readonly string[];
    };
    readonly versions: readonly {
      readonly name: string;
      readonly served: boolean;
      readonly storage: boolean;
      readonly schema: { readonly openAPIV3Schema: StructuralSchema };
      readonly subresources?: { readonly status?: Record<string, never> };
      readonly additionalPrinterColumns?: readonly PrinterColumn[];
    }[];
  };
}

/**
 * A CEL expression, true when every given duration (a CEL expression) has the CRD's pattern. Rules use it
 * as a guard, so a malformed duration is reported once, by the pattern, and not again as a CEL error.
 */
const wellFormed = (...durations: readonly string[]): string =>
  durations.map((value) => `${value}.matches(r'${CRD_DURATION_PATTERN}')`).join(' && ');

/** Cross-field rules of the zod refinements. `violation` is a spec zod rejects, to read its message from. */
const CROSS_FIELD_RULES: readonly { rule: string; violation: Record<string, unknown> }[] = [
  {
    rule:
      '!has(self.checkInterval) || !has(self.timeout) || ' +
      `!(${wellFormed('self.checkInterval', 'self.timeout')}) || ` +
      'duration(self.checkInterval) < duration(self.timeout)',
    violation: { sagaType: 'Probe', timeout: '1s', checkInterval: '1s' },
  },
];

const MAX_PROBE_MS = 10 ** 13;

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Largest whole unit CEL's duration() parses: 90 days is "2160h", 60 s is "1m". */
export function formatCelDuration(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** A duration field is one that turns a duration string into that many milliseconds. */
const isDurationField = (field: z.ZodType): boolean =>
  [1, 100, 1_000, 60_000, 3_600_000].some((ms) => {
    const parsed = field.safeParse(`${ms}ms`);
    return parsed.success && parsed.data === ms;
  });

/** [lowest, highest] milliseconds the field accepts, found by binary search around a value it accepts. */
function durationBounds(field: z.ZodType, accepted: number): { min?: number; max?: number } {
  const ok = (ms: number) => field.safeParse(`${ms}ms`).success;
  if (!ok(accepted)) throw new Error(`duration default ${accepted}ms is rejected by its own schema`);
  let low = 0;
  let high = accepted;
  let min: number | undefined;
  if (!ok(0)) {
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (ok(mid)) high = mid;
      else low = mid;
    }
    min = high;
  }
  let max: number | undefined;
  if (!ok(MAX_PROBE_MS)) {
    low = accepted;
    high = MAX_PROBE_MS;
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (ok(mid)) low = mid;
      else high = mid;
    }
    max = low;
  }
  return { min, max };
}

function durationProperty(name: string, field: z.ZodType, defaultMs: unknown): StructuralSchema {
  if (typeof defaultMs !== 'number') {
    throw new Error(`duration field ${name} needs a default to derive its bounds from`);
  }
  const { min, max } = durationBounds(field, defaultMs);
  const checks: string[] = [];
  if (min !== undefined) checks.push(`duration(self) >= duration('${formatCelDuration(min)}')`);
  if (max !== undefined) checks.push(`duration(self) <= duration('${formatCelDuration(max)}')`);
  const [low, high] = [min, max].map((ms) => (ms === undefined ? undefined : formatCelDuration(ms)));
  const range =
    low && high ? `between ${low} and ${high}` : low ? `at least ${low}` : high ? `at most ${high}` : 'any';
  return {
    type: 'string',
    description: `A duration such as 500ms, 30s, 5m or 24h (${range}; no "d" unit: write 168h for 7d).`,
    pattern: CRD_DURATION_PATTERN,
    maxLength: CRD_DURATION_MAX_LENGTH,
    default: formatCelDuration(defaultMs),
    ...(checks.length > 0
      ? {
          'x-kubernetes-validations': [
            { rule: `!${wellFormed('self')} || (${checks.join(' && ')})`, message: `must be ${range}` },
          ],
        }
      : {}),
  };
}

/** JSON Schema keywords copied unchanged: Kubernetes reads them the same way. */
const PASSED_THROUGH = [
  'type',
  'description',
  'required',
  'default',
  'enum',
  'pattern',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'maxItems',
] as const;
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

/** One JSON Schema node from zod → structural schema; throws on what Kubernetes could not take as is. */
export function toStructural(node: unknown, where: string): StructuralSchema {
  if (!isObject(node)) throw new Error(`${where}: expected a schema object`);
  const known = new Set<string>([...PASSED_THROUGH, 'properties', 'items', 'additionalProperties']);
  const unknown = Object.keys(node).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new Error(
      `${where}: JSON Schema keyword(s) ${unknown.join(', ')} have no translation to the CRD schema`,
    );
  }
  if (typeof node.type !== 'string' || !TYPES.has(node.type)) {
    throw new Error(`${where}: unsupported type ${JSON.stringify(node.type)}`);
  }
  if ('additionalProperties' in node && node.additionalProperties !== false) {
    throw new Error(`${where}: only additionalProperties: false (a strict object) is supported`);
  }
  if (typeof node.pattern === 'string' && /\(\?[=!<]|\\[1-9]/.test(node.pattern)) {
    throw new Error(`${where}: pattern ${node.pattern} uses lookaround or backreferences, which RE2 lacks`);
  }
  const out: Record<string, unknown> = {};
  for (const key of PASSED_THROUGH) if (node[key] !== undefined) out[key] = node[key];
  if (isObject(node.properties)) {
    out.properties = Object.fromEntries(
      Object.entries(node.properties).map(([key, child]) => [key, toStructural(child, `${where}.${key}`)]),
    );
  }
  if (node.items !== undefined) out.items = toStructural(node.items, `${where}[]`);
  return out as StructuralSchema;
}

/** The spec's OpenAPI v3 schema, from sagaPolicySpecSchema. */
export function sagaPolicySpecSchemaForCrd(): StructuralSchema {
  const jsonSchema: unknown = z.toJSONSchema(sagaPolicySpecSchema, { io: 'input' });
  if (!isObject(jsonSchema) || !isObject(jsonSchema.properties)) {
    throw new Error('the SagaPolicy spec schema must be an object schema');
  }
  const { $schema: _ignored, ...root } = jsonSchema;
  const shape: Readonly<Record<string, z.ZodType>> = sagaPolicySpecSchema.shape;
  const defaults = sagaPolicySpecSchema.safeParse({ sagaType: 'Probe' });
  if (!defaults.success)
    throw new Error('a spec with only sagaType must be valid (every other field has a default)');
  const defaultValues: Readonly<Record<string, unknown>> = defaults.data;

  const properties: Record<string, StructuralSchema> = {};
  for (const [name, child] of Object.entries(jsonSchema.properties)) {
    const field = shape[name];
    if (!field) throw new Error(`spec.${name}: in the JSON Schema but not in the zod shape`);
    properties[name] = isDurationField(field)
      ? durationProperty(name, field, defaultValues[name])
      : toStructural(child, `spec.${name}`);
  }
  const rules: CelRule[] = CROSS_FIELD_RULES.map(({ rule, violation }) => {
    const parsed = sagaPolicySpecSchema.safeParse(violation);
    const issue = parsed.success
      ? undefined
      : parsed.error.issues.find((candidate) => candidate.code === 'custom');
    if (!issue)
      throw new Error(`the zod schema accepts ${JSON.stringify(violation)}, so rule "${rule}" is stale`);
    return {
      rule,
      message: issue.message,
      ...(issue.path.length > 0 ? { fieldPath: `.${issue.path.map(String).join('.')}` } : {}),
    };
  });
  return {
    ...toStructural({ ...root, properties: {} }, 'spec'),
    description: 'How sagas of one type are timed out, compensated and kept (src/sagas/saga-policy.ts).',
    properties,
    'x-kubernetes-validations': rules,
  };
}

/** What the operator reports; mirrors metav1.Condition for the conditions. */
export function sagaPolicyStatusSchema(): StructuralSchema {
  const generation: StructuralSchema = { type: 'integer', format: 'int64', minimum: 0 };
  return {
    type: 'object',
    properties: {
      observedGeneration: { ...generation, description: 'The metadata.generation the status describes.' },
      conditions: {
        type: 'array',
        description: 'Ready, Applied and VectorStoreAvailable, each with reason and message.',
        maxItems: 16,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
        items: {
          type: 'object',
          required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
          properties: {
            type: {
              type: 'string',
              maxLength: 316,
              pattern:
                '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
            },
            status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
            reason: {
              type: 'string',
              minLength: 1,
              maxLength: 1024,
              pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
            },
            message: { type: 'string', maxLength: 32768 },
            lastTransitionTime: { type: 'string', format: 'date-time' },
            observedGeneration: generation,
          },
        },
      },
      acknowledgedServices: {
        type: 'integer',
        format: 'int32',
        minimum: 0,
        description: 'How many service instances acknowledged the policy generation now in force.',
      },
      appliedPolicyGeneration: {
        ...generation,
        description: 'Generation of the effective policy in the Hazelcast map that this resource wrote.',
      },
    },
  };
}

export const SAGA_POLICY_PRINTER_COLUMNS: readonly PrinterColumn[] = [
  { name: 'Saga Type', type: 'string', jsonPath: '.spec.sagaType' },
  { name: 'Timeout', type: 'string', jsonPath: '.spec.timeout' },
  { name: 'Applied', type: 'string', jsonPath: '.status.conditions[?(@.type=="Applied")].status' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

/** The whole CRD object, ready for kubectl apply (or the API's create). */
export function sagaPolicyCrd(labels: Readonly<Record<string, string>> = {}): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: SAGA_POLICY_CRD_NAME, ...(Object.keys(labels).length > 0 ? { labels } : {}) },
    spec: {
      group: SAGA_POLICY_API_GROUP,
      scope: 'Namespaced',
      names: {
        kind: SAGA_POLICY_KIND,
        listKind: `${SAGA_POLICY_KIND}List`,
        plural: SAGA_POLICY_PLURAL,
        singular: 'sagapolicy',
        shortNames: ['sp'],
        categories: ['hms'],
      },
      versions: [
        {
          name: SAGA_POLICY_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: SAGA_POLICY_PRINTER_COLUMNS,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description:
                'Timeouts, compensation and retention for one saga type, applied live by the operator.',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: sagaPolicySpecSchemaForCrd(),
                status: sagaPolicyStatusSchema(),
              },
            },
          },
        },
      ],
    },
  };
}

/** For tests and tools: a CRD duration string in milliseconds, exactly as the services will read it. */
export const crdDurationMs = (text: string): number | undefined =>
  new RegExp(CRD_DURATION_PATTERN).test(text) ? parseDuration(text) : undefined;
