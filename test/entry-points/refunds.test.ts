/**
 * The refund entry point (functions/refunds/handler.ts) as Lambda loads it: configuration checked at cold
 * start, then requests made from API Gateway's captured events (IAM and JWT authorizers) through the real
 * wiring (environment -> runtime -> routes) against the sandbox and dynalite.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { callHttp, httpApiEvent, templateCaller } from '../support/aws-events.ts';
import { coldStartRig } from '../support/cold-start.ts';
import type { Harness } from '../support/harness.ts';

const rig = coldStartRig(() => import('../../functions/refunds/handler.ts'));
const { withEnv, load } = rig;
let h: Harness;
let baseEnv: Record<string, string>;
beforeAll(() => {
  h = rig.harness();
  baseEnv = rig.baseEnv();
});

const DAY_MS = 86_400_000;
const approvedPayment = (amount: number, approvedDaysAgo = 1) =>
  h.sandbox.createPayment({
    status: 'approved',
    siteId: 'MLB',
    amount,
    dateApproved: Date.now() - approvedDaysAgo * DAY_MS,
  });
const refundCalls = (paymentId: string) =>
  h.sandbox.requests({ method: 'POST', path: new RegExp(`^/v1/payments/${paymentId}/refunds$`) });

describe('refund handler', () => {
  it.each([
    ['REFUND_WINDOW_DAYS', 'MLB=forever'],
    ['IDEMPOTENCY_KEY_RETENTION_DAYS', '0'],
    ['MP_API_BASE_URL', 'ftp://mercadopago'],
    ['TABLE_NAME', ''],
  ])('cold start fails when %s is %j, naming the variable', async (variable, value) => {
    withEnv({ ...baseEnv, [variable]: value });
    await expect(load()).rejects.toMatchObject({ name: 'ConfigError', variable });
  });

  it('creates a refund with POST (201), lists it and reads it with GET, and replays the key', async () => {
    withEnv(baseEnv);
    const handler = await load();
    const paymentId = approvedPayment(100);
    h.sandbox.clearRequests();
    const post = () =>
      callHttp(
        handler,
        httpApiEvent('iam', {
          method: 'POST',
          path: `/payments/${paymentId}/refunds`,
          body: { amount: 25.5, reason: 'damaged item' },
          headers: { 'Idempotency-Key': 'entry-point-refund-1', 'x-request-id': 'caller-req-1' },
        }),
      );

    const created = await post();
    expect(created.status).toBe(201);
    expect(created.headers['x-request-id']).toBe('caller-req-1');
    expect(created.body).toMatchObject({
      id: expect.any(String),
      paymentId,
      amount: 25.5,
      currency: 'BRL',
      status: 'succeeded',
      origin: 'api',
      mercadoPagoRefundId: expect.any(String),
      idempotencyKey: 'entry-point-refund-1',
      reason: 'damaged item',
    });
    // Made at the configured Mercado Pago with the configured token, once.
    const [call] = refundCalls(paymentId);
    expect(call).toMatchObject({ tokenValid: true, body: { amount: 25.5 } });
    expect(h.sandbox.refundsOf(paymentId).map((r) => String(r.id))).toEqual([
      created.body.mercadoPagoRefundId,
    ]);

    const replay = await post();
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.id).toBe(created.body.id);
    expect(refundCalls(paymentId)).toHaveLength(1);

    const list = await callHttp(
      handler,
      httpApiEvent('iam', { method: 'GET', path: `/payments/${paymentId}/refunds` }),
    );
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({
      paymentId,
      status: 'approved',
      currency: 'BRL',
      amount: 100,
      refundedAmount: 25.5,
      pendingAmount: 0,
      refundableAmount: 74.5,
    });
    expect(list.body.refunds).toEqual([created.body]);

    const one = await callHttp(
      handler,
      httpApiEvent('iam', { method: 'GET', path: `/payments/${paymentId}/refunds/${created.body.id}` }),
    );
    expect(one).toMatchObject({ status: 200, body: created.body });

    // Written to the configured table, the IAM caller of the event recorded as who asked.
    const ledger = await h.ledgers.get(paymentId);
    expect(ledger?.refunds.map((r) => r.id)).toEqual([created.body.id]);
    expect(ledger?.history.map((entry) => entry.by)).toContain(templateCaller('iam'));
  });

  it('records the JWT subject as the caller behind a JWT authorizer', async () => {
    withEnv(baseEnv);
    const handler = await load();
    const paymentId = approvedPayment(40);
    const created = await callHttp(
      handler,
      httpApiEvent('jwt', {
        method: 'POST',
        path: `/payments/${paymentId}/refunds`,
        headers: { 'Idempotency-Key': 'entry-point-jwt-1' },
      }),
    );
    expect(created.body).toMatchObject({ status: 'succeeded', amount: 40 });
    const ledger = await h.ledgers.get(paymentId);
    expect(ledger?.history.map((entry) => entry.by)).toContain(templateCaller('jwt'));
    expect(ledger?.history.map((entry) => entry.by)).not.toContain(templateCaller('iam'));
  });

  it('applies REFUND_WINDOW_DAYS from the environment before calling Mercado Pago', async () => {
    const paymentId = approvedPayment(30, 20);
    const refund = (handler: Awaited<ReturnType<typeof load>>, key: string) =>
      callHttp(
        handler,
        httpApiEvent('iam', {
          method: 'POST',
          path: `/payments/${paymentId}/refunds`,
          body: { amount: 5 },
          headers: { 'Idempotency-Key': key },
        }),
      );

    withEnv({ ...baseEnv, REFUND_WINDOW_DAYS: '90,MLB=10' });
    const tenDays = await refund(await load(), 'window-10');
    expect(tenDays.status).toBe(409);
    expect(tenDays.headers['content-type']).toBe('application/problem+json');
    expect(tenDays.body).toMatchObject({ code: 'REFUND_WINDOW_EXPIRED' });
    expect(refundCalls(paymentId)).toHaveLength(0);

    // Another Lambda instance (a new cold start) with another window.
    withEnv({ REFUND_WINDOW_DAYS: '30' });
    vi.resetModules();
    const thirtyDays = await refund(await load(), 'window-30');
    expect(thirtyDays).toMatchObject({ status: 201, body: { status: 'succeeded', amount: 5 } });
    expect(refundCalls(paymentId)).toHaveLength(1);
  });

  it('answers problem+json for a request without Idempotency-Key, calling nothing', async () => {
    withEnv(baseEnv);
    const handler = await load();
    const paymentId = approvedPayment(10);
    h.sandbox.clearRequests();
    const res = await callHttp(
      handler,
      httpApiEvent('iam', { method: 'POST', path: `/payments/${paymentId}/refunds`, body: {} }),
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    expect(h.sandbox.requests()).toEqual([]);
  });
});
