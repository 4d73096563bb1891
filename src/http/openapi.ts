import { z } from 'zod';
import { errorBodySchema } from './error-body';
import type { ResponseSpec, Route } from './route';

type JsonSchema = Record<string, unknown>;
type Io = 'input' | 'output';

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: OpenApiInfo;
  readonly paths: Record<string, Record<string, JsonSchema>>;
  readonly components: { readonly schemas: Record<string, JsonSchema> };
}

const ERROR_BODY_REF = { $ref: '#/components/schemas/ErrorBody' };
const JSON_TYPE = 'application/json';

/** Error answers every operation can give, documented unless the route documents them itself. */
const DEFAULT_ERRORS: Readonly<Record<number, string>> = {
  500: 'Unexpected error (INTERNAL_ERROR)',
  503: 'Hazelcast unreachable or the write timed out (SERVICE_UNAVAILABLE)',
};

/**
 * The OpenAPI 3.1 document of a service, generated from the very zod schemas that validate its
 * requests, so the document cannot drift from the behaviour.
 */
export function buildOpenApiDocument(info: OpenApiInfo, routes: readonly Route[]): OpenApiDocument {
  const schemas = new ComponentSchemas();
  schemas.convert(errorBodySchema, 'output');
  // Outputs first: a named schema keeps its plain name for its output form (see ComponentSchemas).
  const documentedResponses = routes.map((route) => responses(route, schemas));
  const paths: Record<string, Record<string, JsonSchema>> = {};
  routes.forEach((route, index) => {
    const path = openApiPath(route.path);
    const method = route.method.toLowerCase();
    paths[path] = { ...paths[path], [method]: operation(route, documentedResponses[index] ?? {}, schemas) };
  });
  return { openapi: '3.1.0', info, paths, components: { schemas: schemas.all } };
}

/** /api/customers/:customerId → /api/customers/{customerId} */
export const openApiPath = (template: string): string =>
  template.replace(/:([A-Za-z0-9_]+)/g, (_match, name: string) => `{${name}}`);

const pathParameterNames = (template: string): string[] =>
  [...template.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1] ?? '');

function operation(route: Route, responses: JsonSchema, schemas: ComponentSchemas): JsonSchema {
  const parameters = [...pathParameters(route, schemas), ...queryParameters(route, schemas)];
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    ...(route.tags.length === 0 ? {} : { tags: [...route.tags] }),
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(route.body === undefined ? {} : { requestBody: requestBody(route.body, schemas) }),
    responses,
  };
}

function pathParameters(route: Route, schemas: ComponentSchemas): JsonSchema[] {
  const object = route.params ? schemas.convert(route.params, 'input') : {};
  return pathParameterNames(route.path).map((name) =>
    parameter(name, 'path', true, propertyOf(object, name)),
  );
}

function queryParameters(route: Route, schemas: ComponentSchemas): JsonSchema[] {
  if (!route.query) return [];
  const object = schemas.convert(route.query, 'input');
  const required = Array.isArray(object.required) ? object.required : [];
  const properties = isRecord(object.properties) ? object.properties : {};
  return Object.keys(properties).map((name) =>
    parameter(name, 'query', required.includes(name), propertyOf(object, name)),
  );
}

function parameter(
  name: string,
  location: 'path' | 'query',
  required: boolean,
  schema: JsonSchema,
): JsonSchema {
  const description = typeof schema.description === 'string' ? { description: schema.description } : {};
  return { name, in: location, required, ...description, schema };
}

function propertyOf(object: JsonSchema, name: string): JsonSchema {
  const properties = isRecord(object.properties) ? object.properties : {};
  const property = properties[name];
  return isRecord(property) ? property : { type: 'string' };
}

function requestBody(body: z.ZodType, schemas: ComponentSchemas): JsonSchema {
  return {
    required: !acceptsUndefined(body),
    content: { [JSON_TYPE]: { schema: schemas.convert(body, 'input') } },
  };
}

function acceptsUndefined(schema: z.ZodType): boolean {
  try {
    return schema.safeParse(undefined).success;
  } catch {
    return false; // async refinements cannot run synchronously; such a body is surely required
  }
}

function responses(route: Route, schemas: ComponentSchemas): Record<string, JsonSchema> {
  const documented: Record<string, JsonSchema> = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    documented[status] = response(Number(status), spec, schemas);
  }
  const defaults: Array<[number, string]> = Object.entries(DEFAULT_ERRORS).map(([s, d]) => [Number(s), d]);
  if (route.params !== undefined || route.query !== undefined || route.body !== undefined) {
    defaults.push([400, 'Invalid argument (INVALID_ARGUMENT) or body validation failed (VALIDATION_ERROR)']);
  }
  if (route.body !== undefined) defaults.push([413, 'Body over the size limit (PAYLOAD_TOO_LARGE)']);
  for (const [status, description] of defaults) {
    documented[status] ??= { description, content: { [JSON_TYPE]: { schema: ERROR_BODY_REF } } };
  }
  return documented;
}

function response(status: number, spec: ResponseSpec, schemas: ComponentSchemas): JsonSchema {
  const contentType = spec.contentType ?? JSON_TYPE;
  if (spec.schema) {
    return {
      description: spec.description,
      content: { [contentType]: { schema: schemas.convert(spec.schema, 'output') } },
    };
  }
  if (status >= 400)
    return { description: spec.description, content: { [JSON_TYPE]: { schema: ERROR_BODY_REF } } };
  return { description: spec.description };
}

/**
 * zod → JSON Schema (2020-12, the dialect of OpenAPI 3.1). Schemas named with `.meta({ id })` land in
 * components.schemas; when input and output forms of one named schema differ, the input one (converted
 * after every output) is suffixed "Input" so neither overwrites the other.
 */
class ComponentSchemas {
  readonly all: Record<string, JsonSchema> = {};

  convert(schema: z.ZodType, io: Io): JsonSchema {
    const {
      $schema: _dialect,
      $defs,
      ...root
    } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
    const names = new Map<string, string>();
    const definitions = isRecord($defs) ? $defs : {};
    for (const [id, definition] of Object.entries(definitions))
      names.set(id, this.nameFor(id, definition, io));
    for (const [id, definition] of Object.entries(definitions)) {
      this.all[names.get(id) ?? id] = rewriteRefs(definition, names) as JsonSchema;
    }
    return rewriteRefs(root, names) as JsonSchema;
  }

  private nameFor(id: string, definition: unknown, io: Io): string {
    const existing = this.all[id];
    if (existing === undefined || io === 'output') return id;
    return JSON.stringify(existing) === JSON.stringify(rewriteRefs(definition, new Map()))
      ? id
      : `${id}Input`;
  }
}

function rewriteRefs(value: unknown, names: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, names));
  if (!isRecord(value)) return value;
  const rewritten: JsonSchema = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === '$ref' && typeof item === 'string' && item.startsWith('#/$defs/')) {
      const id = item.slice('#/$defs/'.length);
      rewritten[key] = `#/components/schemas/${names.get(id) ?? id}`;
    } else {
      rewritten[key] = rewriteRefs(item, names);
    }
  }
  return rewritten;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
