import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { createLogger, type Logger } from '../../functions/observability/logger.ts';

/** The real API Gateway events of ../shared/events/apigw-http. */
export const SHARED_EVENTS_DIR = new URL('../../../shared/events/apigw-http/', import.meta.url);

export const sharedEvent = (file: string): APIGatewayProxyEventV2 =>
  JSON.parse(readFileSync(new URL(file, SHARED_EVENTS_DIR), 'utf8')) as APIGatewayProxyEventV2;

export interface EventOverrides {
  method?: string;
  path?: string;
  routeKey?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
}

/** A real event (no-auth.json) reshaped into another request, the way API Gateway would send it. */
export const httpEvent = (overrides: EventOverrides = {}): APIGatewayProxyEventV2 => {
  const base = sharedEvent('no-auth.json');
  const method = overrides.method ?? 'POST';
  const path = overrides.path ?? '/payments/123/refunds';
  const routeKey = overrides.routeKey ?? '$default';
  const { 'content-length': _, ...headers } = base.headers;
  return {
    ...base,
    routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(overrides.query ?? {}).toString(),
    headers: { ...headers, ...overrides.headers },
    ...(overrides.query ? { queryStringParameters: overrides.query } : {}),
    ...(overrides.pathParameters ? { pathParameters: overrides.pathParameters } : {}),
    requestContext: { ...base.requestContext, routeKey, http: { ...base.requestContext.http, method, path } },
    ...(overrides.body !== undefined ? { body: overrides.body } : {}),
    isBase64Encoded: overrides.isBase64Encoded ?? false,
  };
};

export const lambdaContext = (remainingMs = 20_000): Context => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test',
  memoryLimitInMB: '256',
  awsRequestId: 'aws-request-1',
  logGroupName: '/aws/lambda/test',
  logStreamName: 'stream',
  getRemainingTimeInMillis: () => remainingMs,
  done: () => {},
  fail: () => {},
  succeed: () => {},
});

export interface CapturedLogs {
  logger: Logger;
  lines: Record<string, unknown>[];
  text: () => string;
}

export const captureLogs = (): CapturedLogs => {
  const raw: string[] = [];
  const logger = createLogger({ level: 'debug', sink: (line) => raw.push(line) });
  return {
    logger,
    get lines() {
      return raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    text: () => raw.join('\n'),
  };
};
