import type { RouterMiddleware } from '@koa/router';
import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import { invalidArgument, validationError } from './api-error';
import { readJsonBody } from './json-body';
import { requestContextOf } from './request-context';
import type { ObjectSchema, Route } from './route';
import { fieldMessages, fieldPath, issueDetails, isUnknownValue } from './zod-issues';

/**
 * Adapts a Route to Koa: validates path params, query and body against the route's schemas, calls
 * the handler with the parsed values and writes its result.
 */
export function routeMiddleware(route: Route, options: { bodyLimitBytes: number }): RouterMiddleware {
  return async (ctx) => {
    const params = route.params ? parseParameters(route.params, ctx.params, 'Path parameter') : ctx.params;
    const query = route.query ? parseParameters(route.query, ctx.query, 'Query parameter') : {};
    const received = await readJsonBody(ctx.req, options.bodyLimitBytes);
    const body = route.body ? parseBody(route.body, received?.value) : undefined;
    const { requestId, correlationId, logger } = requestContextOf(ctx);
    const result = await route.handler({
      params,
      query,
      body,
      headers: flattenHeaders(ctx.req.headers),
      requestId,
      correlationId,
      rawBody: received?.raw,
      logger,
    });
    for (const [name, value] of Object.entries(result.headers ?? {})) ctx.set(name, value);
    if (result.body === undefined) {
      // An explicit null body first, then the status, so Koa neither rewrites it to 204 nor sends "OK".
      ctx.body = null;
      ctx.status = result.status;
    } else {
      ctx.status = result.status;
      ctx.body = result.body;
    }
  };
}

function parseParameters(
  schema: ObjectSchema,
  input: unknown,
  kind: 'Path parameter' | 'Query parameter',
): unknown {
  const result = schema.safeParse(input, { error: fieldMessages });
  if (result.success) return result.data;
  const root = kind === 'Path parameter' ? 'path' : 'query';
  const details = issueDetails(result.error.issues, root);
  const [first] = result.error.issues;
  const path = first?.code === 'unrecognized_keys' ? [...first.path, ...first.keys.slice(0, 1)] : first?.path;
  const field = fieldPath(path ?? [], root);
  const reason = details[field] ?? first?.message ?? 'is invalid';
  throw invalidArgument(
    path && path.length > 0 ? `${kind} '${field}' ${reason}` : `Invalid ${root} parameters: ${reason}`,
    details,
  );
}

function parseBody(schema: z.ZodType, input: unknown): unknown {
  const result = schema.safeParse(input, { error: fieldMessages });
  if (result.success) return result.data;
  const details = issueDetails(result.error.issues, 'body');
  const unknownValue = result.error.issues.find(isUnknownValue);
  if (unknownValue) {
    const field = fieldPath(unknownValue.path, 'body');
    throw invalidArgument(
      `Invalid value for field '${field}': ${details[field] ?? unknownValue.message}`,
      details,
    );
  }
  throw validationError(details);
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers))
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}
