import { readFileSync } from 'node:fs';
import { Agent, Dispatcher } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createMercadoPagoClient,
  type MercadoPagoClientOptions,
} from '../../functions/adapters/mercadopago/client.ts';
import { closeSharedAgents } from '../../functions/adapters/mercadopago/http.ts';
import { createLogger } from '../../functions/observability/logger.ts';
import { setMetricSink } from '../../functions/observability/metrics.ts';
import { MercadoPagoError, MpFailureKind } from '../../functions/ports/mercadopago-errors.ts';
import { FIXTURES_DIR } from '../support/fixtures.ts';
import {
  closedPort,
  destroySocket,
  empty,
  hang,
  json,
  type ScriptedServer,
  startScriptedServer,
} from './scripted-server.ts';

const fixtureText = (name: string): string => readFileSync(`${FIXTURES_DIR}${name}`, 'utf8');
const PAYMENT = fixtureText('payment_approved_credit_card.sdk-java.json');
const REFUND_CREATE = fixtureText('refund_create_response.sdk-php.json');
const REFUND_GET = fixtureText('refund_get_response.sdk-java.json');
const ERROR_400 = fixtureText('error_400_card_token_not_found.sdk-java.json');
const QR_ORDER = fixtureText('qr_instore_order_get_response.devsite-docs.json');
const MERCHANT_ORDER = fixtureText('merchant_order_opened.sdk-java.json');

const TOKEN = 'APP_USR-test-token-never-logged';
const KEY = 'refund-key-0001';

let server: ScriptedServer;
let agent: Agent;
let logLines: string[];
let sleeps: number[];

beforeAll(async () => {
  server = await startScriptedServer();
  agent = new Agent({ connect: { timeout: 1_000 }, keepAliveTimeout: 1_000 });
});

afterAll(async () => {
  await agent.close();
  await closeSharedAgents();
  await server.close();
});

beforeEach(() => {
  server.reset();
  logLines = [];
  sleeps = [];
});

/** A clock that moves only when the client sleeps: retries and deadlines are then exact, whatever the load. */
const fakeTime = () => {
  let now = 1_000_000;
  return {
    clock: { now: () => now },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
};

const makeClient = (overrides: Partial<MercadoPagoClientOptions> = {}) =>
  createMercadoPagoClient({
    baseUrl: server.baseUrl,
    accessToken: async () => TOKEN,
    dispatcher: agent,
    log: createLogger({ level: 'debug', sink: (line) => logLines.push(line) }),
    retry: { baseDelayMs: 5, maxDelayMs: 20, retryAfterCapMs: 10_000, minAttemptMs: 20 },
    timeouts: { headersMs: 2_000, bodyMs: 2_000 },
    random: () => 0.5,
    // Records the waits instead of sleeping them, so Retry-After tests stay fast.
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });

const failure = async (promise: Promise<unknown>): Promise<MercadoPagoError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MercadoPagoError);
  return error as MercadoPagoError;
};

