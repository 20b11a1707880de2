/**
 * POST /payments/{paymentId}/cancellation against the Mercado Pago sandbox (real HTTP, real client) and
 * dynalite: API.md's checks and their order, Mercado Pago's answers and failures, idempotency, the ledger.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CANCEL_ROUTE, cancellationFingerprint } from '../../functions/cancellation/cancel-payment.ts';
import type { CancellationDeps } from '../../functions/cancellation/deps.ts';
import { cancellationRoutes } from '../../functions/cancellation/routes.ts';
import { callerOf } from '../../functions/http/caller.ts';
import { createHttpHandler } from '../../functions/http/create-http-handler.ts';
import { mercadoPagoCancellationKey as keyOfRecord } from '../../functions/model/ledger/cancellation.ts';
import type { Ledger } from '../../functions/model/ledger/types.ts';
import { createLogger } from '../../functions/observability/logger.ts';
import { setMetricSink } from '../../functions/observability/metrics.ts';
import type { CreatePaymentInput } from '../../local/sandbox/index.ts';
import { apiEvent } from '../support/events.ts';
import {
  type Harness,
  type InvokeResult,
  invoke,
  type LambdaLike,
  newId,
  startHarness,
} from '../support/harness.ts';

const DAY_MS = 86_400_000;

/** The Mercado Pago key of a payment's first cancellation sequence, with or without the caller's key. */
const mercadoPagoCancellationKey = (paymentId: string, idempotencyKey: string | undefined) =>
  keyOfRecord(paymentId, { idempotencyKey: idempotencyKey ?? null, sequence: 1 });

/** The cancellation's lines of the ledger's history: [change, by]. */
const cancellationHistory = (ledger: Ledger | undefined) =>
  (ledger?.history ?? []).filter((h) => h.change.startsWith('cancellation_')).map((h) => [h.change, h.by]);

/** A key item as a first request would have claimed it. */
const claimed = (
  key: string,
  route: string,
  subjectId: string,
  fingerprint: string,
  lockOwner: string,
  lockedUntil: number,
) => ({
  key,
  route,
  subjectId,
  fingerprint,
  lockOwner,
  lockedUntil,
  createdAt: new Date().toISOString(),
  expiresAt: Math.floor(Date.now() / 1000) + 86_400,
});
const CALLER = callerOf(apiEvent({ method: 'POST', path: '/payments/1/cancellation' }));

let h: Harness;
let handler: LambdaLike;
let metrics: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  const deps: CancellationDeps = {
    mercadoPago: h.mercadoPago,
    ledgers: h.ledgers,
    idempotency: h.idempotency,
    clock: h.clock,
    newId,
    settings: h.settings,
    keyRetentionDays: 30,
  };
  handler = createHttpHandler(
    cancellationRoutes(async () => deps),
    {
      logger: createLogger({ level: 'error', sink: () => undefined }),
    },
  );
  setMetricSink((line) => metrics.push(line));
});

afterAll(async () => {
  await h.close();
});

beforeEach(async () => {
  await h.sandbox.resetFaults();
  h.sandbox.clearRequests();
  metrics = [];
});

const payment = (input: Partial<CreatePaymentInput> = {}): string =>
  h.sandbox.createPayment({ status: 'pending', siteId: 'MLB', amount: 150, ...input });

