import * as z from 'zod/mini';
import type { Logger } from '../observability/logger.ts';
import { MercadoPagoError } from '../ports/mercadopago-errors.ts';
import { loggerOption, validateOptions } from './options.ts';
import { pipelineState } from './pipeline-state.ts';
import { isProblemError, ProblemError } from './problems.ts';
import { problemResult } from './response.ts';
import type { PipelineRequest } from './types.ts';
import { upstreamProblem } from './upstream-problems.ts';

const optionsSchema = z.strictObject({ logger: loggerOption });

/**
 * Turns any error into an answer: a ProblemError into its problem+json, a MercadoPagoError into 503/502
 * (http/upstream-problems.ts: the one place that translation happens), anything else into a 500
 * INTERNAL_ERROR that says nothing about the cause (which is logged, stack included).
 * Logged: every 5xx, at error with its stack, but for 503 UPSTREAM_UNAVAILABLE: Mercado Pago busy (429) or
 * unreachable, nothing done, the caller told to retry. That is expected, so it is a warning, with the cause's
 * facts and no stack.
 */
export const problemResponseMiddleware = (options: { logger: Logger }) => {
  const { logger } = validateOptions('problemResponseMiddleware', optionsSchema, options);
  return {
    name: 'problemResponse',
    onError: (request: PipelineRequest): void => {
      // Mercado Pago failures no route turned into its own problem are translated here, once (503/502).
      const error: unknown =
        request.error instanceof MercadoPagoError ? upstreamProblem(request.error) : request.error;
      const state = pipelineState(request.context);
      const log = logger.child({
        requestId: state.requestId,
        routeKey: state.route?.routeKey ?? request.event.routeKey,
      });
      if (isProblemError(error)) {
        // 5xx problems hide their cause from the caller (e.g. Mercado Pago's text): it goes to the log.
        if (error.code === 'UPSTREAM_UNAVAILABLE') {
          log.warn('upstream unavailable', { code: error.code, detail: error.detail, cause: error.cause });
        } else if (error.status >= 500) {
          log.error('request failed', { code: error.code, error });
        }
        state.problemCode = error.code;
        request.response = problemResult(error);
        return;
      }
      log.error('unhandled error', { error });
      state.problemCode = 'INTERNAL_ERROR';
      request.response = problemResult(new ProblemError('INTERNAL_ERROR', 'An internal error occurred'));
    },
  };
};
