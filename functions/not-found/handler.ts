/**
 * The function behind the HTTP API's `$default` route: every request that matches no route of ROUTES.
 * It serves nothing, so it answers what the local server answers for the same request (API.md): 405
 * METHOD_NOT_ALLOWED with `Allow` when the path is one of ROUTES asked with another method, else 404
 * NOT_FOUND, both as problem+json with `x-request-id`. It reads no configuration and touches nothing.
 */

import { createHttpHandler } from '../http/create-http-handler.ts';
import { ROUTES } from '../routes.ts';

export const handler = createHttpHandler({}, { knownRoutes: ROUTES });
