/**
 * A JSON Schema (2020-12) checker for the subset our OpenAPI documents are generated in. A keyword it
 * does not know is an error, not a pass, so a document that outgrows it cannot validate by accident.
 */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** Keywords that only describe: nothing to check. */
const ANNOTATIONS = new Set(['description', 'default', 'format', 'title', 'examples', 'id']);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const typeOf = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
};

const hasType = (value: unknown, type: string): boolean => {
  if (type === 'integer') return Number.isInteger(value);
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value);
  return typeOf(value) === type;
};

export class JsonSchemaChecker {
  constructor(private readonly components: Readonly<Record<string, JsonSchema>> = {}) {}

  /** "#/components/schemas/X" → its schema. */
  resolve(schema: JsonSchema): JsonSchema {
    const ref = schema.$ref;
    if (typeof ref !== 'string') return schema;
    const name = ref.replace(/^#\/components\/schemas\//, '');
    const target = this.components[name];
    if (!target) throw new Error(`unresolvable $ref ${ref}`);
    return this.resolve(target);
  }

  /** Every way `value` breaks `schema`, as "path: problem"; none when it conforms. */
  problems(schema: JsonSchema, value: unknown, path = '$'): string[] {
    const resolved = this.resolve(schema);
    const found: string[] = [];
    const problem = (message: string) => found.push(`${path}: ${message}`);
    for (const [keyword, rule] of Object.entries(resolved)) {
      if (ANNOTATIONS.has(keyword) || keyword === '$ref') continue;
      switch (keyword) {
        case 'type': {
          const types = Array.isArray(rule) ? rule : [rule];
          if (!types.some((type) => hasType(value, String(type))))
            problem(`is ${typeOf(value)}, not ${types.join('|')}`);
          break;
        }
        case 'enum':
          if (!(rule as unknown[]).some((option) => option === value))
            problem(`${JSON.stringify(value)} is not one of ${JSON.stringify(rule)}`);
          break;
        case 'const':
          if (rule !== value) problem(`${JSON.stringify(value)} is not ${JSON.stringify(rule)}`);
          break;
        case 'anyOf':
          if (!(rule as JsonSchema[]).some((option) => this.problems(option, value, path).length === 0))
            problem(`${JSON.stringify(value)} matches none of anyOf`);
          break;
        case 'properties':
          if (isRecord(value)) {
            for (const [name, property] of Object.entries(rule as Record<string, JsonSchema>)) {
              if (name in value) found.push(...this.problems(property, value[name], `${path}.${name}`));
            }
          }
          break;
        case 'required':
          if (isRecord(value)) {
            for (const name of rule as string[]) if (!(name in value)) problem(`lacks required ${name}`);
          }
          break;
        case 'additionalProperties':
          if (isRecord(value)) {
            const known = isRecord(resolved.properties) ? resolved.properties : {};
            for (const [name, item] of Object.entries(value)) {
              if (name in known) continue;
              if (rule === false) problem(`has ${name}, which the schema does not allow`);
              else if (isRecord(rule)) found.push(...this.problems(rule, item, `${path}.${name}`));
            }
          }
          break;
        case 'propertyNames':
          if (isRecord(value)) {
            for (const name of Object.keys(value))
              found.push(...this.problems(rule as JsonSchema, name, `${path}[key ${name}]`));
          }
          break;
        case 'items':
          if (Array.isArray(value)) {
            value.forEach((item, index) =>
              found.push(...this.problems(rule as JsonSchema, item, `${path}[${index}]`)),
            );
          }
          break;
        case 'minItems':
        case 'maxItems':
          if (Array.isArray(value) && !within(keyword, value.length, rule))
            problem(`length ${keyword} ${rule}`);
          break;
        case 'minLength':
        case 'maxLength':
          if (typeof value === 'string' && !within(keyword, [...value].length, rule))
            problem(`length ${keyword} ${rule}`);
          break;
        case 'minimum':
        case 'maximum':
        case 'exclusiveMinimum':
        case 'exclusiveMaximum':
          if (typeof value === 'number' && !within(keyword, value, rule))
            problem(`${value} breaks ${keyword} ${rule}`);
          break;
        case 'pattern':
          if (typeof value === 'string' && !new RegExp(String(rule), 'u').test(value))
            problem(`${JSON.stringify(value)} does not match ${rule}`);
          break;
        default:
          throw new Error(`${path}: the checker does not know the keyword ${keyword}`);
      }
    }
    return found;
  }
}

function within(keyword: string, actual: number, bound: unknown): boolean {
  const limit = Number(bound);
  switch (keyword) {
    case 'minimum':
    case 'minItems':
    case 'minLength':
      return actual >= limit;
    case 'maximum':
    case 'maxItems':
    case 'maxLength':
      return actual <= limit;
    case 'exclusiveMinimum':
      return actual > limit;
    default:
      return actual < limit;
  }
}
