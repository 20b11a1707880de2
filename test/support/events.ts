/** API Gateway HTTP API (v2) events for tests, made from the real IAM-authorized event in ../shared. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { matchRoute } from '../../functions/http/route-match.ts';
import { ROUTES } from '../../functions/routes.ts';

const template = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../../shared/events/apigw-http/iam-auth.json', import.meta.url)),
    'utf8',
  ),
) as APIGatewayProxyEventV2;

export interface EventInput {
  method: string;
  /** Path with query, e.g. `/payments/1/refunds`. */
  path: string;
  body?: unknown;
  /** Sent as is when a string (to test bad JSON), else JSON-serialized. */
  rawBody?: string;
  headers?: Record<string, string>;
}

export const apiEvent = (input: EventInput): APIGatewayProxyEventV2 => {
  const [rawPath = '/', rawQueryString = ''] = input.path.split('?');
  const match = matchRoute(
    ROUTES.map((r) => ({ method: r.method, path: r.path })),
    input.method,
    rawPath,
  );
  const matched = match.kind === 'found' ? match : undefined;
  const key = matched ? matched.routeKey : '$default';
  const body = input.rawBody ?? (input.body === undefined ? undefined : JSON.stringify(input.body));
  const headers: Record<string, string> = {
    host: template.headers.host!,
    'user-agent': 'vitest',
    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...Object.fromEntries(Object.entries(input.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
  const query = new URLSearchParams(rawQueryString);
  return {
    ...template,
    routeKey: key,
    rawPath,
    rawQueryString,
    headers,
    ...(rawQueryString
      ? { queryStringParameters: Object.fromEntries(query) }
      : { queryStringParameters: undefined }),
    ...(matched ? { pathParameters: matched.pathParameters } : { pathParameters: undefined }),
    requestContext: {
      ...template.requestContext,
      routeKey: key,
      http: { ...template.requestContext.http, method: input.method, path: rawPath },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded: false,
  };
};

export const lambdaContext = (timeoutMs = 25_000): Context => {
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test',
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: '/aws/lambda/test',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