const logged = () => logLines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe('reads', () => {
  it('getPayment sends the documented headers and normalizes the fixture', async () => {
    server.script(json(200, PAYMENT));
    const payment = await makeClient().getPayment('17014025134');
    expect(payment).toMatchObject({
      id: '17014025134',
      status: 'approved',
      amount: 12.34,
      mercadoPagoRequestId: 'mp-req-200',
    });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe('/v1/payments/17014025134');
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers.accept).toBe('application/json');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['user-agent']).toMatch(/mercadopago-refunds/);
    expect(request?.headers['x-idempotency-key']).toBeUndefined();
  });

  it('logs each call with Mercado Pago request id, never the token', async () => {
    server.script(json(500, { message: 'oops' }), json(200, PAYMENT, { 'x-request-id': 'mp-abc' }));
    await makeClient().getPayment('17014025134');
    const entries = logged();
    expect(logLines.join('\n')).not.toContain(TOKEN);
    expect(entries.filter((e) => e.message === 'mercadopago call')).toEqual([
      expect.objectContaining({
        level: 'info',
        method: 'GET',
        path: '/v1/payments/17014025134',
        status: 500,
        attempt: 1,
      }),
      expect.objectContaining({ level: 'info', status: 200, attempt: 2, mpRequestId: 'mp-abc' }),
    ]);
    expect(entries.find((e) => e.message === 'mercadopago retry')).toMatchObject({
      level: 'warn',
      attempt: 1,
    });
  });

  it('5xx then success', async () => {
    server.script(json(502, 'bad gateway'), json(503, { message: 'busy' }), json(200, PAYMENT));
    const payment = await makeClient().getPayment('17014025134');
    expect(payment.id).toBe('17014025134');
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toEqual([2, 5]); // full jitter at 0.5 of 5 ms, then of 10 ms
  });

  it('5xx after every retry is unknown_outcome with the last status and request id', async () => {
    server.script(json(500, {}), json(500, {}), json(503, {}, { 'x-request-id': 'mp-last' }));
    const error = await failure(makeClient().getPayment('1'));
    expect(error).toMatchObject({ kind: MpFailureKind.UnknownOutcome, httpStatus: 503, attempts: 3 });
    expect(error.upstreamRequestId).toBe('mp-last');
    expect(server.requests).toHaveLength(3);
  });

  it('counts failed calls (MercadoPagoCallFailed), never refusals, which are answers', async () => {
    const lines: string[] = [];
    setMetricSink((line) => lines.push(line));
    try {
      server.script(json(404, { message: 'Payment not found', status: 404, cause: [{ code: 2000 }] }));
      await failure(makeClient().getPayment('1'));
      expect(lines.filter((line) => line.includes('MercadoPagoCallFailed'))).toHaveLength(0);
      server.script(json(500, {}), json(500, {}), json(500, {}));
      await failure(makeClient().getPayment('1'));
      const failed = lines.filter((line) => line.includes('"MercadoPagoCallFailed"'));
      expect(failed).toHaveLength(1);
      expect(JSON.parse(failed[0] ?? '{}')).toMatchObject({ MercadoPagoCallFailed: 1 });
    } finally {
      setMetricSink(() => undefined);
    }
  });

  it('a 2xx body that does not parse is unexpected on a read', async () => {
    server.script(json(200, 'not json at all'));
    const error = await failure(makeClient().getPayment('1'));
    expect(error).toMatchObject({ kind: MpFailureKind.Unexpected, httpStatus: 200, attempts: 1 });

    server.script(json(200, { id: 'x', status: 'approved' }));
    expect(await failure(makeClient().getPayment('1'))).toMatchObject({ kind: MpFailureKind.Unexpected });
  });

  it('401 is refused with httpStatus 401, not retried', async () => {
    server.script(
      json(401, { message: 'invalid access token', error: 'unauthorized', status: 401, cause: [] }),
    );
    const error = await failure(makeClient().getPayment('1'));
    expect(error).toMatchObject({ kind: MpFailureKind.Refused, httpStatus: 401, attempts: 1 });
    expect(error.upstreamMessage).toBe('invalid access token');
    expect(server.requests).toHaveLength(1);
  });

  it('404 code 2000 is refused with its cause code', async () => {
    server.script(
      json(404, { message: 'Payment not found', error: 'not_found', status: 404, cause: [{ code: 2000 }] }),
    );
    const error = await failure(makeClient().getPayment('1'));
    expect(error).toMatchObject({ kind: MpFailureKind.Refused, httpStatus: 404, causeCodes: ['2000'] });
  });

  it('listRefunds reads an array', async () => {
    server.script(json(200, `[${REFUND_GET}, ${REFUND_CREATE}]`));
    const refunds = await makeClient().listRefunds('17014025134');
    expect(server.requests[0]?.url).toBe('/v1/payments/17014025134/refunds');
    expect(refunds.map((r) => [r.id, r.subjectId, r.amount])).toEqual([
      ['1245678203', '17014025134', 50],
      ['1009042015', '18552260055', 10],
    ]);
  });

  it('getMerchantOrder', async () => {
    server.script(json(200, MERCHANT_ORDER));
    const order = await makeClient().getMerchantOrder('4018801790');
    expect(server.requests[0]?.url).toBe('/merchant_orders/4018801790');
    expect(order).toMatchObject({ id: '4018801790', status: 'opened', totalAmount: 206.02, payments: [] });
  });

  it('the access token is resolved on every call (rotation)', async () => {
    const tokens = ['first-token', 'second-token'];
    const client = makeClient({ accessToken: async () => tokens.shift() ?? 'none' });
    server.script(json(200, PAYMENT), json(200, PAYMENT));
    await client.getPayment('17014025134');
    await client.getPayment('17014025134');
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer first-token',
      'Bearer second-token',
    ]);
  });

  it('a failing secret read is unavailable and calls nothing', async () => {
    const client = makeClient({
      accessToken: async () => {
        throw new Error('secrets manager down');
      },
    });
    const error = await failure(client.getPayment('1'));
    expect(error).toMatchObject({ kind: MpFailureKind.Unavailable, attempts: 0 });
    expect(server.requests).toHaveLength(0);
  });

  it('path segments are URL-encoded', async () => {
    server.script(json(200, PAYMENT));
    await failure(makeClient().getPayment('12/../34?x=1'));
    expect(server.requests[0]?.url).toBe('/v1/payments/12%2F..%2F34%3Fx%3D1');
  });

  it('a payment read answered about another payment is unexpected (502), flagged, never a payment', async () => {
    server.script(json(200, PAYMENT));
    const error = await failure(makeClient().getPayment('99'));
    expect(error).toMatchObject({
      kind: MpFailureKind.Unexpected,
      aboutAnotherResource: true,
      httpStatus: 200,
    });
  });

  it('works with the shared module agent when no dispatcher is given', async () => {
    server.script(json(200, PAYMENT), json(200, PAYMENT));
    const client = makeClient({ dispatcher: undefined });
    await client.getPayment('17014025134');
    await client.getPayment('17014025134');
    expect(server.requests).toHaveLength(2);
  });
});

