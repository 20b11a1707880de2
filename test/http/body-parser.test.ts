import { describe, expect, it } from 'vitest';
import { createHttpHandler, type HttpRequest } from '../../functions/http/index.ts';
import { captureLogs, httpEvent, lambdaContext } from './helpers.ts';

const ROUTE = 'POST /payments/{paymentId}/refunds';
const WEBHOOK = 'POST /webhooks/mercadopago';

/** A handler that answers what it was given, so each test sees what the parser made of the body. */
const echoHandler = () => {
  const seen: HttpRequest[] = [];
  const handler = createHttpHandler(
    {
      [ROUTE]: async (req) => {
        seen.push(req);
        return { status: 200, body: { body: req.body ?? null, rawBody: req.rawBody ?? null } };
      },
      [WEBHOOK]: {
        acceptAnyContentType: true,
        handler: async (req) => {
          seen.push(req);
          return { status: 200, body: { body: req.body ?? null, rawBody: req.rawBody ?? null } };
        },
      },
    },
    { logger: captureLogs().logger },
  );
  return { handler, seen };
};

const post = (body: string | undefined, headers: Record<string, string> = {}, extra = {}) =>
  httpEvent({ method: 'POST', path: '/payments/123/refunds', routeKey: ROUTE, body, headers, ...extra });

const problemOf = (result: { body?: string | undefined }) =>
  JSON.parse(result.body ?? '') as Record<string, unknown>;

