import { parseAllDocuments } from 'yaml';
import type { KeyValueMap } from '../storage/key-value';
import type { EffectivePolicy, SagaPolicySpec } from './saga-policy';
import { effectivePolicy, sagaPolicySpecSchema } from './saga-policy';

export const SAGA_POLICY_API_GROUP = 'saga.hms.dev';
export const SAGA_POLICY_API_VERSION = `${SAGA_POLICY_API_GROUP}/v1alpha1`;

export class PolicyFileError extends Error {
  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'PolicyFileError';
  }
}

/**
 * Reads SagaPolicy resources from YAML (one or more documents), exactly as `kubectl apply` would take
 * them, and checks each spec with the shared schema. Every problem names its document and field.
 */
export function parsePolicyYaml(text: string): SagaPolicySpec[] {
  const problems: string[] = [];
  const specs: SagaPolicySpec[] = [];
  parseAllDocuments(text).forEach((document, index) => {
    const where = `document ${index + 1}`;
    if (document.errors.length > 0) {
      problems.push(`${where}: not valid YAML: ${document.errors[0]!.message}`);
      return;
    }
    const resource: unknown = document.toJS();
    if (resource === null || resource === undefined) return;
    if (typeof resource !== 'object' || Array.isArray(resource)) {
      problems.push(`${where}: expected a SagaPolicy object`);
      return;
    }
    const { apiVersion, kind, spec } = resource as Record<string, unknown>;
    if (kind !== 'SagaPolicy') problems.push(`${where}: kind must be SagaPolicy, not ${String(kind)}`);
    if (apiVersion !== SAGA_POLICY_API_VERSION) {
      problems.push(`${where}: apiVersion must be ${SAGA_POLICY_API_VERSION}, not ${String(apiVersion)}`);
    }
    const parsed = sagaPolicySpecSchema.safeParse(spec);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push(`${where}: spec.${issue.path.join('.') || '(root)'}: ${issue.message}`);
      }
      return;
    }
    specs.push(parsed.data);
  });
  if (problems.length > 0) throw new PolicyFileError(problems);
  if (specs.length === 0) throw new PolicyFileError(['no SagaPolicy found in the file']);
  const types = specs.map((spec) => spec.sagaType);
  const duplicate = types.find((type, index) => types.indexOf(type) !== index);
  if (duplicate) throw new PolicyFileError([`two policies for saga type ${duplicate}`]);
  return specs;
}

/** Writes a policy as the next generation of its saga type (compare-and-set, so concurrent writers both count). */
export async function applyPolicy(
  policies: KeyValueMap<EffectivePolicy>,
  spec: SagaPolicySpec,
  source: string,
): Promise<EffectivePolicy> {
  return writeNextGeneration(policies, effectivePolicy(spec, 0, source));
}

/** The generation counter only ever grows, whoever writes (CLI, operator, a reset). */
export async function writeNextGeneration(
  policies: KeyValueMap<EffectivePolicy>,
  desired: Omit<EffectivePolicy, 'generation'>,
): Promise<EffectivePolicy> {
  for (;;) {
    const current = await policies.get(desired.sagaType);
    const next: EffectivePolicy = { ...desired, generation: (current?.value.generation ?? 0) + 1 };
    const written = current
      ? await policies.replace(desired.sagaType, current, next)
      : !(await policies.putIfAbsent(desired.sagaType, next));
    if (written) return next;
  }
}

/**
 * Back to the defaults, as the next generation rather than a deletion: generations only ever grow, so a
 * service can never mistake a later policy for one it already applied.
 */
export async function restoreDefaults(
  policies: KeyValueMap<EffectivePolicy>,
  sagaType: string,
  source: string,
): Promise<EffectivePolicy> {
  return applyPolicy(policies, sagaPolicySpecSchema.parse({ sagaType }), source);
}
