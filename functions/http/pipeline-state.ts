import type { PipelineContext, PipelineRequest, PipelineState } from './types.ts';

export const pipelineState = (context: PipelineContext): PipelineState => {
  context.http ??= {};
  return context.http;
};

/**
 * Runs first: gives each invocation a context of its own (inheriting everything from the one it was
 * given) carrying a fresh state, so a context object shared by several invocations, one after the other
 * or at once (tests, other hosts), can never hand one request's body or route to another.
 */
export const pipelineStateMiddleware = () => ({
  name: 'pipelineState',
  before: (request: PipelineRequest): void => {
    const own: PipelineContext = Object.create(request.context);
    own.http = {};
    request.context = own;
  },
});
