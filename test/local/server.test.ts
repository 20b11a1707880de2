import { once } from 'node:events';
import { connect } from 'node:net';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpHandler, type HttpRequest } from '../../functions/http/index.ts';
import { type LambdaHttpHandler, type LocalServer, startLocalServer } from '../../local/server.ts';
import { captureLogs, httpEvent, lambdaContext, sharedEvent } from '../http/helpers.ts';

/** Every key path of a JSON value (`requestContext.http.method`), to compare event shapes. */
const keyPaths = (value: unknown, prefix = ''): string[] =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.entries(value).flatMap(([key, inner]) => [
        `${prefix}${key}`,
        ...keyPaths(inner, `${prefix}${key}.`),
      ])
    : [];

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends bytes as they are (fetch would refuse them) and reads the answer until the server closes. */
const rawRequest = async (url: string, bytes: string): Promise<RawAnswer> => {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'connect');
  socket.write(bytes);
  await once(socket, 'end');
  socket.destroy();
  const [head = '', body = ''] = Buffer.concat(chunks).toString('utf8').split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body };
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('local server', () => {
  let server: LocalServer;
  const refundRequests: HttpRequest[] = [];
  const rawEvents: APIGatewayProxyEventV2[] = [];
  const contexts: Context[] = [];
  const logs = captureLogs();

  const refunds = createHttpHandler(
    {
      'POST /payments/{paymentId}/refunds': async (req) => {
        refundRequests.push(req);
        return {
          status: 201,
          body: { paymentId: req.pathParameters.paymentId, got: req.body ?? null },
          headers: { 'Idempotent-Replayed': 'false' },
        };
      },
      'GET /payments/{paymentId}/refunds': async () => {
        throw new Error('boom');
      },
    },
    { logger: logs.logger },
  );

  /** A bare Lambda handler: records the event and answers in API Gateway's other result forms. */
  const cancellation: LambdaHttpHandler = async (event, context) => {
    rawEvents.push(event);
    contexts.push(context);
    if (event.headers['x-mode'] === 'throw') throw new Error('handler exploded');
    if (event.headers['x-mode'] === 'hang') return new Promise(() => {});
    if (event.headers['x-mode'] === 'plain') return { answer: 42 };
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/octet-stream' },
      cookies: ['a=1; Path=/', 'b=2; Path=/'],
      body: Buffer.from([0, 1, 2, 255]).toString('base64'),
      isBase64Encoded: true,
    };
  };

  beforeAll(async () => {
    server = await startLocalServer({
      port: 0,
      host: '127.0.0.1',
      handlers: { refunds, cancellation },
      timeoutsMs: { cancellation: 300 },
      extraRoutes: [
        {
          method: 'POST',
          path: '/local/echo/{word}',
          handle: (_req, res, params) => {
            res.writeHead(200, { 'content-type': 'text/plain' });
            res.end(params.word);
          },
        },
      ],
      log: logs.logger,
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('listens on 127.0.0.1 and answers /health', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('round-trips a request through the same handler the Lambda runs', async () => {
    const response = await fetch(`${server.url}/payments/123/refunds?source=pos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'local-1', 'idempotency-key': 'k-1' },
      body: JSON.stringify({ amount: 10.5 }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe('local-1');
    expect(response.headers.get('idempotent-replayed')).toBe('false');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ paymentId: '123', got: { amount: 10.5 } });
    const req = refundRequests.at(-1)!;
    expect(req).toMatchObject({
      routeKey: 'POST /payments/{paymentId}/refunds',
      method: 'POST',
      path: '/payments/123/refunds',
      query: { source: 'pos' },
      caller: 'local',
      rawBody: '{"amount":10.5}',
    });
    expect(req.headers['idempotency-key']).toBe('k-1');
    expect(req.deadline).toBeGreaterThan(Date.now() + 20_000);
  });

  it('lets the pipeline answer its own rules over HTTP (415, 400, 413)', async () => {
    const url = `${server.url}/payments/1/refunds`;
    expect((await fetch(url, { method: 'POST', body: 'amount=1' })).status).toBe(415);
    expect(
      (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }))
        .status,
    ).toBe(400);
    const big = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `"${'x'.repeat(70_000)}"`,
    });
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toBe('application/problem+json');
    expect(((await big.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it("answers a body over API Gateway's 10 MB as API Gateway does: 413 {message}, the function never called", async () => {
    const before = refundRequests.length;
    const huge = await fetch(`${server.url}/payments/1/refunds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `"${'x'.repeat(10 * 1024 * 1024)}"`,
    });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual({ message: 'Request Entity Too Large' });
    expect(refundRequests).toHaveLength(before);
  });

  it('builds events shaped like the real API Gateway ones', async () => {
    const response = await fetch(`${server.url}/payments/42/cancellation?a=1&a=2&b=x%20y`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'session=abc; theme=dark', 'x-multi': 'one' },
      body: '{"ok":true}',
    });
    expect(response.status).toBe(200);
    const event = rawEvents.at(-1)!;
    // Headers depend on the client, and the local server has no authorizer (the caller is `local`).
    const expected = ['no-auth.json', 'iam-auth.json', 'jwt-authorizer-auth.json']
      .flatMap((file) => keyPaths(sharedEvent(file)))
      .filter((path) => !path.startsWith('headers.') && !path.startsWith('requestContext.authorizer'));
    expect(expected).toContain('requestContext.http.sourceIp');
    expect(keyPaths(event)).toEqual(expect.arrayContaining(expected));
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /payments/{paymentId}/cancellation',
      rawPath: '/payments/42/cancellation',
      rawQueryString: 'a=1&a=2&b=x%20y',
      cookies: ['session=abc', 'theme=dark'],
      queryStringParameters: { a: '1,2', b: 'x y' },
      pathParameters: { paymentId: '42' },
      body: '{"ok":true}',
      isBase64Encoded: false,
      requestContext: {
        routeKey: 'POST /payments/{paymentId}/cancellation',
        stage: '$default',
        http: {
          method: 'POST',
          path: '/payments/42/cancellation',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
        },
      },
    });
    expect(event.headers.cookie).toBeUndefined();
    expect(event.headers['content-type']).toBe('application/json');
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(5_000);
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);
  });

  it('passes binary bodies base64-encoded and writes base64 results and cookies back', async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x10]);
    const response = await fetch(`${server.url}/payments/42/cancellation`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    const event = rawEvents.at(-1)!;
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(bytes);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
  });

  it('gives the handler a Lambda-like context with the function timeout', async () => {
    await fetch(`${server.url}/payments/42/cancellation`, { method: 'POST' });
    const context = contexts.at(-1)!;
    expect(context.functionName).toBe('cancellation');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(300);
    const event = rawEvents.at(-1)!;
    expect(event.body).toBeUndefined();
    expect(event.isBase64Encoded).toBe(false);
  });

  it('joins repeated headers with commas', async () => {
    const { request } = await import('node:http');
    await new Promise<void>((resolve, reject) => {
      const req = request(`${server.url}/payments/42/cancellation`, { method: 'POST' }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.setHeader('x-multi', ['one', 'two']);
      req.end();
    });
    expect(rawEvents.at(-1)!.headers['x-multi']).toBe('one,two');
  });

  it('answers 404 and 405 with the same problem+json as the Lambda pipeline', async () => {
    const logger = captureLogs().logger;
    const lambda = createHttpHandler(
      {
        'POST /payments/{paymentId}/refunds': async () => ({ status: 201 }),
        'GET /payments/{paymentId}/refunds': async () => ({ status: 200 }),
      },
      { logger },
    );

    const notFound = await fetch(`${server.url}/nothing/here`, { headers: { 'x-request-id': 'nf-1' } });
    const fromLambda = await lambda(httpEvent({ method: 'GET', path: '/nothing/here' }), lambdaContext());
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('content-type')).toBe('application/problem+json');
    expect(notFound.headers.get('x-request-id')).toBe('nf-1');
    expect(await notFound.json()).toEqual(JSON.parse(fromLambda.body ?? ''));

    const wrongMethod = await fetch(`${server.url}/payments/1/refunds`, { method: 'DELETE' });
    const lambda405 = await lambda(
      httpEvent({ method: 'DELETE', path: '/payments/1/refunds' }),
      lambdaContext(),
    );
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST, GET');
    expect(wrongMethod.headers.get('x-request-id')).toBeTruthy();
    expect(await wrongMethod.json()).toEqual(JSON.parse(lambda405.body ?? ''));
  });

  it('answers an unknown method (FOO) as any method the path does not take: 405 problem+json with Allow and x-request-id', async () => {
    const answer = await rawRequest(
      server.url,
      'FOO /payments/1/refunds HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: raw-1\r\n\r\n',
    );
    const lambda405 = await refunds(
      httpEvent({ method: 'FOO', path: '/payments/1/refunds' }),
      lambdaContext(),
    );
    expect(answer.status).toBe(405);
    expect(answer.headers).toMatchObject({
      'content-type': 'application/problem+json',
      allow: 'POST, GET',
      'x-request-id': 'raw-1',
      connection: 'close',
    });
    expect(JSON.parse(answer.body)).toEqual(JSON.parse(lambda405.body ?? ''));
    expect(logs.lines).toContainEqual(
      expect.objectContaining({ message: 'request', method: 'FOO', status: 405, requestId: 'raw-1' }),
    );
  });

  it('answers an unknown method on an unknown path 404, and on /health 405', async () => {
    const nowhere = await rawRequest(server.url, 'FOO /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(nowhere.status).toBe(404);
    expect(JSON.parse(nowhere.body)).toMatchObject({
      code: 'NOT_FOUND',
      detail: 'No route for FOO /nowhere',
    });
    expect(nowhere.headers['x-request-id']).toMatch(UUID);
    const health = await rawRequest(server.url, 'FOO /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(health.status).toBe(405);
    expect(health.headers.allow).toBe('GET');
  });

  it("answers a request it cannot read at all 400 VALIDATION_ERROR problem+json, with a new x-request-id when the caller's is unsafe", async () => {
    const answer = await rawRequest(
      server.url,
      'GET /health HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: not safe\r\nBad Header\r\n\r\n',
    );
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.headers['x-request-id']).toMatch(UUID);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
  });

  it("gives local-only routes an x-request-id too: the caller's when safe, else a new one", async () => {
    const kept = await fetch(`${server.url}/local/echo/hi`, {
      method: 'POST',
      headers: { 'x-request-id': 'extra-1' },
    });
    expect(kept.headers.get('x-request-id')).toBe('extra-1');
    const replaced = await fetch(`${server.url}/local/echo/hi`, {
      method: 'POST',
      headers: { 'x-request-id': 'x'.repeat(129) },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(UUID);
  });

  it('does not serve routes of functions it has no handler for', async () => {
    const response = await fetch(`${server.url}/pos/till-1/order`);
    expect(response.status).toBe(404);
  });

  it('answers a handler failure or timeout as API Gateway does: 500 {"message"}', async () => {
    const thrown = await fetch(`${server.url}/payments/42/cancellation`, {
      method: 'POST',
      headers: { 'x-mode': 'throw' },
    });
    expect(thrown.status).toBe(500);
    expect(await thrown.json()).toEqual({ message: 'Internal Server Error' });
    const hung = await fetch(`${server.url}/payments/42/cancellation`, {
      method: 'POST',
      headers: { 'x-mode': 'hang' },
    });
    expect(hung.status).toBe(500);
    expect(logs.text()).toContain('function timed out');
  });

  it('answers 500 INTERNAL_ERROR problem from the pipeline when a route fails', async () => {
    const response = await fetch(`${server.url}/payments/1/refunds`);
    expect(response.status).toBe(500);
    expect(((await response.json()) as { code: string }).code).toBe('INTERNAL_ERROR');
  });

  it('infers a JSON 200 from a result without statusCode, as API Gateway v2 does', async () => {
    const response = await fetch(`${server.url}/payments/42/cancellation`, {
      method: 'POST',
      headers: { 'x-mode': 'plain' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ answer: 42 });
  });

  it('serves extra local routes', async () => {
    const response = await fetch(`${server.url}/local/echo/hello`, { method: 'POST' });
    expect(await response.text()).toBe('hello');
  });
});
