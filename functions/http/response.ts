import { Problem, type ProblemCode, ProblemError, problemBody } from './problems.ts';
import type { HttpLambdaResult, HttpResponse } from './types.ts';

export const JSON_CONTENT_TYPE = 'application/json';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const lowerCaseNames = (headers: Record<string, string> | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
};

/** A route's answer as API Gateway expects it: the body as JSON text, header names lower-cased. */
export const toLambdaResult = (response: HttpResponse): HttpLambdaResult => {
  const headers = lowerCaseNames(response.headers);
  if (response.text !== undefined) return { statusCode: response.status, headers, body: response.text };
  if (response.body === undefined) return { statusCode: response.status, headers };
  headers['content-type'] ??= JSON_CONTENT_TYPE;
  return { statusCode: response.status, headers, body: JSON.stringify(response.body) };
};

/** RFC 9457 problem details of a ProblemError, with the headers it carries (e.g. Retry-After). */
export const problemResult = (error: ProblemError): HttpLambdaResult => ({
  statusCode: error.status,
  headers: { ...lowerCaseNames(error.headers), 'content-type': PROBLEM_CONTENT_TYPE },
  body: JSON.stringify(problemBody(error)),
});

/** A problem as a route's answer (to be stored and replayed), rather than thrown. */
export const problemResponse = (
  code: ProblemCode,
  detail: string,
  headers: Record<string, string> = {},
): HttpResponse => ({
  status: Problem[code].status,
  body: problemBody(new ProblemError(code, detail)),
  headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
});
