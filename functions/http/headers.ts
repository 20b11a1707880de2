import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { pipelineState } from './pipeline-state.ts';
import type { PipelineContext } from './types.ts';

/**
 * The request's headers with lower-case names, computed once per request. API Gateway already
 * lower-cases them; events built by hand (tests, other hosts) may not.
 */
export const requestHeaders = (
  event: APIGatewayProxyEventV2,
  context: PipelineContext,
): Record<string, string> => {
  const state = pipelineState(context);
  if (state.headers) return state.headers;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  state.headers = headers;
  return headers;
};

/** A record without its undefined values (API Gateway's optional maps: query, path parameters). */
export const definedValues = (
  record: Record<string, string | undefined> | undefined,
): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(record ?? {})) if (value !== undefined) out[name] = value;
  return out;
};
