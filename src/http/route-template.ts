/** Label for requests no route matched; keeps metric cardinality bounded whatever URLs clients send. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The template of the route that handled the request (e.g. /api/customers/:customerId), never the URL. */
export function routeTemplate(ctx: object): string {
  const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  return typeof matched === 'string' ? matched : UNMATCHED_ROUTE;
}
