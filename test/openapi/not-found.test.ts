/**
 * functions/not-found, behind the HTTP API's `$default` route: it answers what the local server answers
 * for a request that matches no route (API.md: 404 NOT_FOUND, 405 METHOD_NOT_ALLOWED with Allow).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HttpLambdaHandler } from '../../functions/http/index.ts';
import { FunctionName } from '../../functions/routes.ts';
import { type LambdaHttpHandler, type LocalServer, startLocalServer } from '../../local/server.ts';
import { captureLogs, httpEvent, lambdaContext } from '../http/helpers.ts';

interface Answer {
  status: number;
  contentType: string | undefined;
  allow: string | undefined;
  requestId: string | undefined;
  body: Record<string, unknown>;
}

// rootLogger reads LOG_LEVEL at import: keep the function's access-log lines out of the test output.
vi.hoisted(() => {
  process.env.LOG_LEVEL = 'error';
});

let handler: HttpLambdaHandler;
let server: LocalServer;

beforeAll(async () => {
  ({ handler } = await import('../../functions/not-found/handler.ts'));
  const unreachable: LambdaHttpHandler = async () => {
    throw new Error('no API route should be reached');
  };
  server = await startLocalServer({
    port: 0,
    host: '127.0.0.1',
    handlers: Object.fromEntries(Object.values(FunctionName).map((name) => [name, unreachable])),
    log: captureLogs().logger,
  });
});
afterAll(async () => {
  await server?.close();
});

/** What API Gateway would answer through `$default`. */
const viaDefaultRoute = async (method: string, path: string, headers: Record<string, string> = {}) => {
  const result = await handler(httpEvent({ method, path, routeKey: '$default', headers }), lambdaContext());
  const resultHeaders = result.headers as Record<string, string>;
  return {
    status: result.statusCode!,
    contentType: resultHeaders['content-type'],
    allow: resultHeaders.allow,
    requestId: resultHeaders['x-request-id'],
    body: JSON.parse(result.body!) as Record<string, unknown>,
  } satisfies Answer;
};

const viaLocalServer = async (method: string, path: string, headers: Record<string, string> = {}) => {
  const response = await fetch(`${server.url}${path}`, { method, headers });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? undefined,
    allow: response.headers.get('allow') ?? undefined,
    requestId: response.headers.get('x-request-id') ?? undefined,
    body: (await response.json()) as Record<string, unknown>,
  } satisfies Answer;
};

describe('the $default function', () => {
  it.each([
    ['GET', '/', 404, undefined],
    ['GET', '/payments', 404, undefined],
    ['POST', '/payments/123/refunds/', 404, undefined],
    ['GET', '/payments/123/refunds/r-1/extra', 404, undefined],
    ['POST', '/webhooks/other', 404, undefined],
    ['PATCH', '/payments/123/refunds', 405, 'POST, GET'],
    ['DELETE', '/payments/123/refunds/r-1', 405, 'GET'],
    ['GET', '/payments/123/cancellation', 405, 'POST'],
    ['POST', '/pos/POS_1/order', 405, 'GET, PUT, DELETE'],
    ['GET', '/webhooks/mercadopago', 405, 'POST'],
  ])('%s %s: %i, as the local server answers', async (method, path, status, allow) => {
    const requestId = 'req-not-found-1';
    const aws = await viaDefaultRoute(method, path, { 'x-request-id': requestId });
    const local = await viaLocalServer(method, path, { 'x-request-id': requestId });
    expect(aws).toEqual({
      status,
      contentType: 'application/problem+json',
      allow,
      requestId,
      body: expect.objectContaining({
        status,
        code: status === 404 ? 'NOT_FOUND' : 'METHOD_NOT_ALLOWED',
        type: expect.stringMatching(/^https:\/\//),
        title: expect.any(String),
        detail: expect.any(String),
      }),
    });
    expect(local).toEqual(aws);
  });

  it('answers 404 for a route of ROUTES too: no API route is served by it', async () => {
    const answer = await viaDefaultRoute('GET', '/payments/123/refunds');
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('NOT_FOUND');
  });

  it('never reads the body: a huge or non-JSON one is still a 404/405', async () => {
    const event = httpEvent({
      method: 'PATCH',
      path: '/pos/POS_1/order',
      routeKey: '$default',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(100_000),
    });
    const result = await handler(event, lambdaContext());
    expect(result.statusCode).toBe(405);
  });

  it('gives each request its own id when the caller sends none', async () => {
    const first = await viaDefaultRoute('GET', '/nothing');
    const second = await viaDefaultRoute('GET', '/nothing');
    expect(first.requestId).toEqual(expect.any(String));
    expect(second.requestId).not.toBe(first.requestId);
  });
});
