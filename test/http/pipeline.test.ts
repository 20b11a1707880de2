import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createHttpHandler, type HttpRequest } from '../../functions/http/index.ts';
import { ProblemError } from '../../functions/http/problems.ts';
import { upstreamProblem } from '../../functions/http/upstream-problems.ts';
import { createLogger } from '../../functions/observability/logger.ts';
import { MercadoPagoError, MpFailureKind } from '../../functions/ports/mercadopago-errors.ts';
import { captureLogs, httpEvent, lambdaContext, SHARED_EVENTS_DIR, sharedEvent } from './helpers.ts';

const REFUNDS = 'POST /payments/{paymentId}/refunds';
const LIST = 'GET /payments/{paymentId}/refunds';
const ORDER = 'PUT /pos/{externalPosId}/order';

const bodyOf = (result: { body?: string | undefined }) =>
  JSON.parse(result.body ?? '') as Record<string, unknown>;

describe('request id', () => {
  const handler = createHttpHandler(
    { [LIST]: async () => ({ status: 200, body: { ok: true } }) },
    { logger: captureLogs().logger },
  );
  const get = (headers: Record<string, string>) =>
    httpEvent({ method: 'GET', path: '/payments/1/refunds', routeKey: LIST, headers });

  it.each(['abc-123', 'a', 'x'.repeat(128), 'Root-1:trace.id_2-b', '0b4f4a6e-1d7c-4c1c-9c43-8c1d8e2f1a11'])(
    'echoes a safe caller id %s',
    async (id) => {
      const result = await handler(get({ 'x-request-id': id }), lambdaContext());
      expect(result.headers?.['x-request-id']).toBe(id);
    },
  );

  it.each(['', 'x'.repeat(129), 'has space', 'semi;colon', 'Root=1-abc', 'new\nline', 'ünicode', 'a,b'])(
    'replaces an unsafe caller id %j with a new uuid',
    async (id) => {
      const result = await handler(get({ 'x-request-id': id }), lambdaContext());
      const answered = String(result.headers?.['x-request-id']);
      expect(answered).not.toBe(id);
      expect(answered).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    },
  );

  it('creates one when the caller sends none, different per request', async () => {
    const first = await handler(get({}), lambdaContext());
    const second = await handler(get({}), lambdaContext());
    expect(first.headers?.['x-request-id']).toBeTruthy();
    expect(first.headers?.['x-request-id']).not.toBe(second.headers?.['x-request-id']);
  });

  it('reads the header whatever its case', async () => {
    const result = await handler(get({ 'X-Request-Id': 'Upper-1' }), lambdaContext());
    expect(result.headers?.['x-request-id']).toBe('Upper-1');
  });

  it('is on error responses too: 404, 405, 415, 500', async () => {
    const failing = createHttpHandler(
      {
        [LIST]: async () => {
          throw new Error('boom');
        },
        [REFUNDS]: async () => ({ status: 201, body: {} }),
      },
      { logger: captureLogs().logger },
    );
    const headers = { 'x-request-id': 'req-42' };
    const events = [
      httpEvent({ method: 'GET', path: '/nowhere', headers }),
      httpEvent({ method: 'DELETE', path: '/payments/1/refunds', headers }),
      httpEvent({
        method: 'POST',
        path: '/payments/1/refunds',
        body: 'x',
        headers: { ...headers, 'content-type': 'text/plain' },
      }),
      httpEvent({ method: 'GET', path: '/payments/1/refunds', headers }),
    ];
    const statuses: number[] = [];
    for (const event of events) {
      const result = await failing(event, lambdaContext());
      statuses.push(result.statusCode ?? 0);
      expect(result.headers?.['x-request-id']).toBe('req-42');
    }
    expect(statuses).toEqual([404, 405, 415, 500]);
  });
});

