import { definedValues } from './headers.ts';
import { pipelineState } from './pipeline-state.ts';
import { ProblemError } from './problems.ts';
import { matchRoute, type RouteTemplate } from './route-match.ts';
import type { PipelineRequest, RouteConfig } from './types.ts';

export interface ServedRoute {
  method: string;
  path: string;
  routeKey: string;
  config: RouteConfig;
}

const MAX_ECHOED_PATH = 200;

/** The 404/405 answers of the API, shared with the local server so both say the same. */
export const routeNotFound = (method: string, path: string): ProblemError =>
  new ProblemError('NOT_FOUND', `No route for ${method} ${path.slice(0, MAX_ECHOED_PATH)}`);

export const methodNotAllowed = (method: string, allow: readonly string[]): ProblemError =>
  new ProblemError('METHOD_NOT_ALLOWED', `${method} is not allowed here; allowed: ${allow.join(', ')}`, {
    headers: { allow: allow.join(', ') },
  });

/**
 * Finds the route of a request: by API Gateway's route key when it is one of ours, else (a `$default`
 * route, or a key this function does not serve) by method and path against the routes it serves.
 * `knownRoutes` are the API's routes served elsewhere (the `$default` function serves none): a path among
 * them asked with another method is a 405 naming every method of that path, not a 404.
 */
export const routeResolverMiddleware = (
  routes: readonly ServedRoute[],
  knownRoutes: readonly RouteTemplate[] = [],
) => {
  const byRouteKey = new Map(routes.map((route) => [route.routeKey, route]));
  const allRoutes: readonly RouteTemplate[] = [...routes, ...knownRoutes];
  return {
    name: 'routeResolver',
    before: (request: PipelineRequest): void => {
      const { event } = request;
      const state = pipelineState(request.context);
      const byKey = byRouteKey.get(event.routeKey);
      if (byKey) {
        state.route = {
          routeKey: byKey.routeKey,
          pathParameters: definedValues(event.pathParameters),
          config: byKey.config,
        };
        return;
      }
      const method = event.requestContext?.http?.method ?? '';
      const path = event.rawPath ?? '';
      const match = matchRoute(routes, method, path);
      if (match.kind !== 'found') {
        const known = knownRoutes.length > 0 ? matchRoute(allRoutes, method, path) : match;
        // `found` here is a route of the API that this function does not serve: not its to answer.
        if (known.kind === 'method-not-allowed') throw methodNotAllowed(method, known.allow);
        throw routeNotFound(method, path);
      }
      state.route = {
        routeKey: match.routeKey,
        pathParameters: match.pathParameters,
        config: match.route.config,
      };
    },
  };
};
