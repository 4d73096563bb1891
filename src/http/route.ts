import type { Logger } from 'pino';
import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Any zod object, whatever its unknown-key policy (strip, strict, loose). */
export type ObjectSchema = z.ZodObject<z.core.$ZodShape, z.core.$ZodObjectConfig>;

export interface ResponseSpec {
  readonly description: string;
  /** Omitted on a 4xx/5xx: the response is documented as the shared ErrorBody. */
  readonly schema?: z.ZodType;
  /** Defaults to application/json. */
  readonly contentType?: string;
}

export interface RouteRequest<Params, Query, Body> {
  readonly params: Params;
  readonly query: Query;
  readonly body: Body;
  /** Lower-case names; repeated headers are joined with ", ". */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly requestId: string;
  readonly correlationId: string;
  /** The body exactly as received, when there was one (e.g. to hash for Idempotency-Key checks). */
  readonly rawBody?: string;
  /** Already carries requestId and correlationId. */
  readonly logger: Logger;
}

export interface RouteResult {
  readonly status: number;
  /** Sent as JSON; omit for an empty body. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

type OutputOf<S, Fallback> = S extends z.ZodType ? z.output<S> : Fallback;

export interface RouteSpec<
  P extends ObjectSchema | undefined,
  Q extends ObjectSchema | undefined,
  B extends z.ZodType | undefined,
> {
  readonly method: HttpMethod;
  /** Koa-router template, e.g. /api/customers/:customerId */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  readonly handler: (
    req: RouteRequest<
      OutputOf<P, Readonly<Record<string, string>>>,
      OutputOf<Q, Readonly<Record<string, never>>>,
      OutputOf<B, undefined>
    >,
  ) => Promise<RouteResult>;
}

/** A route with its types erased, so routes of different shapes fit in one list. */
export interface Route {
  readonly method: HttpMethod;
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly params?: ObjectSchema;
  readonly query?: ObjectSchema;
  readonly body?: z.ZodType;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  readonly handler: (req: RouteRequest<unknown, unknown, unknown>) => Promise<RouteResult>;
}

/**
 * Declares an endpoint once: the same schemas validate the request, type the handler's `req` and
 * generate the OpenAPI document.
 */
export function defineRoute<
  P extends ObjectSchema | undefined = undefined,
  Q extends ObjectSchema | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(spec: RouteSpec<P, Q, B>): Route {
  // Sound because the request handler parses params, query and body with these very schemas.
  return { ...spec, tags: spec.tags ?? [], handler: spec.handler as Route['handler'] };
}
