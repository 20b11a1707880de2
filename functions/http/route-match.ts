/**
 * Matching a method and path against API Gateway route templates (`/payments/{paymentId}/refunds`),
 * the way API Gateway picks a route: used by the Lambda pipeline for `$default` events and by the
 * local server to find the function and build the event.
 */
export interface RouteTemplate {
  method: string;
  path: string;
}

export type RouteMatch<T extends RouteTemplate> =
  | { kind: 'found'; route: T; routeKey: string; pathParameters: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

const PARAMETER = /^\{([A-Za-z0-9_]+)\}$/;

const splitPath = (path: string): string[] => path.split('/').slice(1);

/** The parameters a template binds in a path, or undefined when the path does not fit the template. */
const bindPath = (template: string, path: string): Record<string, string> | undefined => {
  const want = splitPath(template);
  const got = splitPath(path);
  if (want.length !== got.length) return undefined;
  const parameters: Record<string, string> = {};
  for (const [i, wanted] of want.entries()) {
    const segment = got[i] ?? '';
    const name = PARAMETER.exec(wanted)?.[1];
    if (name === undefined) {
      if (segment !== wanted) return undefined;
    } else {
      if (segment === '') return undefined;
      parameters[name] = decodeSegment(segment);
    }
  }
  return parameters;
};

const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

export const matchRoute = <T extends RouteTemplate>(
  routes: readonly T[],
  method: string,
  path: string,
): RouteMatch<T> => {
  const allow: string[] = [];
  for (const route of routes) {
    const pathParameters = bindPath(route.path, path);
    if (pathParameters === undefined) continue;
    if (route.method === method) {
      return { kind: 'found', route, routeKey: `${route.method} ${route.path}`, pathParameters };
    }
    if (!allow.includes(route.method)) allow.push(route.method);
  }
  return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
};