const cancel = (
  paymentId: string,
  options: { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<InvokeResult> =>
  invoke(handler, {
    method: 'POST',
    path: `/payments/${paymentId}/cancellation`,
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(options.rawBody !== undefined ? { rawBody: options.rawBody } : {}),
    headers: { ...(options.key ? { 'idempotency-key': options.key } : {}), ...options.headers },
  });

const dueIds = async (atMs: number): Promise<string[]> => {
  const ids: string[] = [];
  for await (const due of h.ledgers.due(new Date(atMs).toISOString())) ids.push(due.id);
  return ids;
};

const putsOf = (paymentId: string) =>
  h.sandbox.requests({ method: 'PUT', path: new RegExp(`^/v1/payments/${paymentId}$`) });
/** The cancellation metrics emitted (Mercado Pago call failures are counted apart, by the client). */
const metricNames = () =>
  metrics
    .map((line) => Object.keys(JSON.parse(line)).find((k) => k.startsWith('Cancellation')))
    .filter((name) => name !== undefined);

describe('cancelling what Mercado Pago cancels', () => {
  it.each(['pending', 'in_process', 'authorized'] as const)(
    '%s: 200, one PUT {"status":"cancelled"} with the derived key, recorded in the ledger',
    async (status) => {
      const id = payment({ status });
      const res = await cancel(id);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ paymentId: id, status: 'cancelled', statusDetail: 'by_collector' });
      expect(res.headers['x-request-id']).toBeTruthy();

      const puts = putsOf(id);
      expect(puts).toHaveLength(1);
      expect(puts[0]!.body).toEqual({ status: 'cancelled' });
      expect(puts[0]!.idempotencyKey).toBe(mercadoPagoCancellationKey(id, undefined));
      expect(h.sandbox.getPayment(id)).toMatchObject({ status: 'cancelled', status_detail: 'by_collector' });

      const ledger = await h.ledgers.get(id);
      expect(ledger).toMatchObject({ status: 'cancelled', statusDetail: 'by_collector' });
      expect(ledger!.statusHistory.map((s) => s.status)).toEqual([status, 'cancelled']);
      expect(ledger!.cancellation).toMatchObject({
        status: 'cancelled',
        idempotencyKey: null,
        sequence: 1,
        requestedBy: CALLER,
        call: expect.objectContaining({ attempts: 1 }),
      });
      expect(cancellationHistory(ledger)).toEqual([
        ['cancellation_requested', CALLER],
        ['cancellation_cancelled', CALLER],
      ]);
      expect(ledger!.cancellation!.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(metricNames()).toEqual(['CancellationSucceeded']);
    },
  );

  it('accepts the minimal answer {id, status, status_detail}', async () => {
    const id = payment({ minimalAnswers: true });
    const res = await cancel(id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ paymentId: id, status: 'cancelled', statusDetail: 'by_collector' });
    expect((await h.ledgers.get(id))!.cancellation!.status).toBe('cancelled');
  });

  it('no body, {} and an empty JSON content are the same request', async () => {
    const [a, b] = [payment(), payment()];
    expect((await cancel(a, { body: {} })).status).toBe(200);
    expect((await cancel(b, { rawBody: '' })).status).toBe(200);
  });
});

describe('checks before any call, in order', () => {
  it('already cancelled (by_collector): 200 with the current state, no PUT', async () => {
    const id = payment({ status: 'cancelled', statusDetail: 'by_payer' });
    const res = await cancel(id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ paymentId: id, status: 'cancelled', statusDetail: 'by_payer' });
    expect(putsOf(id)).toHaveLength(0);
    expect((await h.ledgers.get(id))!.cancellation).toBeUndefined();
  });

  it('a pending payment expired after 30 days is already cancelled: 200 "expired", no PUT', async () => {
    const id = payment({ dateCreated: Date.now() - 31 * DAY_MS });
    const res = await cancel(id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ paymentId: id, status: 'cancelled', statusDetail: 'expired' });
    expect(putsOf(id)).toHaveLength(0);
  });

  it('an in-person payment already cancelled is still answered 200 (cancelled is checked first)', async () => {
    const id = payment({ status: 'cancelled', inPerson: 'point' });
    expect((await cancel(id)).status).toBe(200);
  });

  it.each([
    ['QR, approved', { status: 'approved', inPerson: 'qr' }],
    ['Point, approved', { status: 'approved', inPerson: 'point' }],
    ['Point, pending (in-person comes before the status)', { status: 'pending', inPerson: 'point' }],
  ] as const)(
    'in-person (%s): 409 IN_PERSON_PAYMENT_NOT_CANCELLABLE, refund instead, no PUT',
    async (_name, input) => {
      const id = payment(input);
      const res = await cancel(id);
      expect(res.status).toBe(409);
      expect(res.headers['content-type']).toBe('application/problem+json');
      expect(res.body.code).toBe('IN_PERSON_PAYMENT_NOT_CANCELLABLE');
      expect(res.body.detail).toContain(`POST /payments/${id}/refunds`);
      expect(putsOf(id)).toHaveLength(0);
    },
  );

  it('approved: 409 PAYMENT_NOT_CANCELLABLE pointing to the refund route, no PUT', async () => {
    const id = payment({ status: 'approved' });
    const res = await cancel(id);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('PAYMENT_NOT_CANCELLABLE');
    expect(res.body.detail).toContain(`POST /payments/${id}/refunds`);
    expect(putsOf(id)).toHaveLength(0);
    expect((await h.ledgers.get(id))!.cancellation).toBeUndefined();
  });

  it.each(['rejected', 'refunded', 'in_mediation', 'charged_back'] as const)(
    '%s: 409 PAYMENT_NOT_CANCELLABLE naming the status, no PUT',
    async (status) => {
      const id = payment({ status });
      const res = await cancel(id);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('PAYMENT_NOT_CANCELLABLE');
      expect(res.body.detail).toContain(status);
      expect(putsOf(id)).toHaveLength(0);
    },
  );

  it("unknown payment, or another seller's: 404 PAYMENT_NOT_FOUND, nothing stored", async () => {
    const other = payment({ collectorId: '999' });
    for (const id of ['99999999999', other]) {
      const res = await cancel(id);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('PAYMENT_NOT_FOUND');
      expect(putsOf(id)).toHaveLength(0);
      expect(await h.ledgers.get(id)).toBeUndefined();
    }
  });
});