describe('JSON body parser', () => {
  it('reads no body as no body, and gives the handler an undefined body and rawBody', async () => {
    const { handler, seen } = echoHandler();
    const result = await handler(post(undefined), lambdaContext());
    expect(result.statusCode).toBe(200);
    expect(seen[0]!.body).toBeUndefined();
    expect(seen[0]!.rawBody).toBeUndefined();
  });

  it('treats an empty body with any Content-Type as no body (no 415)', async () => {
    const { handler, seen } = echoHandler();
    const result = await handler(post('', { 'content-type': 'text/plain' }), lambdaContext());
    expect(result.statusCode).toBe(200);
    expect(seen[0]!.body).toBeUndefined();
  });

  it('parses JSON and keeps the raw text', async () => {
    const { handler, seen } = echoHandler();
    const text = '{"amount": 10.5}';
    const result = await handler(post(text, { 'content-type': 'application/json' }), lambdaContext());
    expect(result.statusCode).toBe(200);
    expect(seen[0]!.body).toEqual({ amount: 10.5 });
    expect(seen[0]!.rawBody).toBe(text);
  });

  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON;charset=ISO-8859-1',
    'application/merge-patch+json',
    'application/vnd.api+json; charset=utf-8',
  ])('accepts Content-Type %s', async (contentType) => {
    const { handler } = echoHandler();
    const result = await handler(post('{}', { 'content-type': contentType }), lambdaContext());
    expect(result.statusCode).toBe(200);
  });

  it.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/jsonx',
    'text/json',
    'multipart/form-data',
  ])('answers 415 UNSUPPORTED_MEDIA_TYPE for a body sent as %s', async (contentType) => {
    const { handler, seen } = echoHandler();
    const result = await handler(post('{"amount":1}', { 'content-type': contentType }), lambdaContext());
    expect(result.statusCode).toBe(415);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(problemOf(result).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(seen).toHaveLength(0);
  });

  it('reads a body without Content-Type as JSON', async () => {
    const { handler, seen } = echoHandler();
    const result = await handler(post('{"amount":1}'), lambdaContext());
    expect(result.statusCode).toBe(200);
    expect(seen[0]!.body).toEqual({ amount: 1 });
  });

  it('answers 400 VALIDATION_ERROR for a body that is not JSON', async () => {
    const { handler, seen } = echoHandler();
    const result = await handler(
      post('{"amount": 10,', { 'content-type': 'application/json' }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(400);
    expect(problemOf(result)).toMatchObject({
      code: 'VALIDATION_ERROR',
      errors: [{ field: 'body', message: 'is not valid JSON' }],
    });
    expect(seen).toHaveLength(0);
  });

  it.each([
    ['{"amount":1,"amount":1000}', 'amount'],
    ['{"amount":1,"\\u0061mount":1000}', 'amount'],
    ['{"items":[{"title":"a","title":"b"}]}', 'items.0.title'],
  ])('answers 400 VALIDATION_ERROR naming a key given twice: %s', async (text, field) => {
    const { handler, seen } = echoHandler();
    const result = await handler(post(text, { 'content-type': 'application/json' }), lambdaContext());
    expect(result.statusCode).toBe(400);
    expect(problemOf(result)).toMatchObject({
      code: 'VALIDATION_ERROR',
      detail: `${field}: is given more than once`,
      errors: [{ field, message: 'is given more than once' }],
    });
    expect(seen).toHaveLength(0);
  });

  it.each([
    ['an ANSI escape', '{"reason":"\\u001b[31mpaid\\u001b[0m"}', 'reason', 'control characters'],
    ['a C1 control', '{"externalReference":"ref\u0085"}', 'externalReference', 'control characters'],
    ['a DEL', '{"items":[{"title":"a\u007f"}]}', 'items.0.title', 'control characters'],
    ['an unpaired surrogate', '{"title":"\\ud800"}', 'title', 'unpaired surrogates'],
  ])('answers 400 VALIDATION_ERROR naming a string with %s', async (_name, text, field, what) => {
    const { handler, seen } = echoHandler();
    const result = await handler(post(text, { 'content-type': 'application/json' }), lambdaContext());
    expect(result.statusCode).toBe(400);
    expect(problemOf(result)).toMatchObject({
      code: 'VALIDATION_ERROR',
      errors: [{ field, message: `must not contain ${what}` }],
    });
    expect(seen).toHaveLength(0);
  });

  it('keeps the webhook lenient: a key twice or a control character is read as JSON.parse reads it', async () => {
    const { handler, seen } = echoHandler();
    const event = httpEvent({
      method: 'POST',
      path: '/webhooks/mercadopago',
      routeKey: WEBHOOK,
      body: '{"type":"x","type":"payment","note":"\\u001b"}',
      headers: { 'content-type': 'application/json' },
    });
    const result = await handler(event, lambdaContext());
    expect(result.statusCode).toBe(200);
    expect(seen[0]!.body).toEqual({ type: 'payment', note: '\u001b' });
  });

  it('accepts exactly 64 KB and answers 413 PAYLOAD_TOO_LARGE one byte over, counting bytes not characters', async () => {
    const { handler } = echoHandler();
    const json = (size: number) => `"${'a'.repeat(size - 2)}"`;
    const ok = await handler(post(json(65_536), { 'content-type': 'application/json' }), lambdaContext());
    expect(ok.statusCode).toBe(200);
    const over = await handler(post(json(65_537), { 'content-type': 'application/json' }), lambdaContext());
    expect(over.statusCode).toBe(413);
    expect(problemOf(over).code).toBe('PAYLOAD_TOO_LARGE');
    // 33,000 two-byte characters: under the limit in characters, 66,002 bytes.
    const multiByte = `"${'é'.repeat(33_000)}"`;
    expect(multiByte.length).toBeLessThan(65_536);
    const wide = await handler(post(multiByte, { 'content-type': 'application/json' }), lambdaContext());
    expect(wide.statusCode).toBe(413);
  });

  it('checks the size before the Content-Type', async () => {
    const { handler } = echoHandler();
    const result = await handler(post('x'.repeat(70_000), { 'content-type': 'text/plain' }), lambdaContext());
    expect(result.statusCode).toBe(413);
  });

  it('decodes a base64 body before parsing and measures its decoded size', async () => {
    const { handler, seen } = echoHandler();
    const text = '{"reason":"troca de tamanho"}';
    const result = await handler(
      post(
        Buffer.from(text).toString('base64'),
        { 'content-type': 'application/json' },
        { isBase64Encoded: true },
      ),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(200);
    expect(seen[0]!.rawBody).toBe(text);
    expect(seen[0]!.body).toEqual({ reason: 'troca de tamanho' });

    // 60,000 bytes decoded (80,000 characters of base64): under the limit.
    const big = `"${'b'.repeat(59_998)}"`;
    const encoded = Buffer.from(big).toString('base64');
    expect(encoded.length).toBeGreaterThan(65_536);
    const bigResult = await handler(
      post(encoded, { 'content-type': 'application/json' }, { isBase64Encoded: true }),
      lambdaContext(),
    );
    expect(bigResult.statusCode).toBe(200);
  });

  it('lets a route accept any Content-Type: non-JSON leaves body undefined and keeps rawBody', async () => {
    const { handler, seen } = echoHandler();
    const event = httpEvent({
      method: 'POST',
      path: '/webhooks/mercadopago',
      routeKey: WEBHOOK,
      body: 'topic=payment&id=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const result = await handler(event, lambdaContext());
    expect(result.statusCode).toBe(200);
    expect(seen[0]!.body).toBeUndefined();
    expect(seen[0]!.rawBody).toBe('topic=payment&id=1');

    const broken = await handler(
      { ...event, body: '{"type":', headers: { 'content-type': 'application/json' } },
      lambdaContext(),
    );
    expect(broken.statusCode).toBe(200);
    expect(seen[1]!.body).toBeUndefined();

    const json = await handler({ ...event, body: '{"type":"payment"}', headers: {} }, lambdaContext());
    expect(json.statusCode).toBe(200);
    expect(seen[2]!.body).toEqual({ type: 'payment' });
  });

  it('keeps the 64 KB limit on a route that accepts any Content-Type', async () => {
    const { handler } = echoHandler();
    const event = httpEvent({
      method: 'POST',
      path: '/webhooks/mercadopago',
      routeKey: WEBHOOK,
      body: 'x'.repeat(65_537),
    });
    expect((await handler(event, lambdaContext())).statusCode).toBe(413);
  });

  it('rejects options that make no sense when the handler is built', () => {
    expect(() => createHttpHandler({}, { maxBodyBytes: 0 })).toThrow(TypeError);
    expect(() => createHttpHandler({}, { maxBodyByte: 10 } as never)).toThrow(/unknown option/);
  });
});
