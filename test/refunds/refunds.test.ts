import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mercadoPagoRefundKey } from '../../functions/model/ledger/attempts.ts';
import { createLogger } from '../../functions/observability/logger.ts';
import { runReconcile } from '../../functions/reconcile/run.ts';
import { createRefund } from '../../functions/refunds/create-refund.ts';
import { type Harness, invoke, quietLogger, startHarness } from '../support/harness.ts';
import { daysAgo, reconcileWith, refundApi, refundCalls } from './support.ts';

let h: Harness;
let api: ReturnType<typeof refundApi>;

beforeAll(async () => {
  h = await startHarness();
  api = refundApi(h);
});
afterAll(async () => h?.close());
beforeEach(async () => {
  await h.sandbox.resetFaults();
  h.sandbox.setBalance(null);
});

const approved = (amount = 100, extra: Record<string, unknown> = {}) =>
  h.sandbox.createPayment({
    status: 'approved',
    currency: 'BRL',
    amount,
    dateApproved: daysAgo(1),
    ...extra,
  });

describe('POST /payments/{paymentId}/refunds', () => {
  it('refunds everything with {} and GET shows it', async () => {
    const paymentId = approved(100);
    const res = await api.refund(paymentId, {});
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      paymentId,
      amount: 100,
      currency: 'BRL',
      status: 'succeeded',
      origin: 'api',
    });
    expect(res.body.mercadoPagoRefundId).toMatch(/^\d+$/);
    expect(res.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(h.sandbox.refundsOf(paymentId)).toHaveLength(1);
    expect(h.sandbox.getPayment(paymentId)?.status).toBe('refunded');

    const list = await api.list(paymentId);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({
      paymentId,
      status: 'refunded',
      amount: 100,
      refundedAmount: 100,
      pendingAmount: 0,
      refundableAmount: 0,
    });
    expect(list.body.refunds).toHaveLength(1);
    const one = await api.get(paymentId, res.body.id);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(list.body.refunds[0]);
  });

  it('treats no body like {} and sends the in-process header and a stable key', async () => {
    const paymentId = approved(50);
    const res = await api.refund(paymentId, undefined, 'no-body-key');
    expect(res.status).toBe(201);
    expect(res.body.amount).toBe(50);
    const [call] = refundCalls(h, paymentId);
    expect(call?.renderInProcessRefunds).toBe('true');
    expect(call?.idempotencyKey).toBe(mercadoPagoRefundKey({ id: res.body.id }));
  });

  it('stores reason and externalReference with the refund', async () => {
    const paymentId = approved(80);
    const res = await api.refund(paymentId, {
      amount: 10.5,
      reason: 'damaged item',
      externalReference: 'RMA-1',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ amount: 10.5, reason: 'damaged item', externalReference: 'RMA-1' });
    expect(refundCalls(h, paymentId)[0]?.body).toEqual({ amount: 10.5 });
  });

  it('allows partial refunds up to 20, then refuses the 21st ({} too) without calling Mercado Pago', async () => {
    const paymentId = approved(100);
    for (let i = 0; i < 20; i++) {
      const res = await api.refund(paymentId, { amount: 1 });
      expect(res.status).toBe(201);
    }
    h.sandbox.clearRequests();
    const over = await api.refund(paymentId, { amount: 1 });
    expect(over.status).toBe(409);
    expect(over.headers['content-type']).toBe('application/problem+json');
    expect(over.body).toMatchObject({ code: 'REFUND_LIMIT_REACHED', status: 409 });
    const all = await api.refund(paymentId, {});
    expect(all.body.code).toBe('REFUND_LIMIT_REACHED');
    expect(refundCalls(h, paymentId)).toHaveLength(0);
    expect(h.sandbox.refundsOf(paymentId)).toHaveLength(20);
  });

  it('refuses an amount above what is left', async () => {
    const paymentId = approved(100);
    expect((await api.refund(paymentId, { amount: 60 })).status).toBe(201);
    h.sandbox.clearRequests();
    const res = await api.refund(paymentId, { amount: 40.01 });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('AMOUNT_EXCEEDS_REFUNDABLE');
    expect(refundCalls(h, paymentId)).toHaveLength(0);
    expect((await api.refund(paymentId, {})).body).toMatchObject({ status: 'succeeded', amount: 40 });
  });

  it('refuses after the refund window, and payments that are not approved', async () => {
    h.sandbox.clearRequests();
    const old = approved(100, { dateApproved: daysAgo(91) });
    expect((await api.refund(old, {})).body).toMatchObject({ status: 409, code: 'REFUND_WINDOW_EXPIRED' });
    const pending = h.sandbox.createPayment({ status: 'pending', currency: 'BRL', amount: 10 });
    expect((await api.refund(pending, {})).body).toMatchObject({
      status: 409,
      code: 'PAYMENT_NOT_REFUNDABLE',
    });
    const refunded = h.sandbox.createPayment({
      status: 'refunded',
      currency: 'BRL',
      amount: 10,
      dateApproved: daysAgo(1),
    });
    const res = await api.refund(refunded, {});
    expect(res.body.code).toBe('PAYMENT_NOT_REFUNDABLE');
    expect(res.body.detail).toMatch(/already fully refunded/);
    expect(refundCalls(h)).toHaveLength(0);
  });

  it('answers 404 for an unknown payment', async () => {
    const res = await api.refund('999999999999', {});
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('PAYMENT_NOT_FOUND');
    expect((await api.list('999999999999')).body.code).toBe('PAYMENT_NOT_FOUND');
  });

  it('replays a repeated request without calling anything', async () => {
    const paymentId = approved(100);
    const first = await api.refund(paymentId, { amount: 10 }, 'replay-1');
    h.sandbox.clearRequests();
    const again = await api.refund(paymentId, { amount: 10.0 }, 'replay-1');
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(h.sandbox.requests()).toHaveLength(0);
    // A stored refusal replays too.
    const refused = await api.refund(paymentId, { amount: 500 }, 'replay-2');
    const refusedAgain = await api.refund(paymentId, { amount: 500 }, 'replay-2');
    expect(refusedAgain.status).toBe(409);
    expect(refusedAgain.body).toEqual(refused.body);
    expect(refusedAgain.headers['idempotent-replayed']).toBe('true');
  });

  it('refuses a key reused with another amount, payment or route', async () => {
    const paymentId = approved(100);
    await api.refund(paymentId, { amount: 10 }, 'reuse-1');
    const other = await api.refund(paymentId, { amount: 11 }, 'reuse-1');
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const elsewhere = await api.refund(approved(100), { amount: 10 }, 'reuse-1');
    expect(elsewhere.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(h.sandbox.refundsOf(paymentId)).toHaveLength(1);
  });

  it('30 concurrent distinct refunds of 10 on a payment of 100: exactly 10 succeed', async () => {
    const paymentId = approved(100);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => api.refund(paymentId, { amount: 10 }, `conc-${i}`)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(
      results.filter((r) => r.status === 409).every((r) => r.body.code === 'AMOUNT_EXCEEDS_REFUNDABLE'),
    ).toBe(true);
    expect(statuses.filter((s) => s === 409)).toHaveLength(20);
    const atMercadoPago = h.sandbox.refundsOf(paymentId);
    expect(atMercadoPago).toHaveLength(10);
    const list = await api.list(paymentId);
    expect(list.body).toMatchObject({ refundedAmount: 100, pendingAmount: 0, refundableAmount: 0 });
    const ours = list.body.refunds.filter((r: any) => r.status === 'succeeded');
    expect(ours.map((r: any) => r.mercadoPagoRefundId).sort()).toEqual(
      atMercadoPago.map((r) => String(r.id)).sort(),
    );
    expect(list.body.refunds.every((r: any) => r.origin === 'api')).toBe(true);
  });

  it('30 concurrent duplicates make exactly one refund', async () => {
    const paymentId = approved(100);
    const results = await Promise.all(
      Array.from({ length: 30 }, () => api.refund(paymentId, { amount: 10 }, 'dup-key')),
    );
    expect(h.sandbox.refundsOf(paymentId)).toHaveLength(1);
    for (const r of results) {
      expect([201, 409]).toContain(r.status);
      if (r.status === 409) expect(r.body.code).toBe('REFUND_IN_PROGRESS');
      if (r.status === 409) expect(r.headers['retry-after']).toBe('1');
    }
    expect(results.filter((r) => r.status === 201).length).toBeGreaterThanOrEqual(1);
    const settled = await api.refund(paymentId, { amount: 10 }, 'dup-key');
    expect(settled.status).toBe(201);
  });

  it('retries a 5xx with the same Mercado Pago key and succeeds', async () => {
    const paymentId = approved(100);
    h.sandbox.status(500, { method: 'POST', path: /\/refunds$/ });
    const res = await api.refund(paymentId, { amount: 5 }, 'five-hundred');
    expect(res.status).toBe(201);
    const calls = refundCalls(h, paymentId);
    expect(calls).toHaveLength(2);
    expect(new Set(calls.map((c) => c.idempotencyKey)).size).toBe(1);
    expect(h.sandbox.refundsOf(paymentId)).toHaveLength(1);
  });

  it('never makes two refunds when the answer is lost after the refund was made', async () => {
    const paymentId = approved(100);
    h.sandbox.loseAnswer({ method: 'POST', path: /\/refunds$/ });
    const once = await api.refund(paymentId, { amount: 7 }, 'lost-once');
    expect(once.status).toBe(201);
    expect(h.sandbox.refundsOf(paymentId)).toHaveLength(1);

    h.sandbox.loseAnswer({ method: 'POST', path: /\/refunds$/, times: 10 });
    const lost = await api.refund(paymentId, { amount: 8 }, 'lost-always');
    expect(lost.status).toBe(202);
    expect(lost.body).toMatchObject({ status: 'pending', amount: 8, mercadoPagoRefundId: null });
    expect(h.sandbox.refundsOf(paymentId)).toHaveLength(2);
    await h.sandbox.resetFaults();
    const replay = await api.refund(paymentId, { amount: 8 }, 'lost-always');
    expect(replay.status).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    // A read is no evidence that Mercado Pago's refund of 8 is ours: it is held (counted once, through the
    // reservation), not linked, not listed as made elsewhere.
    const list = await api.list(paymentId);
    expect(list.body.refunds).toHaveLength(2);
    expect(list.body.refunds.find((r: any) => r.id === lost.body.id)).toMatchObject({ status: 'pending' });
    expect(list.body).toMatchObject({ refundedAmount: 7, pendingAmount: 8, refundableAmount: 85 });
    // Reconciliation re-sends it with its own key: Mercado Pago answers the refund that key made.
    const at = Date.now() + 130_000;
    await runReconcile(reconcileWith(h, at), { log: quietLogger, deadline: at + 10_000 });
    const after = await api.refund(paymentId, { amount: 8 }, 'lost-always');
    expect(after.status).toBe(201);
    expect(after.body.mercadoPagoRefundId).toBe(String(h.sandbox.refundsOf(paymentId)[1]!.id));
    expect(h.sandbox.refundsOf(paymentId)).toHaveLength(2);
  });

  it('insufficient balance: recorded failed, reservation released, a later refund fits', async () => {
    const paymentId = approved(100);
    h.sandbox.setBalance(0, { language: 'es' });
    const res = await api.refund(paymentId, {}, 'broke');
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('INSUFFICIENT_BALANCE');
    h.sandbox.setBalance(null);
    const list = await api.list(paymentId);
    expect(list.body).toMatchObject({ refundableAmount: 100, pendingAmount: 0 });
    expect(list.body.refunds[0]).toMatchObject({
      status: 'failed',
      failure: { code: 'INSUFFICIENT_BALANCE' },
    });
    const replay = await api.refund(paymentId, {}, 'broke');
    expect(replay.body.code).toBe('INSUFFICIENT_BALANCE');
    const later = await api.refund(paymentId, {}, 'rich');
    expect(later.status).toBe(201);
    expect(later.body.amount).toBe(100);
  });

  it('counts a refund made in the dashboard', async () => {
    const paymentId = approved(100);
    h.sandbox.dashboardRefund(paymentId, 30);
    const list = await api.list(paymentId);
    expect(list.body).toMatchObject({ refundedAmount: 30, refundableAmount: 70 });
    expect(list.body.refunds).toEqual([
      expect.objectContaining({ origin: 'external', amount: 30, status: 'succeeded' }),
    ]);
    const rest = await api.refund(paymentId, {});
    expect(rest.body).toMatchObject({ status: 'succeeded', amount: 70 });
    expect((await api.refund(paymentId, { amount: 1 })).body.code).toBe('PAYMENT_NOT_REFUNDABLE');
  });

  it('Mercado Pago refusing a refund (window, by its own rule) is mapped and recorded failed', async () => {
    const paymentId = approved(100);
    h.sandbox.status(400, {
      method: 'POST',
      path: /\/refunds$/,
      body: {
        message: 'too old',
        error: 'bad_request',
        status: 400,
        cause: [{ code: '2024', description: 'too old' }],
      },
    });
    const res = await api.refund(paymentId, { amount: 10 });
    expect(res.body).toMatchObject({ status: 409, code: 'REFUND_WINDOW_EXPIRED' });
    expect((await api.list(paymentId)).body.refundableAmount).toBe(100);
  });

  it('in_process refunds answer 202 pending', async () => {
    const paymentId = approved(100);
    h.sandbox.refundStatus('in_process');
    const res = await api.refund(paymentId, { amount: 10 });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('pending');
    expect(res.body.mercadoPagoRefundId).toMatch(/^\d+$/);
  });

  it('Mercado Pago unavailable: 503 with Retry-After, nothing kept, the same key works later', async () => {
    const paymentId = approved(100);
    h.sandbox.status(429, { method: 'POST', path: /\/refunds$/, times: 10, headers: { 'retry-after': '1' } });
    const res = await api.refund(paymentId, { amount: 10 }, 'busy');
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    await h.sandbox.resetFaults();
    const later = await api.refund(paymentId, { amount: 10 }, 'busy');
    expect(later.status).toBe(201);
    expect(h.sandbox.refundsOf(paymentId)).toHaveLength(1);
    expect((await api.list(paymentId)).body).toMatchObject({ refundedAmount: 10, refundableAmount: 90 });
  });
});

