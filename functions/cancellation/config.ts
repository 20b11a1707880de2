/** The cancellation function's configuration: the slice of the environment it reads, checked at cold start. */
import { checkLogLevel, type Env } from '../config/fields.ts';
import { type KeyedRouteConfig, readKeyedRoute } from '../config/keyed-route.ts';

export type CancellationConfig = KeyedRouteConfig;

export const loadCancellationConfig = (env: Env = process.env): CancellationConfig => {
  checkLogLevel(env);
  return readKeyedRoute(env);
};