describe('invalid input: 4xx, nothing sent, nothing stored, the key stays free', () => {
  it.each([
    ['a paymentId that is not digits', { id: '12ab' }, 400],
    ['a paymentId of 21 digits', { id: '1'.repeat(21) }, 400],
    ['a body field', { body: { reason: 'duplicate' } }, 400],
    ['a body that is not an object', { body: [1] }, 400],
    ['a body that is not JSON', { rawBody: '{"status":' }, 400],
    ['a bad Idempotency-Key', { key: 'bad key!' }, 400],
    ['a non-JSON Content-Type', { rawBody: 'x', headers: { 'content-type': 'text/plain' } }, 415],
    ['a body over 64 KB', { rawBody: JSON.stringify({ x: 'a'.repeat(70_000) }) }, 413],
  ])(
    '%s',
    async (_name, input: {
      id?: string;
      body?: unknown;
      rawBody?: string;
      key?: string;
      headers?: Record<string, string>;
    }, status) => {
      const id = input.id ?? payment();
      h.sandbox.clearRequests();
      const key = input.key ?? `invalid-${newId('k')}`;
      const res = await cancel(id, { ...input, key });
      expect(res.status).toBe(status);
      if (status === 400) expect(res.body.code).toBe('VALIDATION_ERROR');
      expect(h.sandbox.requests()).toHaveLength(0);
      if (/^\d{1,20}$/.test(id)) expect(await h.ledgers.get(id)).toBeUndefined();
      if (input.key === undefined) {
        // The key was not stored: the same key on a valid request does the work.
        expect((await cancel(input.id === undefined ? id : payment(), { key })).status).toBe(200);
      }
    },
  );

  it('fuzz: any body other than {} is a 400, never a 5xx, and nothing is sent or stored', async () => {
    const id = payment();
    h.sandbox.clearRequests();
    await fc.assert(
      fc.asyncProperty(
        fc
          .jsonValue()
          .filter(
            (v) => !(typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0),
          ),
        async (body) => {
          const res = await cancel(id, { rawBody: JSON.stringify(body) });
          expect(res.status).toBe(400);
          expect(res.body.code).toBe('VALIDATION_ERROR');
        },
      ),
      { numRuns: 150 },
    );
    expect(h.sandbox.requests()).toHaveLength(0);
    expect(await h.ledgers.get(id)).toBeUndefined();
  });
});

