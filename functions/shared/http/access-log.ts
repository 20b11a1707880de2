import * as z from 'zod/mini';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { callerOf } from './caller.ts';
import { clockOption, loggerOption, validateOptions } from './options.ts';
import { pipelineState } from './pipeline-state.ts';
import type { PipelineRequest } from './types.ts';

const optionsSchema = z.strictObject({ logger: loggerOption, clock: clockOption });

/** One info line per request: who asked what, the status and the time taken. Never bodies nor auth headers. */
export const accessLogMiddleware = (options: { logger: Logger; clock: Clock }) => {
  const { logger, clock } = validateOptions('accessLogMiddleware', optionsSchema, options);
  const write = (request: PipelineRequest): void => {
    const state = pipelineState(request.context);
    const { event, response } = request;
    logger.info('request', {
      method: event.requestContext?.http?.method,
      routeKey: state.route?.routeKey ?? event.routeKey,
      status: response?.statusCode ?? 500,
      ms: state.startedAt === undefined ? undefined : clock.now() - state.startedAt,
      requestId: state.requestId,
      caller: callerOf(event),
      ...(state.problemCode ? { code: state.problemCode } : {}),
    });
  };
  return {
    name: 'accessLog',
    before: (request: PipelineRequest): void => {
      pipelineState(request.context).startedAt = clock.now();
    },
    after: write,
    onError: write,
  };
};