describe('routing', () => {
  const calls: HttpRequest[] = [];
  const handler = createHttpHandler(
    {
      [REFUNDS]: async (req) => {
        calls.push(req);
        return { status: 201, body: { route: req.routeKey, params: req.pathParameters } };
      },
      [LIST]: async (req) => {
        calls.push(req);
        return { status: 200, body: { route: req.routeKey, params: req.pathParameters } };
      },
      [ORDER]: async () => ({ status: 204 }),
    },
    { logger: captureLogs().logger },
  );

  it('dispatches by API Gateway route key, with its path parameters', async () => {
    const result = await handler(
      httpEvent({
        method: 'GET',
        path: '/payments/77/refunds',
        routeKey: LIST,
        pathParameters: { paymentId: '77' },
      }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ route: LIST, params: { paymentId: '77' } });
  });

  it('matches method and path for a $default event', async () => {
    const result = await handler(
      httpEvent({ method: 'POST', path: '/payments/88/refunds' }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result)).toEqual({ route: REFUNDS, params: { paymentId: '88' } });
  });

  it('matches by path when the route key is one this function does not serve', async () => {
    const result = await handler(
      httpEvent({ method: 'GET', path: '/payments/5/refunds', routeKey: 'GET /something/else' }),
      lambdaContext(),
    );
    expect(bodyOf(result)).toEqual({ route: LIST, params: { paymentId: '5' } });
  });

  it('answers 404 NOT_FOUND as problem+json for an unknown path', async () => {
    const result = await handler(
      httpEvent({ method: 'GET', path: '/payments/1/refunds/2/extra' }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(404);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(bodyOf(result)).toEqual({
      type: 'https://mercadopago-refunds.dev/problems/not-found',
      title: 'No such route',
      status: 404,
      detail: 'No route for GET /payments/1/refunds/2/extra',
      code: 'NOT_FOUND',
    });
  });

  it('answers 405 METHOD_NOT_ALLOWED with Allow for a known path and another method', async () => {
    const result = await handler(
      httpEvent({ method: 'DELETE', path: '/payments/1/refunds' }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(405);
    expect(result.headers?.allow).toBe('POST, GET');
    expect(bodyOf(result)).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
  });

  it('gives no 204 a body nor a content type', async () => {
    const result = await handler(httpEvent({ method: 'PUT', path: '/pos/till-1/order' }), lambdaContext());
    expect(result.statusCode).toBe(204);
    expect(result.body).toBeUndefined();
    expect(result.headers?.['content-type']).toBeUndefined();
  });

  it('refuses route tables it cannot serve', () => {
    expect(() => createHttpHandler({ 'payments/{id}': async () => ({ status: 200 }) })).toThrow(TypeError);
    expect(() => createHttpHandler({ 'GET /x': {} as never })).toThrow(TypeError);
  });
});

describe('responses and errors', () => {
  it('serializes JSON bodies with application/json and lower-cased handler headers', async () => {
    const handler = createHttpHandler(
      {
        [REFUNDS]: async () => ({
          status: 201,
          body: { id: 'rf_1' },
          headers: { 'Idempotent-Replayed': 'true' },
        }),
      },
      { logger: captureLogs().logger },
    );
    const result = await handler(
      httpEvent({ routeKey: REFUNDS, path: '/payments/1/refunds' }),
      lambdaContext(),
    );
    expect(result).toMatchObject({
      statusCode: 201,
      body: '{"id":"rf_1"}',
      headers: { 'content-type': 'application/json', 'idempotent-replayed': 'true' },
    });
  });

  it('answers a ProblemError as problem+json with its headers and field errors', async () => {
    const handler = createHttpHandler(
      {
        [REFUNDS]: async () => {
          throw new ProblemError('REFUND_IN_PROGRESS', 'A request with this key is running', {
            headers: { 'Retry-After': '1' },
            errors: [{ field: 'Idempotency-Key', message: 'in use' }],
          });
        },
      },
      { logger: captureLogs().logger },
    );
    const result = await handler(
      httpEvent({ routeKey: REFUNDS, path: '/payments/1/refunds' }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(409);
    expect(result.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': '1' });
    expect(bodyOf(result)).toEqual({
      type: 'https://mercadopago-refunds.dev/problems/refund-in-progress',
      title: 'A request with this idempotency key is in progress',
      status: 409,
      detail: 'A request with this key is running',
      code: 'REFUND_IN_PROGRESS',
      errors: [{ field: 'Idempotency-Key', message: 'in use' }],
    });
  });

  it('answers any other error 500 INTERNAL_ERROR without its details, and logs it with the stack', async () => {
    const logs = captureLogs();
    const handler = createHttpHandler(
      {
        [REFUNDS]: async () => {
          throw new Error('ConditionalCheckFailed on table secret-table-name');
        },
      },
      { logger: logs.logger },
    );
    const result = await handler(
      httpEvent({ routeKey: REFUNDS, path: '/payments/1/refunds', headers: { 'x-request-id': 'r-500' } }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(500);
    expect(bodyOf(result)).toEqual({
      type: 'https://mercadopago-refunds.dev/problems/internal-error',
      title: 'Internal error',
      status: 500,
      detail: 'An internal error occurred',
      code: 'INTERNAL_ERROR',
    });
    expect(result.body).not.toContain('secret-table-name');
    const errorLine = logs.lines.find((line) => line.level === 'error');
    expect(errorLine).toMatchObject({
      requestId: 'r-500',
      routeKey: REFUNDS,
      error: { message: expect.any(String) },
    });
    expect(JSON.stringify(errorLine)).toContain('secret-table-name');
    expect((errorLine?.error as { stack?: string } | undefined)?.stack).toContain('pipeline.test.ts');
    expect(logs.text().split('"stack"')).toHaveLength(2);
  });

  it('answers 500 with the request id before the Lambda would time out', async () => {
    const logs = captureLogs();
    const handler = createHttpHandler({ [REFUNDS]: () => new Promise(() => {}) }, { logger: logs.logger });
    const context = lambdaContext(700);
    const result = await handler(
      httpEvent({ routeKey: REFUNDS, path: '/payments/1/refunds', headers: { 'x-request-id': 'slow-1' } }),
      context,
    );
    // middy's early answer: the Lambda had time left (it would otherwise have been killed without one).
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(result.statusCode).toBe(500);
    expect(result.headers?.['x-request-id']).toBe('slow-1');
    expect(logs.lines.some((line) => line.level === 'error')).toBe(true);
  });

  it('logs Mercado Pago being unavailable (503) as one warning with the facts of its cause, and no stack', async () => {
    const logs = captureLogs();
    const handler = createHttpHandler(
      {
        [REFUNDS]: async () => {
          throw upstreamProblem(
            new MercadoPagoError('Mercado Pago answered 429 on every try', {
              kind: MpFailureKind.Unavailable,
              httpStatus: 429,
              attempts: 3,
              retryAfterSeconds: 2,
              upstreamRequestId: 'mp-req-1',
            }),
          );
        },
      },
      { logger: logs.logger },
    );
    const result = await handler(
      httpEvent({ routeKey: REFUNDS, path: '/payments/1/refunds', headers: { 'x-request-id': 'busy-1' } }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toBe('2');
    const problems = logs.lines.filter((line) => line.message !== 'request' && line.level !== 'debug');
    expect(problems).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: 'upstream unavailable',
        requestId: 'busy-1',
        code: 'UPSTREAM_UNAVAILABLE',
        cause: expect.objectContaining({ httpStatus: 429, attempts: 3, upstreamRequestId: 'mp-req-1' }),
      }),
    ]);
    expect(logs.text()).not.toContain('"stack"');
  });

  it('logs an unexpected upstream answer (502) at error, with one stack', async () => {
    const logs = captureLogs();
    const handler = createHttpHandler(
      {
        [REFUNDS]: async () => {
          throw upstreamProblem(
            new MercadoPagoError('Mercado Pago answered 401', {
              kind: MpFailureKind.Refused,
              httpStatus: 401,
            }),
          );
        },
      },
      { logger: logs.logger },
    );
    const result = await handler(
      httpEvent({ routeKey: REFUNDS, path: '/payments/1/refunds' }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(502);
    const errors = logs.lines.filter((line) => line.level === 'error');
    expect(errors).toEqual([expect.objectContaining({ message: 'request failed', code: 'UPSTREAM_ERROR' })]);
    expect(logs.text().split('"stack"')).toHaveLength(2);
  });

  it('logs the cause of a 5xx problem but answers only its detail', async () => {
    const logs = captureLogs();
    const handler = createHttpHandler(
      {
        [REFUNDS]: async () => {
          throw new ProblemError('UPSTREAM_ERROR', 'Mercado Pago answered 401', {
            cause: new Error('invalid token text'),
          });
        },
      },
      { logger: logs.logger },
    );
    const result = await handler(
      httpEvent({ routeKey: REFUNDS, path: '/payments/1/refunds' }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(502);
    expect(result.body).not.toContain('invalid token text');
    expect(logs.text()).toContain('invalid token text');
  });
});

describe('access log', () => {
  it('writes one info line per request with method, routeKey, status, ms, requestId and caller, never the body or auth', async () => {
    const logs = captureLogs();
    let now = 1_000;
    const handler = createHttpHandler(
      {
        [REFUNDS]: async () => {
          now += 37;
          return { status: 201, body: { ok: true } };
        },
      },
      { logger: logs.logger, clock: { now: () => now } },
    );
    const event = sharedEvent('iam-auth.json');
    await handler(
      {
        ...event,
        routeKey: REFUNDS,
        body: '{"reason":"card-holder-secret-text"}',
        headers: { ...event.headers, 'content-type': 'application/json', 'x-request-id': 'log-1' },
      },
      lambdaContext(),
    );
    const infos = logs.lines.filter((line) => line.level === 'info');
    expect(infos).toHaveLength(1);
    expect(infos[0]).toMatchObject({
      message: 'request',
      method: 'POST',
      routeKey: REFUNDS,
      status: 201,
      ms: 37,
      requestId: 'log-1',
      caller: 'arn:aws:sts::123456789012:assumed-role/Admin/aamorosi',
    });
    expect(logs.text()).not.toContain('card-holder-secret-text');
    expect(logs.text()).not.toContain('AWS4-HMAC-SHA256');
  });

  it('names what the request was about: the path ids and the Idempotency-Key', async () => {
    const logs = captureLogs();
    const handler = createHttpHandler(
      {
        [REFUNDS]: async () => ({ status: 201 }),
        'POST /orders/{orderId}/refunds': async () => ({ status: 201 }),
        [ORDER]: async () => ({ status: 204 }),
        'GET /payments/{paymentId}/refunds/{refundId}': async () => ({ status: 200 }),
      },
      { logger: logs.logger },
    );
    const send = (method: string, path: string, headers: Record<string, string> = {}) =>
      handler(httpEvent({ method, path, headers }), lambdaContext());
    await send('POST', '/payments/123/refunds', { 'idempotency-key': 'key-1' });
    await send('POST', '/orders/ORD01JQ4S4KY8HWQ6NA5PXB65B3D3/refunds', { 'Idempotency-Key': 'key-2' });
    await send('PUT', '/pos/CAJA_1/order');
    await send('GET', '/payments/123/refunds/rf_9');
    await send('POST', '/payments/not-digits/refunds', { 'idempotency-key': 'k'.repeat(500) });
    const requests = logs.lines.filter((line) => line.message === 'request');
    expect(requests).toEqual([
      expect.objectContaining({ paymentId: '123', idempotencyKey: 'key-1' }),
      expect.objectContaining({ orderId: 'ORD01JQ4S4KY8HWQ6NA5PXB65B3D3', idempotencyKey: 'key-2' }),
      expect.objectContaining({ externalPosId: 'CAJA_1' }),
      expect.objectContaining({ paymentId: '123', refundId: 'rf_9' }),
      expect.objectContaining({ paymentId: 'not-digits', idempotencyKey: 'k'.repeat(128) }),
    ]);
    expect(requests[2]).not.toHaveProperty('idempotencyKey');
  });

  it('adds debug lines (route, timings) only at debug', async () => {
    const run = async (level: 'debug' | 'info') => {
      const lines: Record<string, unknown>[] = [];
      let now = 0;
      const handler = createHttpHandler(
        {
          [REFUNDS]: async () => {
            now += 5;
            return { status: 201 };
          },
        },
        {
          logger: createLogger({ level, sink: (line) => lines.push(JSON.parse(line)) }),
          clock: { now: () => now++ },
        },
      );
      await handler(
        httpEvent({
          path: '/payments/7/refunds',
          body: '{}',
          headers: { 'x-request-id': 'dbg-1' },
        }),
        lambdaContext(),
      );
      return lines;
    };
    expect((await run('info')).map((line) => line.message)).toEqual(['request']);
    const debug = await run('debug');
    expect(debug.map((line) => line.message)).toEqual([
      'request received',
      'dispatching',
      'handler answered',
      'request',
    ]);
    expect(debug[1]).toMatchObject({
      level: 'debug',
      requestId: 'dbg-1',
      routeKey: REFUNDS,
      pathParameters: { paymentId: '7' },
      bodyBytes: 2,
      pipelineMs: expect.any(Number),
    });
    expect(debug[2]).toMatchObject({ status: 201, handlerMs: 6 });
  });

  it('logs refused requests with their problem code', async () => {
    const logs = captureLogs();
    const handler = createHttpHandler({ [REFUNDS]: async () => ({ status: 201 }) }, { logger: logs.logger });
    await handler(httpEvent({ method: 'GET', path: '/nope' }), lambdaContext());
    expect(logs.lines.filter((line) => line.message === 'request')).toEqual([
      expect.objectContaining({ status: 404, code: 'NOT_FOUND', routeKey: '$default' }),
    ]);
  });
});

describe('the request a route handler gets', () => {
  it('carries query, lower-cased headers, caller, a request logger and a deadline inside the Lambda time', async () => {
    const logs = captureLogs();
    let seen: HttpRequest | undefined;
    const handler = createHttpHandler(
      {
        [LIST]: async (req) => {
          seen = req;
          req.log.info('inside');
          return { status: 200, body: {} };
        },
      },
      { logger: logs.logger, clock: { now: () => 50_000 }, deadlineMarginMs: 1_500 },
    );
    const event = sharedEvent('jwt-authorizer-auth.json');
    await handler(
      {
        ...event,
        routeKey: LIST,
        rawPath: '/payments/9/refunds',
        pathParameters: { paymentId: '9' },
        queryStringParameters: { page: '2' },
        headers: { ...event.headers, 'X-Custom': 'yes' },
        requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method: 'GET' } },
      },
      lambdaContext(10_000),
    );
    expect(seen).toMatchObject({
      routeKey: LIST,
      method: 'GET',
      path: '/payments/9/refunds',
      pathParameters: { paymentId: '9' },
      query: { page: '2' },
      caller: 'd2f50444-0041-7036-aea2-a955fca33d37',
      deadline: 50_000 + 10_000 - 1_500,
      body: undefined,
      rawBody: undefined,
    });
    expect(seen?.headers['x-custom']).toBe('yes');
    const inside = logs.lines.find((line) => line.message === 'inside');
    expect(inside).toMatchObject({ requestId: seen?.requestId, routeKey: LIST });
  });
});

describe('one context object used by several invocations', () => {
  it('never hands one request body, route or id to another, in turn or at once', async () => {
    const handler = createHttpHandler(
      {
        [REFUNDS]: async (req) => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return {
            status: 201,
            body: { body: req.body ?? null, id: req.requestId, remaining: req.deadline > 0 },
          };
        },
      },
      { logger: captureLogs().logger },
    );
    const shared = lambdaContext();
    const withBody = httpEvent({
      routeKey: REFUNDS,
      path: '/payments/1/refunds',
      body: '{"amount":5}',
      headers: { 'content-type': 'application/json', 'x-request-id': 'first' },
    });
    const withoutBody = httpEvent({
      routeKey: REFUNDS,
      path: '/payments/1/refunds',
      headers: { 'x-request-id': 'second' },
    });

    const first = await handler(withBody, shared);
    const second = await handler(withoutBody, shared);
    expect(bodyOf(first)).toEqual({ body: { amount: 5 }, id: 'first', remaining: true });
    expect(bodyOf(second)).toEqual({ body: null, id: 'second', remaining: true });

    const [a, b] = await Promise.all([handler(withBody, shared), handler(withoutBody, shared)]);
    expect(bodyOf(a)).toMatchObject({ body: { amount: 5 }, id: 'first' });
    expect(bodyOf(b)).toMatchObject({ body: null, id: 'second' });
    expect(a.headers?.['x-request-id']).toBe('first');
    expect(b.headers?.['x-request-id']).toBe('second');
    expect('http' in shared).toBe(false);
  });
});

describe('the real API Gateway events of ../shared', () => {
  const files = readdirSync(SHARED_EVENTS_DIR).filter((file) => file.endsWith('.json'));

  it('has events to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it.each(files)('%s reaches its route with the right caller', async (file) => {
    const event = sharedEvent(file);
    let seen: HttpRequest | undefined;
    const handler = createHttpHandler(
      {
        [event.routeKey]: async (req) => {
          seen = req;
          return { status: 200, body: { caller: req.caller } };
        },
      },
      { logger: captureLogs().logger },
    );
    const result = await handler(event, lambdaContext());
    expect(result.statusCode).toBe(200);
    const expectedCaller =
      {
        'iam-auth.json': 'arn:aws:sts::123456789012:assumed-role/Admin/aamorosi',
        'jwt-authorizer-auth.json': 'd2f50444-0041-7036-aea2-a955fca33d37',
      }[file] ?? 'local';
    expect(seen).toMatchObject({
      routeKey: event.routeKey,
      method: 'POST',
      path: event.rawPath,
      body: undefined,
      caller: expectedCaller,
    });
    expect(result.headers?.['x-request-id']).toEqual(expect.any(String));
  });
});
