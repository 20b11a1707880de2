import { newRequestId } from '../model/ids.ts';
import { requestHeaders } from './headers.ts';
import { pipelineState } from './pipeline-state.ts';
import type { PipelineRequest } from './types.ts';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * A caller's request id is kept when it is 1-128 of letters, digits, `.`, `_`, `:`, `-`: enough for
 * UUIDs, ULIDs, trace ids and Mercado Pago's ids, and nothing that could split a log line or a header.
 */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const pickRequestId = (callerValue: string | undefined): string =>
  callerValue !== undefined && SAFE_REQUEST_ID.test(callerValue) ? callerValue : newRequestId();

/** Chooses the request id before anything else runs, and stamps it on every response, errors included. */
export const requestIdMiddleware = () => {
  const stamp = (request: PipelineRequest): void => {
    const requestId = pipelineState(request.context).requestId;
    if (request.response && requestId !== undefined) {
      request.response.headers = { ...request.response.headers, [REQUEST_ID_HEADER]: requestId };
    }
  };
  return {
    name: 'requestId',
    before: (request: PipelineRequest): void => {
      pipelineState(request.context).requestId = pickRequestId(
        requestHeaders(request.event, request.context)[REQUEST_ID_HEADER],
      );
    },
    after: stamp,
    onError: stamp,
  };
};