describe("Mercado Pago's failures", () => {
  it('a 5xx then success: 200, the same X-Idempotency-Key on every try', async () => {
    const id = payment();
    h.sandbox.status(500, { method: 'PUT', path: `^/v1/payments/${id}$` });
    const res = await cancel(id, { key: 'retry-5xx' });
    expect(res.status).toBe(200);
    const puts = putsOf(id);
    expect(puts.map((p) => p.responseStatus)).toEqual([500, 200]);
    expect(new Set(puts.map((p) => p.idempotencyKey))).toEqual(
      new Set([mercadoPagoCancellationKey(id, 'retry-5xx')]),
    );
    expect(mercadoPagoCancellationKey(id, 'retry-5xx')).not.toBe(mercadoPagoCancellationKey(id, undefined));
  });

  it('an answer lost after Mercado Pago acted: the retry with the same key is replayed, 200', async () => {
    const id = payment();
    h.sandbox.loseAnswer({ method: 'PUT', path: `^/v1/payments/${id}$` });
    const res = await cancel(id);
    expect(res.status).toBe(200);
    const puts = putsOf(id);
    expect(puts).toHaveLength(2);
    expect(puts[0]!.idempotencyKey).toBe(puts[1]!.idempotencyKey);
  });

  it('unknown outcome (5xx on every try): 202 pending, recorded pending and indexed for reconciliation; never success', async () => {
    const id = payment();
    h.sandbox.status(503, { method: 'PUT', path: `^/v1/payments/${id}$`, times: 3 });
    const res = await cancel(id, { key: 'unknown-1' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ paymentId: id, status: 'pending' });
    expect(putsOf(id)).toHaveLength(3);
    expect(new Set(putsOf(id).map((p) => p.idempotencyKey)).size).toBe(1);
    let ledger = await h.ledgers.get(id);
    expect(ledger!.cancellation).toMatchObject({
      status: 'pending',
      idempotencyKey: 'unknown-1',
      call: expect.objectContaining({ attempts: 1, state: 'unknown' }),
    });
    expect(ledger!.history.at(-1)).toMatchObject({ change: 'cancellation_outcome_unknown' });
    expect(ledger!.status).toBe('pending');
    expect(await dueIds(Date.now() + 600_000)).toContain(id);
    expect(metricNames()).toEqual(['CancellationPending']);

    // The same key replays the stored 202 as the current state, calling nothing.
    h.sandbox.clearRequests();
    const replay = await cancel(id, { key: 'unknown-1' });
    expect(replay.status).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(h.sandbox.requests()).toHaveLength(0);

    // A new request reads the payment (still pending), asks again, and the record settles.
    const again = await cancel(id);
    expect(again.status).toBe(200);
    ledger = await h.ledgers.get(id);
    expect(ledger!.cancellation).toMatchObject({
      status: 'cancelled',
      call: expect.objectContaining({ attempts: 2 }),
    });
    expect(cancellationHistory(ledger).map(([change]) => change)).toEqual([
      'cancellation_requested',
      'cancellation_outcome_unknown',
      'cancellation_resent',
      'cancellation_cancelled',
    ]);
    expect(await dueIds(Date.now() + 600_000)).not.toContain(id);

    // ...and the first key now answers the current state: cancelled.
    const replayAfter = await cancel(id, { key: 'unknown-1' });
    expect(replayAfter.status).toBe(200);
    expect(replayAfter.headers['idempotent-replayed']).toBe('true');
    expect(replayAfter.body).toEqual({ paymentId: id, status: 'cancelled', statusDetail: 'by_collector' });
  });

  it('a pending cancellation found cancelled by a later request is settled without a PUT', async () => {
    const id = payment();
    h.sandbox.status(500, { method: 'PUT', path: `^/v1/payments/${id}$`, times: 3 });
    expect((await cancel(id)).status).toBe(202);
    h.sandbox.setPaymentStatus(id, 'cancelled', 'by_collector');
    h.sandbox.clearRequests();
    const res = await cancel(id);
    expect(res.status).toBe(200);
    expect(putsOf(id)).toHaveLength(0);
    expect((await h.ledgers.get(id))!.cancellation!.status).toBe('cancelled');
  });

  it('a 409 for a key still being processed at Mercado Pago: 202 pending', async () => {
    const id = payment();
    h.sandbox.status(409, { method: 'PUT', path: `^/v1/payments/${id}$`, times: 3 });
    const res = await cancel(id);
    expect(res.status).toBe(202);
    expect((await h.ledgers.get(id))!.cancellation!.status).toBe('pending');
  });

  it('refused with code 2018: 409 PAYMENT_NOT_CANCELLABLE, recorded failed, replayed as such', async () => {
    const id = payment();
    h.sandbox.status(400, {
      method: 'PUT',
      path: `^/v1/payments/${id}$`,
      body: {
        message: 'The action requested is not valid for the current payment state',
        error: 'bad_request',
        status: 400,
        cause: [
          {
            code: 2018,
            description: 'The action requested is not valid for the current payment state',
            data: null,
          },
        ],
      },
    });
    const res = await cancel(id, { key: 'refused-2018' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('PAYMENT_NOT_CANCELLABLE');
    const ledger = await h.ledgers.get(id);
    expect(ledger!.cancellation).toMatchObject({
      status: 'failed',
      failure: { code: 'PAYMENT_NOT_CANCELLABLE' },
    });
    h.sandbox.clearRequests();
    const replay = await cancel(id, { key: 'refused-2018' });
    expect(replay.status).toBe(409);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.code).toBe('PAYMENT_NOT_CANCELLABLE');
    expect(h.sandbox.requests()).toHaveLength(0);
  });

  it('another refusal (401 for our token): 502 UPSTREAM_ERROR, recorded failed, the key freed', async () => {
    const id = payment();
    h.sandbox.status(401, { method: 'PUT', path: `^/v1/payments/${id}$` });
    const res = await cancel(id, { key: 'refused-401' });
    expect(res.status).toBe(502);
    expect(res.body.code).toBe('UPSTREAM_ERROR');
    expect((await h.ledgers.get(id))!.cancellation).toMatchObject({
      status: 'failed',
      failure: { code: 'UPSTREAM_ERROR' },
    });
    const retry = await cancel(id, { key: 'refused-401' });
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
  });

  it('rate limited on every try: 503 with Retry-After, nothing recorded but history, the key freed; a retry cancels', async () => {
    const id = payment();
    h.sandbox.status(429, { method: 'PUT', path: `^/v1/payments/${id}$`, times: 3 });
    const res = await cancel(id, { key: 'limited' });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const after503 = await h.ledgers.get(id);
    expect(after503!.cancellation).toBeUndefined();
    expect(after503!.schedule).toBeUndefined();
    expect(cancellationHistory(after503).map(([change]) => change)).toEqual([
      'cancellation_requested',
      'cancellation_not_sent',
    ]);
    expect(h.sandbox.getPayment(id)!.status).toBe('pending');

    const retry = await cancel(id, { key: 'limited' });
    expect(retry.status).toBe(200);
    const record = (await h.ledgers.get(id))!.cancellation!;
    expect(record).toMatchObject({
      status: 'cancelled',
      sequence: 1,
      call: expect.objectContaining({ attempts: 1 }),
    });
    expect(record.failure).toBeUndefined();
  });

  it('the payment cannot be read (5xx on every try): 503, nothing recorded, the key freed', async () => {
    const id = payment();
    h.sandbox.status(500, { method: 'GET', path: `^/v1/payments/${id}$`, times: 3 });
    const res = await cancel(id, { key: 'read-fails' });
    expect(res.status).toBe(503);
    expect(putsOf(id)).toHaveLength(0);
    expect(await h.ledgers.get(id)).toBeUndefined();
    expect((await cancel(id, { key: 'read-fails' })).status).toBe(200);
  });
});

describe('idempotency', () => {
  it('the same key replays the stored answer with Idempotent-Replayed, calling nothing', async () => {
    const id = payment();
    const first = await cancel(id, { key: 'replay-1' });
    expect(first.status).toBe(200);
    h.sandbox.clearRequests();
    const second = await cancel(id, { key: 'replay-1' });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(h.sandbox.requests()).toHaveLength(0);
  });

  it('refusals before the call are stored too (404 replayed)', async () => {
    const first = await cancel('88888888888', { key: 'replay-404' });
    expect(first.status).toBe(404);
    const second = await cancel('88888888888', { key: 'replay-404' });
    expect(second.status).toBe(404);
    expect(second.headers['idempotent-replayed']).toBe('true');
  });

  it('the same key on another payment, or used on the refund route: 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const [a, b] = [payment(), payment()];
    expect((await cancel(a, { key: 'reused-1' })).status).toBe(200);
    const res = await cancel(b, { key: 'reused-1' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(putsOf(b)).toHaveLength(0);

    await h.idempotency.claim(
      {
        ...claimed('used-for-refund', 'POST /payments/{paymentId}/refunds', b, 'x', 'someone', 0),
        refundId: 'rf_1',
      },
      Date.now(),
    );
    expect((await cancel(b, { key: 'used-for-refund' })).body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('while the first request runs: 409 REFUND_IN_PROGRESS with Retry-After 1', async () => {
    const id = payment();
    await h.idempotency.claim(
      claimed(
        'running-1',
        CANCEL_ROUTE,
        id,
        cancellationFingerprint(id),
        'first-request',
        Date.now() + 60_000,
      ),
      Date.now(),
    );
    const res = await cancel(id, { key: 'running-1' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('REFUND_IN_PROGRESS');
    expect(res.headers['retry-after']).toBe('1');
    expect(h.sandbox.requests()).toHaveLength(0);
  });

  it('after the first request died (lock expired), a retry resumes with the same Mercado Pago key', async () => {
    const id = payment();
    await h.idempotency.claim(
      claimed('died-1', CANCEL_ROUTE, id, cancellationFingerprint(id), 'dead-request', Date.now() - 1),
      Date.now(),
    );
    const res = await cancel(id, { key: 'died-1' });
    expect(res.status).toBe(200);
    expect(putsOf(id)[0]!.idempotencyKey).toBe(mercadoPagoCancellationKey(id, 'died-1'));
  });

  it('concurrent duplicates with one key: one PUT, one cancellation', async () => {
    const id = payment();
    h.sandbox.latency(150, { method: 'GET', path: `^/v1/payments/${id}$` });
    const answers = await Promise.all([cancel(id, { key: 'dup-1' }), cancel(id, { key: 'dup-1' })]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(putsOf(id)).toHaveLength(1);
  });
});