describe('resuming after a Lambda died mid-call', () => {
  const quietLog = createLogger({ level: 'error', sink: () => undefined });

  /**
   * A first attempt that read the payment, reserved, and whose Lambda died during the Mercado Pago call: the
   * call never returns. Retries run with a clock past its lock.
   */
  const dieDuringCall = async (
    paymentId: string,
    key: string,
    amount: number,
    options: { reachesMercadoPago?: boolean } = {},
  ) => {
    let sent!: () => void;
    const calling = new Promise<void>((resolve) => {
      sent = resolve;
    });
    const dying = {
      ...h.mercadoPago,
      createRefund: async (...args: Parameters<typeof h.mercadoPago.createRefund>) => {
        // Mercado Pago made the refund (or not); the Lambda dies before it learns the answer.
        if (options.reachesMercadoPago) await h.mercadoPago.createRefund(...args);
        sent();
        return new Promise<never>(() => undefined);
      },
    };
    void createRefund(
      { ...api.deps, mercadoPago: dying },
      {
        paymentId,
        idempotencyKey: key,
        amount,
        caller: 'test',
        requestId: 'r1',
        deadline: Date.now() + 5_000,
        log: quietLog,
      },
    ).catch(() => undefined);
    await calling;
  };
  const afterLock = (minutes = 0.5) => refundApi(h, { clock: { now: () => Date.now() + minutes * 60_000 } });

  it('a retry while the first request runs is 409 REFUND_IN_PROGRESS', async () => {
    const paymentId = approved(100);
    await dieDuringCall(paymentId, 'running', 5);
    const res = await api.refund(paymentId, { amount: 5 }, 'running');
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('REFUND_IN_PROGRESS');
    expect(res.headers['retry-after']).toBe('1');
  });

  it('resumes with the same Mercado Pago key once the lock has expired', async () => {
    const paymentId = approved(100);
    await dieDuringCall(paymentId, 'crash-1', 12);
    h.sandbox.clearRequests();
    const res = await afterLock().refund(paymentId, { amount: 12 }, 'crash-1');
    expect(res.status).toBe(201);
    expect(res.body.amount).toBe(12);
    expect(refundCalls(h, paymentId).map((c) => c.idempotencyKey)).toEqual([
      mercadoPagoRefundKey({ id: res.body.id }),
    ]);
    expect(h.sandbox.refundsOf(paymentId)).toHaveLength(1);
    expect((await api.list(paymentId)).body.refunds).toHaveLength(1);
  });

  it('a refund made with its key before the Lambda died is answered again by the re-send: never a second one', async () => {
    const paymentId = approved(100);
    await dieDuringCall(paymentId, 'crash-2', 20, { reachesMercadoPago: true });
    expect(h.sandbox.refundsOf(paymentId)).toHaveLength(1);
    h.sandbox.clearRequests();
    const res = await afterLock().refund(paymentId, { amount: 20 }, 'crash-2');
    expect(res.status).toBe(201);
    expect(res.body.mercadoPagoRefundId).toBe(String(h.sandbox.refundsOf(paymentId)[0]!.id));
    expect(refundCalls(h, paymentId).map((c) => c.idempotencyKey)).toEqual([
      mercadoPagoRefundKey({ id: res.body.id }),
    ]);
    expect(h.sandbox.refundsOf(paymentId)).toHaveLength(1);
  });

  it('a refund of the same amount made in the dashboard meanwhile is not taken for ours', async () => {
    const paymentId = approved(100);
    await dieDuringCall(paymentId, 'crash-3', 20);
    h.sandbox.dashboardRefund(paymentId, 20);
    const res = await afterLock().refund(paymentId, { amount: 20 }, 'crash-3');
    expect(res.status).toBe(201);
    const atMercadoPago = h.sandbox.refundsOf(paymentId).map((r) => ({ ...r, id: String(r.id) }));
    expect(atMercadoPago).toHaveLength(2);
    expect(res.body.mercadoPagoRefundId).toBe(atMercadoPago[1]!.id);
    const list = await api.list(paymentId);
    expect(list.body.refunds.map((r: any) => [r.origin, r.mercadoPagoRefundId])).toEqual([
      ['api', atMercadoPago[1]!.id],
      ['external', atMercadoPago[0]!.id],
    ]);
    expect(list.body.refundedAmount).toBe(40);
  });

  it('a refusal of the re-sent call leaves the refund pending: the first attempt may have refunded', async () => {
    const paymentId = approved(100);
    await dieDuringCall(paymentId, 'resend-refused', 15);
    h.sandbox.status(400, {
      method: 'POST',
      path: /\/refunds$/,
      body: {
        message: 'payment already refunded',
        error: 'bad_request',
        status: 400,
        cause: [{ code: 2063 }],
      },
    });
    const res = await afterLock().refund(paymentId, { amount: 15 }, 'resend-refused');
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'pending', amount: 15 });
    const replay = await afterLock().refund(paymentId, { amount: 15 }, 'resend-refused');
    expect(replay.status).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
  });

  it('past the re-send window it does not re-send: 202, and replays answer the current state', async () => {
    const paymentId = approved(100);
    await dieDuringCall(paymentId, 'too-old', 9);
    const later = afterLock(11);
    h.sandbox.clearRequests();
    const res = await later.refund(paymentId, { amount: 9 }, 'too-old');
    expect(res.status).toBe(202);
    expect(refundCalls(h, paymentId)).toHaveLength(0);
    const replay = await later.refund(paymentId, { amount: 9 }, 'too-old');
    expect(replay.status).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
  });
});