describe('writes: createRefund', () => {
  it('the idempotency key is identical on every retry; 5xx then success', async () => {
    server.script(json(500, {}), destroySocket, json(201, REFUND_CREATE));
    const refund = await makeClient().createRefund('18552260055', 10.5, { idempotencyKey: KEY });
    expect(refund).toEqual({
      id: '1009042015',
      subjectId: '18552260055',
      amount: 10,
      status: 'approved',
      dateCreated: '2023-08-24T15:35:15.783-04:00',
      mercadoPagoRequestId: 'mp-req-201',
    });
    expect(server.requests).toHaveLength(3);
    for (const request of server.requests) {
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/v1/payments/18552260055/refunds');
      expect(request.headers['x-idempotency-key']).toBe(KEY);
      expect(request.headers['x-render-in-process-refunds']).toBe('true');
      expect(JSON.parse(request.body)).toEqual({ amount: 10.5 });
    }
    expect(logLines.join('\n')).not.toContain(TOKEN);
  });

  it('a total refund sends {} and accepts 200', async () => {
    server.script(json(200, REFUND_GET));
    const refund = await makeClient().createRefund('17014025134', undefined, { idempotencyKey: KEY });
    expect(refund.id).toBe('1245678203');
    expect(server.requests[0]?.body).toBe('{}');
  });

  it('429 with Retry-After in seconds is honoured', async () => {
    server.script(json(429, { message: 'too many' }, { 'retry-after': '1' }), json(201, REFUND_CREATE));
    await makeClient().createRefund('18552260055', 10, { idempotencyKey: KEY });
    expect(sleeps).toEqual([1000]);
    expect(server.requests).toHaveLength(2);
  });

  it('429 with Retry-After as an HTTP date is honoured', async () => {
    const at = new Date(Math.ceil((Date.now() + 3_000) / 1000) * 1000).toUTCString();
    server.script(json(429, {}, { 'retry-after': at }), json(201, REFUND_CREATE));
    await makeClient().createRefund('18552260055', 10, { idempotencyKey: KEY });
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(1_500);
    expect(sleeps[0]).toBeLessThanOrEqual(4_000);
  });

  // The one test on the wall clock: the real sleep, a lower bound only (a loaded machine is only slower).
  it('a real wait: Retry-After 1 delays the retry by a second', async () => {
    server.script(json(429, {}, { 'retry-after': '1' }), json(201, REFUND_CREATE));
    const startedAt = Date.now();
    await makeClient({ sleep: undefined }).createRefund('18552260055', 10, { idempotencyKey: KEY });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(950);
  });

  it('423 (key locked) is retried', async () => {
    server.script(json(423, { message: 'locked' }), json(201, REFUND_CREATE));
    const refund = await makeClient().createRefund('18552260055', 10, { idempotencyKey: KEY });
    expect(refund.id).toBe('1009042015');
    expect(server.requests.map((r) => r.headers['x-idempotency-key'])).toEqual([KEY, KEY]);
  });

  it('429 after every retry is unavailable, with Retry-After', async () => {
    const tooMany = json(429, { message: 'too many' }, { 'retry-after': '2' });
    server.script(tooMany, tooMany, tooMany);
    const error = await failure(makeClient().createRefund('1', 10, { idempotencyKey: KEY }));
    expect(error).toMatchObject({
      kind: MpFailureKind.Unavailable,
      httpStatus: 429,
      attempts: 3,
      retryAfterSeconds: 2,
      upstreamRequestId: 'mp-req-429',
    });
    expect(server.requests).toHaveLength(3);
  });

  it('a Retry-After beyond the cap ends the retries at once', async () => {
    server.script(json(429, {}, { 'retry-after': '60' }));
    const error = await failure(makeClient().createRefund('1', 10, { idempotencyKey: KEY }));
    expect(error).toMatchObject({ kind: MpFailureKind.Unavailable, attempts: 1, retryAfterSeconds: 60 });
    expect(sleeps).toEqual([]);
  });

  it('connection refused (closed port) is unavailable', async () => {
    const port = await closedPort();
    const client = makeClient({ baseUrl: `http://127.0.0.1:${port}` });
    const error = await failure(client.createRefund('1', 10, { idempotencyKey: KEY }));
    expect(error).toMatchObject({ kind: MpFailureKind.Unavailable, attempts: 3, httpStatus: undefined });
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('socket destroyed after the request was received is unknown_outcome', async () => {
    server.script(destroySocket, destroySocket, destroySocket);
    const error = await failure(makeClient().createRefund('1', 10, { idempotencyKey: KEY }));
    expect(error).toMatchObject({ kind: MpFailureKind.UnknownOutcome, attempts: 3 });
    expect(server.requests.map((r) => r.headers['x-idempotency-key'])).toEqual([KEY, KEY, KEY]);
  });

  it('once a try may have acted, a later refusal is unknown_outcome, not refused', async () => {
    server.script(destroySocket, json(400, ERROR_400));
    const error = await failure(makeClient().createRefund('1', 10, { idempotencyKey: KEY }));
    expect(error).toMatchObject({
      kind: MpFailureKind.UnknownOutcome,
      httpStatus: 400,
      causeCodes: ['2006'],
    });
  });

  it('once a try answered 5xx, a later 429 is unknown_outcome, not unavailable', async () => {
    server.script(json(500, {}), json(429, {}), json(429, {}));
    const error = await failure(makeClient().createRefund('1', 10, { idempotencyKey: KEY }));
    expect(error).toMatchObject({ kind: MpFailureKind.UnknownOutcome, httpStatus: 429, attempts: 3 });
  });

  it('a 409 on the key (replay still running) is retried and stays unknown_outcome', async () => {
    const conflict = json(409, { message: 'idempotency key in use' });
    server.script(conflict, conflict, conflict);
    const error = await failure(makeClient().createRefund('1', 10, { idempotencyKey: KEY }));
    expect(error).toMatchObject({ kind: MpFailureKind.UnknownOutcome, httpStatus: 409, attempts: 3 });
  });

  it('a server that never answers ends unknown_outcome at the deadline (the deadline aborts it, once)', async () => {
    server.script(hang);
    const error = await failure(
      makeClient().createRefund('1', 10, { idempotencyKey: KEY, deadline: Date.now() + 300 }),
    );
    expect(error).toMatchObject({ kind: MpFailureKind.UnknownOutcome, attempts: 1 });
    expect(error.message).toMatch(/deadline abort after the request was sent/);
    expect(server.requests).toHaveLength(1);
  });

  it('a deadline reached while still connecting is unavailable, and nothing is written afterwards', async () => {
    // Holds each request 200 ms before handing it to the agent: a slow connect, as seen by the client.
    let handedOn!: () => void;
    const connected = new Promise<void>((resolve) => {
      handedOn = resolve;
    });
    class SlowConnect extends Dispatcher {
      override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
        setTimeout(() => {
          agent.dispatch(options, handler);
          handedOn();
        }, 200);
        return true;
      }
    }
    server.script(json(201, REFUND_CREATE));
    const error = await failure(
      makeClient({ dispatcher: new SlowConnect() }).createRefund('1', 10, {
        idempotencyKey: KEY,
        deadline: Date.now() + 80,
      }),
    );
    expect(error).toMatchObject({ kind: MpFailureKind.Unavailable, attempts: 1 });
    expect(error.message).toMatch(/deadline abort before the request was sent/);
    // The connection comes up after the deadline: undici is told to abort before writing a byte.
    await connected;
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.requests).toHaveLength(0);
  });

  it('the headers timeout after sending is unknown_outcome and retried with the same key', async () => {
    server.script(hang, json(201, REFUND_CREATE));
    const client = makeClient({ timeouts: { headersMs: 150, bodyMs: 150 } });
    const refund = await client.createRefund('18552260055', 10, { idempotencyKey: KEY });
    expect(refund.id).toBe('1009042015');
    expect(server.requests.map((r) => r.headers['x-idempotency-key'])).toEqual([KEY, KEY]);
  });

  it('the deadline bounds the retries: no try starts that could not end before it', async () => {
    const failing = Array.from({ length: 50 }, () => json(500, {}));
    server.script(...failing);
    const time = fakeTime();
    const client = makeClient({
      ...time,
      random: () => 0.99,
      retry: { maxAttempts: 50, baseDelayMs: 100, maxDelayMs: 100, minAttemptMs: 20 },
    });
    const error = await failure(client.getPayment('1', { deadline: time.clock.now() + 400 }));
    // Tries at 0, 99, 198, 297 (each wait 99 ms); a fifth would start at 396 with 20 ms needed: past 400.
    expect(error).toMatchObject({ kind: MpFailureKind.UnknownOutcome, attempts: 4 });
    expect(sleeps).toEqual([99, 99, 99]);
  });

  it('totalTimeoutMs bounds a call without a deadline', async () => {
    server.script(...Array.from({ length: 50 }, () => json(500, {})));
    const time = fakeTime();
    const client = makeClient({
      ...time,
      random: () => 0.99,
      retry: { maxAttempts: 50, baseDelayMs: 100, maxDelayMs: 100, minAttemptMs: 20, totalTimeoutMs: 200 },
    });
    const error = await failure(client.createRefund('1', 10, { idempotencyKey: KEY }));
    expect(error).toMatchObject({ kind: MpFailureKind.UnknownOutcome, attempts: 2 });
  });

  it('totalTimeoutMs aborts a try that never answers', async () => {
    server.script(hang);
    const error = await failure(
      makeClient({ retry: { totalTimeoutMs: 200 } }).createRefund('1', 10, { idempotencyKey: KEY }),
    );
    expect(error).toMatchObject({ kind: MpFailureKind.UnknownOutcome, attempts: 1 });
    expect(error.message).toMatch(/deadline abort/);
  });

  it('a deadline already past calls nothing', async () => {
    const error = await failure(
      makeClient().createRefund('1', 10, { idempotencyKey: KEY, deadline: Date.now() - 1 }),
    );
    expect(error).toMatchObject({ kind: MpFailureKind.Unavailable, attempts: 0 });
    expect(server.requests).toHaveLength(0);
  });

  it("the caller's signal stops the call", async () => {
    server.script(hang);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await failure(
      makeClient().createRefund('1', 10, { idempotencyKey: KEY, signal: controller.signal }),
    );
    expect(error).toMatchObject({ kind: MpFailureKind.UnknownOutcome, attempts: 1 });
  });

  it('400 with cause code as a number: refused, not retried', async () => {
    server.script(json(400, ERROR_400, { 'x-request-id': 'mp-400' }));
    const error = await failure(makeClient().createRefund('1', 10, { idempotencyKey: KEY }));
    expect(error).toMatchObject({
      kind: MpFailureKind.Refused,
      httpStatus: 400,
      causeCodes: ['2006'],
      upstreamMessage: 'Card Token not found',
      upstreamRequestId: 'mp-400',
      attempts: 1,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('400 with cause code as a string', async () => {
    server.script(
      json(400, {
        message: 'Insufficient balance',
        error: 'bad_request',
        status: '400',
        cause: [{ code: '2063', description: 'saldo insuficiente' }],
      }),
    );
    const error = await failure(makeClient().createRefund('1', 10, { idempotencyKey: KEY }));
    expect(error).toMatchObject({ kind: MpFailureKind.Refused, causeCodes: ['2063'] });
    expect(error.upstreamMessage).toBe('Insufficient balance | saldo insuficiente');
    expect(server.requests).toHaveLength(1);
  });

  it('a 2xx whose body does not parse is unknown_outcome on a write', async () => {
    server.script(json(201, '<html>ok</html>'));
    const error = await failure(makeClient().createRefund('1', 10, { idempotencyKey: KEY }));
    expect(error).toMatchObject({ kind: MpFailureKind.UnknownOutcome, httpStatus: 201, attempts: 1 });

    server.script(json(200, { id: 5 }));
    const partial = await failure(makeClient().createRefund('1', 10, { idempotencyKey: KEY }));
    expect(partial.kind).toBe(MpFailureKind.UnknownOutcome);
  });

  it('refuses to write without an idempotency key or with a bad amount, calling nothing', async () => {
    const client = makeClient();
    await expect(client.createRefund('1', 10, { idempotencyKey: '' })).rejects.toThrow(TypeError);
    await expect(client.createRefund('1', 0, { idempotencyKey: KEY })).rejects.toThrow(RangeError);
    await expect(client.createRefund('1', Number.NaN, { idempotencyKey: KEY })).rejects.toThrow(RangeError);
    expect(server.requests).toHaveLength(0);
  });
});

describe('writes: cancelPayment', () => {
  it('PUT {"status":"cancelled"} with the key; the answer may be partial', async () => {
    server.script(json(200, { id: 17014025134, status: 'cancelled', status_detail: 'by_collector' }));
    const result = await makeClient().cancelPayment('17014025134', { idempotencyKey: KEY });
    expect(result).toEqual({
      id: '17014025134',
      status: 'cancelled',
      statusDetail: 'by_collector',
      mercadoPagoRequestId: 'mp-req-200',
    });
    const [request] = server.requests;
    expect(request?.method).toBe('PUT');
    expect(request?.url).toBe('/v1/payments/17014025134');
    expect(JSON.parse(request?.body ?? '')).toEqual({ status: 'cancelled' });
    expect(request?.headers['x-idempotency-key']).toBe(KEY);
  });

  it('or the whole payment', async () => {
    server.script(json(200, PAYMENT.replace('"status": "approved"', '"status": "cancelled"')));
    const result = await makeClient().cancelPayment('17014025134', { idempotencyKey: KEY });
    expect(result).toMatchObject({ id: '17014025134', status: 'cancelled' });
  });

  it('400 code 2018 is refused', async () => {
    server.script(json(400, { message: 'Invalid operation', status: 400, cause: [{ code: 2018 }] }));
    const error = await failure(makeClient().cancelPayment('1', { idempotencyKey: KEY }));
    expect(error).toMatchObject({ kind: MpFailureKind.Refused, causeCodes: ['2018'] });
  });
});

describe('in-store QR orders', () => {
  const ordersPath = '/instore/qr/seller/collectors/123456/pos/CAJA_01/orders';

  it('getQrOrder reads an object', async () => {
    server.script(json(200, QR_ORDER));
    const order = await makeClient().getQrOrder('123456', 'CAJA_01');
    expect(server.requests[0]?.method).toBe('GET');
    expect(server.requests[0]?.url).toBe(ordersPath);
    expect(order).toMatchObject({ externalReference: 'order-id-1234', totalAmount: 100, title: 'Compra' });
  });

  it('getQrOrder reads the first element of an array, and [] is none', async () => {
    server.script(json(200, `[${QR_ORDER}]`), json(200, []));
    const client = makeClient();
    expect(await client.getQrOrder('123456', 'CAJA_01')).toMatchObject({
      externalReference: 'order-id-1234',
    });
    expect(await client.getQrOrder('123456', 'CAJA_01')).toBeNull();
  });

  it('getQrOrder: 404 point_of_sale_in_store_order_not_found is none', async () => {
    server.script(
      json(404, {
        error: 'point_of_sale_in_store_order_not_found',
        message: 'in-store order not found',
        status: 404,
      }),
    );
    expect(await makeClient().getQrOrder('123456', 'CAJA_01')).toBeNull();
  });

  it('getQrOrder: an unreadable 2xx is unexpected', async () => {
    server.script(json(200, 'nope'));
    expect(await failure(makeClient().getQrOrder('123456', 'CAJA_01'))).toMatchObject({
      kind: MpFailureKind.Unexpected,
    });
  });

  it('putQrOrder sends the snake_case body, the TTL header and the key', async () => {
    server.script(empty(204));
    await makeClient().putQrOrder(
      {
        userId: '123456',
        externalStoreId: 'SUC 1',
        externalPosId: 'CAJA_01',
        ttlSeconds: 300,
        order: {
          externalReference: 'order-1',
          title: 'Compra',
          totalAmount: 30.5,
          notificationUrl: 'https://example.test/webhooks/mercadopago',
          expirationDate: '2030-01-01T00:05:00.000Z',
          items: [
            {
              skuNumber: 'A1',
              title: 'Cafe',
              unitPrice: 10.25,
              quantity: 2,
              unitMeasure: 'unit',
              totalAmount: 20.5,
            },
            {
              title: 'Pan',
              description: 'integral',
              unitPrice: 10,
              quantity: 1,
              unitMeasure: 'pack',
              totalAmount: 10,
            },
          ],
        },
      },
      { idempotencyKey: KEY },
    );
    const [request] = server.requests;
    expect(request?.method).toBe('PUT');
    expect(request?.url).toBe('/instore/qr/seller/collectors/123456/stores/SUC%201/pos/CAJA_01/orders');
    expect(request?.headers['x-ttl-store-preference']).toBe('300');
    expect(request?.headers['x-idempotency-key']).toBe(KEY);
    expect(JSON.parse(request?.body ?? '')).toEqual({
      external_reference: 'order-1',
      title: 'Compra',
      notification_url: 'https://example.test/webhooks/mercadopago',
      total_amount: 30.5,
      expiration_date: '2030-01-01T00:05:00.000Z',
      items: [
        {
          sku_number: 'A1',
          title: 'Cafe',
          unit_price: 10.25,
          quantity: 2,
          unit_measure: 'unit',
          total_amount: 20.5,
        },
        {
          title: 'Pan',
          description: 'integral',
          unit_price: 10,
          quantity: 1,
          unit_measure: 'pack',
          total_amount: 10,
        },
      ],
    });
  });

  it('putQrOrder accepts 200 and 201 too, and a 400 is refused', async () => {
    const input = {
      userId: '1',
      externalStoreId: 'S',
      externalPosId: 'P',
      ttlSeconds: 600,
      order: { externalReference: 'r', title: 't', totalAmount: 1, items: [] },
    };
    server.script(json(200, {}), json(201, 'ignored'), json(400, { message: 'invalid items' }));
    const client = makeClient();
    await client.putQrOrder(input, { idempotencyKey: KEY });
    await client.putQrOrder(input, { idempotencyKey: KEY });
    expect(await failure(client.putQrOrder(input, { idempotencyKey: KEY }))).toMatchObject({
      kind: MpFailureKind.Refused,
      httpStatus: 400,
    });
  });

  it('deleteQrOrder: 204 is true, 404 is false', async () => {
    server.script(empty(204), json(404, { error: 'point_of_sale_in_store_order_not_found' }));
    const client = makeClient();
    expect(await client.deleteQrOrder('123456', 'CAJA_01')).toBe(true);
    expect(await client.deleteQrOrder('123456', 'CAJA_01')).toBe(false);
    expect(server.requests.map((r) => [r.method, r.url])).toEqual([
      ['DELETE', ordersPath],
      ['DELETE', ordersPath],
    ]);
  });

  it('deleteQrOrder: a 404 after a try that may have deleted counts as deleted', async () => {
    server.script(destroySocket, json(404, { error: 'point_of_sale_in_store_order_not_found' }));
    expect(await makeClient().deleteQrOrder('123456', 'CAJA_01')).toBe(true);
  });
});
