/** The HTTP pipeline every API function uses: `createHttpHandler` and what route handlers need. */
export { callerOf } from './caller.ts';
export { createHttpHandler, type HttpHandlerOptions } from './create-http-handler.ts';
export { isJsonContentType, MAX_BODY_BYTES } from './json-body-parser.ts';
export {
  externalPosIdSchema,
  IDEMPOTENCY_KEY_HEADER,
  idempotencyKeySchema,
  paymentIdSchema,
  readExternalPosId,
  readIdempotencyKey,
  readPaymentId,
} from './parameters.ts';
export { pickRequestId, REQUEST_ID_HEADER } from './request-id.ts';
export { PROBLEM_CONTENT_TYPE, problemResult, toLambdaResult } from './response.ts';
export { matchRoute, type RouteMatch, type RouteTemplate } from './route-match.ts';
export { methodNotAllowed, routeNotFound } from './route-resolver.ts';
export type {
  HttpLambdaHandler,
  HttpLambdaResult,
  HttpRequest,
  HttpResponse,
  RouteConfig,
  RouteHandler,
  Routes,
} from './types.ts';
export { fieldProblems, parseBody, parseWith } from './validation.ts';