describe('validation', () => {
  it('requires an Idempotency-Key and names unknown fields', async () => {
    const paymentId = approved(100);
    const noKey = await api.refund(paymentId, {}, null);
    expect(noKey.status).toBe(400);
    expect(noKey.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    const typo = await api.refund(paymentId, { ammount: 10 });
    expect(typo.status).toBe(400);
    expect(typo.body.errors).toEqual([{ field: 'ammount', message: 'unknown field' }]);
    expect((await api.refund(paymentId, { amount: 10.001 })).status).toBe(400);
    expect((await api.refund(paymentId, { amount: -1 })).status).toBe(400);
    expect((await api.refund(paymentId, { amount: '10' })).status).toBe(400);
    expect((await api.refund('abc', {})).status).toBe(400);
    expect(h.sandbox.refundsOf(paymentId)).toHaveLength(0);
  });

  it('rejects decimals in a currency without minor units, leaving the key free', async () => {
    const paymentId = h.sandbox.createPayment({
      status: 'approved',
      currency: 'CLP',
      amount: 5000,
      dateApproved: daysAgo(1),
    });
    const bad = await api.refund(paymentId, { amount: 10.5 }, 'clp-key');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'amount', message: 'must be a positive whole amount in CLP' }]);
    const good = await api.refund(paymentId, { amount: 10.5 }, 'clp-key');
    expect(good.status).toBe(400);
    expect((await api.refund(paymentId, { amount: 1000 }, 'clp-key-2')).status).toBe(201);
  });

  it('a JSON null body is a 400, never "refund everything left"', async () => {
    const paymentId = approved(100);
    for (const rawBody of ['null', '[]', '"x"', '1', 'true']) {
      const res = await invoke(api.handler, {
        method: 'POST',
        path: `/payments/${paymentId}/refunds`,
        rawBody,
        headers: { 'Idempotency-Key': `raw-${rawBody}` },
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
    }
    expect(h.sandbox.refundsOf(paymentId)).toHaveLength(0);
  });

  it('GET of an unknown refund is 404 REFUND_NOT_FOUND', async () => {
    const res = await api.get(approved(10), 'rf_nope');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('REFUND_NOT_FOUND');
  });
});
