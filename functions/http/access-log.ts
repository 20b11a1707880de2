import * as z from 'zod/mini';
import type { Clock } from '../model/clock.ts';
import type { LogFields, Logger } from '../observability/logger.ts';
import { callerOf } from './caller.ts';
import { requestHeaders } from './headers.ts';
import { clockOption, loggerOption, validateOptions } from './options.ts';
import { IDEMPOTENCY_KEY_HEADER } from './parameters.ts';
import { pipelineState } from './pipeline-state.ts';
import type { PipelineRequest } from './types.ts';

const optionsSchema = z.strictObject({ logger: loggerOption, clock: clockOption });

/** Path ids that say what a request was about, in the order API.md lists them. */
const LOGGED_PATH_IDS = ['paymentId', 'orderId', 'externalPosId', 'refundId'] as const;
/** Longer than any valid id or key: as given, but a huge one cannot flood the log. */
const MAX_LOGGED_ID = 128;

/** The path ids and Idempotency-Key of a request as sent (maybe the invalid ones it was refused for). */
const subjectOf = (request: PipelineRequest): LogFields => {
  const out: LogFields = {};
  const parameters = pipelineState(request.context).route?.pathParameters ?? {};
  for (const name of LOGGED_PATH_IDS) {
    const value = parameters[name];
    if (value !== undefined) out[name] = value.slice(0, MAX_LOGGED_ID);
  }
  const key = requestHeaders(request.event, request.context)[IDEMPOTENCY_KEY_HEADER];
  if (key !== undefined) out.idempotencyKey = key.slice(0, MAX_LOGGED_ID);
  return out;
};

/**
 * One info line per request: who asked what (route, payment or order, idempotency key), the status and the
 * time taken. Never bodies nor auth headers.
 */
export const accessLogMiddleware = (options: { logger: Logger; clock: Clock }) => {
  const { logger, clock } = validateOptions('accessLogMiddleware', optionsSchema, options);
  const write = (request: PipelineRequest): void => {
    const state = pipelineState(request.context);
    const { event, response } = request;
    logger.info('request', {
      method: event.requestContext?.http?.method,
      routeKey: state.route?.routeKey ?? event.routeKey,
      ...subjectOf(request),
      status: response?.statusCode ?? 500,
      ms: state.startedAt === undefined ? undefined : clock.now() - state.startedAt,
      requestId: state.requestId,
      caller: callerOf(event),
      code: state.problemCode,
    });
  };
  return {
    name: 'accessLog',
    before: (request: PipelineRequest): void => {
      const state = pipelineState(request.context);
      state.startedAt = clock.now();
      logger.debug('request received', {
        method: request.event.requestContext?.http?.method,
        path: request.event.rawPath?.slice(0, 200),
        routeKey: request.event.routeKey,
        requestId: state.requestId,
      });
    },
    after: write,
    onError: write,
  };
};
