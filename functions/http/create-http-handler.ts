import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { TIMING } from '../config/timing.ts';
import { type Clock, systemClock } from '../model/clock.ts';
import { type Logger, rootLogger } from '../observability/logger.ts';
import { accessLogMiddleware } from './access-log.ts';
import { callerOf } from './caller.ts';
import { definedValues, requestHeaders } from './headers.ts';
import { jsonBodyParserMiddleware, MAX_BODY_BYTES } from './json-body-parser.ts';
import { clockOption, loggerOption, validateOptions } from './options.ts';
import { pipelineStateMiddleware } from './pipeline-state.ts';
import { problemResponseMiddleware } from './problem-response.ts';
import { requestIdMiddleware } from './request-id.ts';
import { toLambdaResult } from './response.ts';
import type { RouteTemplate } from './route-match.ts';
import { routeResolverMiddleware, type ServedRoute } from './route-resolver.ts';
import type {
  HttpLambdaHandler,
  HttpLambdaResult,
  HttpRequest,
  PipelineContext,
  RouteConfig,
  Routes,
} from './types.ts';

export interface HttpHandlerOptions {
  /** Parent of the per-request loggers; default rootLogger. */
  logger?: Logger;
  clock?: Clock;
  maxBodyBytes?: number;
  /** Taken off the Lambda's remaining time to make `req.deadline`: time left to answer and log. */
  deadlineMarginMs?: number;
  /**
   * Routes of the API served by other functions, to answer 405 (with `Allow`) rather than 404 for their
   * paths: what the `$default` route's function, which serves no route, needs (functions/not-found).
   */
  knownRoutes?: readonly RouteTemplate[];
}

export const DEFAULT_DEADLINE_MARGIN_MS = TIMING.httpDeadlineMarginMs;
const FALLBACK_REMAINING_MS = TIMING.fallbackRemainingMs;
const ANSWER_BEFORE_TIMEOUT_MS = TIMING.answerBeforeTimeoutMs;

const optionsSchema = z.strictObject({
  logger: z.optional(loggerOption),
  clock: z.optional(clockOption),
  maxBodyBytes: z.optional(z.int().check(z.positive())),
  deadlineMarginMs: z.optional(z.int().check(z.nonnegative())),
  knownRoutes: z.optional(
    z.array(
      z.object({ method: z.string().check(z.regex(/^[A-Z]+$/)), path: z.string().check(z.regex(/^\//)) }),
    ),
  ),
});

const ROUTE_KEY = /^(GET|POST|PUT|PATCH|DELETE) (\/\S*)$/;

const servedRoutes = (routes: Routes): ServedRoute[] =>
  Object.entries(routes).map(([routeKey, value]) => {
    const [, method, path] = ROUTE_KEY.exec(routeKey) ?? [];
    const config: RouteConfig | undefined = typeof value === 'function' ? { handler: value } : value;
    if (method === undefined || path === undefined || typeof config?.handler !== 'function') {
      throw new TypeError(`createHttpHandler: route "${routeKey}" needs a "METHOD /path" key and a handler`);
    }
    return { method, path, routeKey, config };
  });

/**
 * The Lambda handler of an HTTP API (payload v2) function serving `routes`: request id, access log,
 * problem+json errors, route resolution (404/405), JSON body rules, then the route's handler. With no
 * routes it answers every request 404/405 (as problem+json): the `$default` route's function.
 */
export const createHttpHandler = (routes: Routes, options: HttpHandlerOptions = {}): HttpLambdaHandler => {
  const checked = validateOptions('createHttpHandler', optionsSchema, options);
  const logger = checked.logger ?? rootLogger;
  const clock = checked.clock ?? systemClock;
  const deadlineMarginMs = checked.deadlineMarginMs ?? DEFAULT_DEADLINE_MARGIN_MS;
  const served = servedRoutes(routes);

  const dispatch = async (
    event: APIGatewayProxyEventV2,
    context: PipelineContext,
  ): Promise<HttpLambdaResult> => {
    const state = context.http;
    const route = state?.route;
    if (!route || state.requestId === undefined)
      throw new Error('createHttpHandler: pipeline state is missing');
    const remaining =
      typeof context.getRemainingTimeInMillis === 'function'
        ? context.getRemainingTimeInMillis()
        : FALLBACK_REMAINING_MS;
    const req: HttpRequest = {
      routeKey: route.routeKey,
      method: event.requestContext.http.method,
      path: event.rawPath,
      pathParameters: route.pathParameters,
      query: definedValues(event.queryStringParameters),
      headers: requestHeaders(event, context),
      rawBody: state.rawBody,
      body: state.body,
      requestId: state.requestId,
      caller: callerOf(event),
      log: logger.child({ requestId: state.requestId, routeKey: route.routeKey }),
      deadline: clock.now() + remaining - deadlineMarginMs,
    };
    // With the access log's total, these tell the pipeline's time from the handler's.
    const handlerStartedAt = clock.now();
    req.log.debug('dispatching', {
      pathParameters: route.pathParameters,
      bodyBytes: state.rawBody === undefined ? 0 : Buffer.byteLength(state.rawBody),
      pipelineMs: state.startedAt === undefined ? undefined : handlerStartedAt - state.startedAt,
      remainingMs: remaining,
    });
    const response = await route.config.handler(req);
    req.log.debug('handler answered', { status: response.status, handlerMs: clock.now() - handlerStartedAt });
    return toLambdaResult(response);
  };

  return middy(dispatch, { timeoutEarlyInMillis: ANSWER_BEFORE_TIMEOUT_MS })
    .use(pipelineStateMiddleware())
    .use(requestIdMiddleware())
    .use(accessLogMiddleware({ logger, clock }))
    .use(problemResponseMiddleware({ logger }))
    .use(routeResolverMiddleware(served, checked.knownRoutes))
    .use(jsonBodyParserMiddleware({ maxBytes: checked.maxBodyBytes ?? MAX_BODY_BYTES }));
};
