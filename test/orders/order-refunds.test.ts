/**
 * POST/GET /orders/{orderId}/refunds[/{refundId}] against the sandbox's Orders API (real HTTP, real client)
 * and dynalite: the payment refund's conventions (keys, 201/202, the ledger, the settlement rules, events),
 * Orders' `processing` -> `processed`, the checks in API.md order, and Mercado Pago's refusals as mapped.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runReconcile } from '../../functions/reconcile/run.ts';
import { reconcileWith } from '../refunds/support.ts';
import { type Harness, quietLogger, startHarness } from '../support/harness.ts';
import {
  mercadoPagoRefundKey,
  openOrder,
  orderApi,
  orderEventsOf,
  orderRefundCalls,
  paidOrder,
  paymentTransactionOf,
  refundsAtMercadoPago,
} from './support.ts';

let h: Harness;
let api: ReturnType<typeof orderApi>;

beforeAll(async () => {
  h = await startHarness({ sandbox: { orderRefundDelayMs: null } });
  api = orderApi(h);
});
afterAll(async () => h?.close());
beforeEach(async () => {
  await h.sandbox.resetFaults();
  h.sandbox.configure({
    orderRefundDelayMs: null,
    orderPartialRefundsBySite: {},
    orderRefundWindowDays: 330,
  });
  h.clearEvents();
});

const settle = (orderId: string, status: 'processed' | 'failed' = 'processed') => {
  for (const refund of refundsAtMercadoPago(h, orderId))
    if (refund.status === 'processing') h.sandbox.settleOrderRefund(refund.id, status);
};

describe('POST /orders/{orderId}/refunds', () => {
  it('refunds everything with no body: 202 while processing, then succeeded, one Refund Succeeded', async () => {
    const orderId = await paidOrder(h, '100.00');
    const res = await api.refund(orderId, undefined, 'order-full-1');
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      orderId,
      amount: 100,
      currency: 'BRL',
      status: 'pending',
      origin: 'api',
      idempotencyKey: 'order-full-1',
      mercadoPagoRefundId: expect.stringMatching(/^REF/),
    });
    expect(res.body).not.toHaveProperty('paymentId');
    // No body: the whole order (untouched, one transaction), with the refund's own key.
    const [call] = orderRefundCalls(h, orderId);
    expect(call).toMatchObject({
      body: undefined,
      idempotencyKey: mercadoPagoRefundKey({ id: res.body.id }),
    });

    settle(orderId);
    const list = await api.list(orderId);
    expect(list.body).toMatchObject({
      orderId,
      status: 'refunded',
      amount: 100,
      refundedAmount: 100,
      pendingAmount: 0,
      refundableAmount: 0,
      refunds: [{ id: res.body.id, status: 'succeeded', origin: 'api' }],
    });
    const replay = await api.refund(orderId, undefined, 'order-full-1');
    expect(replay).toMatchObject({ status: 201, headers: { 'idempotent-replayed': 'true' } });
    expect(orderRefundCalls(h, orderId)).toHaveLength(1);
    expect(orderEventsOf(h, orderId).map((e) => e['detail-type'])).toEqual([
      'Payment Status Changed',
      'Refund Succeeded',
    ]);
    expect((await api.get(orderId, res.body.id)).body).toMatchObject({
      id: res.body.id,
      status: 'succeeded',
    });
  });

  it('refunds a part of the payment transaction, then the rest: each its own key and amount', async () => {
    const orderId = await paidOrder(h, '100.00');
    const transactionId = paymentTransactionOf(h, orderId);
    const part = await api.refund(orderId, {
      amount: 30.5,
      reason: 'broken cup',
      externalReference: 'dev-1',
    });
    expect(part.status).toBe(202);
    expect(orderRefundCalls(h, orderId)[0]?.body).toEqual({
      transactions: [{ id: transactionId, amount: '30.50' }],
    });
    settle(orderId);
    const rest = await api.refund(orderId, { transactionId });
    expect(rest.body).toMatchObject({ amount: 69.5, status: 'pending' });
    expect(orderRefundCalls(h, orderId)[1]?.body).toEqual({
      transactions: [{ id: transactionId, amount: '69.50' }],
    });
    settle(orderId);
    const list = await api.list(orderId);
    expect(list.body).toMatchObject({ refundedAmount: 100, refundableAmount: 0 });
    expect(list.body.refunds.map((r: { reason?: string }) => r.reason)).toEqual(['broken cup', undefined]);
    expect(await api.refund(orderId, { amount: 1 })).toMatchObject({
      status: 409,
      body: { code: 'ORDER_NOT_REFUNDABLE', detail: 'The order is already fully refunded.' },
    });
  });

  it('a refund that fails at Mercado Pago is failed (REFUND_REJECTED) and frees its reservation', async () => {
    const orderId = await paidOrder(h, '50.00');
    const res = await api.refund(orderId, { amount: 20 });
    settle(orderId, 'failed');
    const list = await api.list(orderId);
    expect(list.body).toMatchObject({ refundedAmount: 0, pendingAmount: 0, refundableAmount: 50 });
    expect((await api.refund(orderId, { amount: 20 }, 'order-fail-replay')).status).toBe(202);
    const replayed = await api.get(orderId, res.body.id);
    expect(replayed.body).toMatchObject({ status: 'failed', failure: { code: 'REFUND_REJECTED' } });
    expect(orderEventsOf(h, orderId).map((e) => e['detail-type'])).toContain('Refund Failed');
  });

  it('checks before any call, in order: not found, charged back, not processed, window, amount', async () => {
    const missing = 'ORD01JQ4S4KY8HWQ6NA5PXB65B3D3';
    const notFound = await api.refund(missing, {}, 'order-404');
    expect(notFound).toMatchObject({ status: 404, body: { code: 'ORDER_NOT_FOUND' } });
    // Stored: a repeat answers the same without a call.
    expect((await api.refund(missing, {}, 'order-404')).headers['idempotent-replayed']).toBe('true');

    const open = await openOrder(h);
    expect(await api.refund(open, {})).toMatchObject({
      status: 409,
      body: { code: 'ORDER_NOT_REFUNDABLE', detail: expect.stringContaining('created') },
    });
    const chargedBack = await paidOrder(h);
    h.sandbox.chargeBackOrder(chargedBack);
    expect(await api.refund(chargedBack, {})).toMatchObject({
      status: 409,
      body: { code: 'PAYMENT_CHARGED_BACK' },
    });
    const paid = await paidOrder(h, '10.00');
    const tooOld = orderApi(h, { refundWindow: { defaultDays: 90, bySite: { MLB: 0 } } });
    // 0 days for MLB: the order (created a moment ago) is already past it (the default applies instead).
    expect((await tooOld.refund(paid, {})).status).toBe(202);
    const strict = orderApi(h, { clock: { now: () => Date.now() + 91 * 86_400_000 } });
    expect(await strict.refund(paid, { amount: 1 })).toMatchObject({
      status: 409,
      body: { code: 'REFUND_WINDOW_EXPIRED' },
    });
    const other = await paidOrder(h, '10.00');
    expect(await api.refund(other, { amount: 10.01 })).toMatchObject({
      status: 409,
      body: { code: 'AMOUNT_EXCEEDS_REFUNDABLE', detail: expect.stringContaining('10 BRL') },
    });
    expect(await api.refund(other, { transactionId: 'PAY_NOT_THIS_ONE' })).toMatchObject({
      status: 404,
      body: { code: 'ORDER_NOT_FOUND', detail: expect.stringContaining('PAY_NOT_THIS_ONE') },
    });
    expect(await api.refund(other, { amount: 1.001 })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_ERROR' },
    });
    expect(orderRefundCalls(h, other)).toHaveLength(0);
  });

  it('reads the order id in either case and answers it upper case; malformed ids are 400', async () => {
    const orderId = await paidOrder(h, '10.00');
    const res = await api.refund(orderId.toLowerCase(), { amount: 1 });
    expect(res.body.orderId).toBe(orderId);
    expect((await api.list(orderId.toLowerCase())).body.orderId).toBe(orderId);
    expect(await api.refund('ORD123', {})).toMatchObject({ status: 400, body: { code: 'VALIDATION_ERROR' } });
    expect(await api.refund(orderId, { ammount: 1 })).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'ammount', message: 'unknown field' }] },
    });
  });
});

describe('GET /orders/{orderId}/refunds and one refund', () => {
  it('an order never refunded: its amounts from Mercado Pago, no refund, nothing stored; an unknown refund is 404', async () => {
    const orderId = await paidOrder(h, '60.00');
    const res = await api.list(orderId);
    expect(res).toMatchObject({
      status: 200,
      body: {
        orderId,
        currency: 'BRL',
        amount: 60,
        refundedAmount: 0,
        pendingAmount: 0,
        refundableAmount: 60,
      },
    });
    expect(res.body.refunds).toEqual([]);
    expect(await h.ledgers.get(orderId)).toBeUndefined();
    expect(await api.get(orderId, 'rf_01M8SE81VDFBMS1V6H6EDKA5E7')).toMatchObject({
      status: 404,
      body: { code: 'REFUND_NOT_FOUND' },
    });
  });

  it("an amount finer than the order's currency is 400 before any call, and its key stays free", async () => {
    const orderId = await paidOrder(h, '60.00');
    const res = await api.refund(orderId, { amount: 10.005 }, 'order-fine-amount');
    expect(res).toMatchObject({ status: 400, body: { code: 'VALIDATION_ERROR' } });
    expect(orderRefundCalls(h, orderId)).toEqual([]);
    expect(await api.refund(orderId, { amount: 10 }, 'order-fine-amount')).toMatchObject({ status: 202 });
  });
});

describe("Mercado Pago's refusals, as API.md maps them", () => {
  it('unsupported_partially_refunds -> PARTIAL_REFUND_NOT_SUPPORTED, recorded failed', async () => {
    const orderId = await paidOrder(h, '40.00');
    h.sandbox.configureOrder(orderId, { partialRefunds: false });
    const res = await api.refund(orderId, { amount: 10 });
    expect(res).toMatchObject({ status: 409, body: { code: 'PARTIAL_REFUND_NOT_SUPPORTED' } });
    expect((await api.list(orderId)).body.refunds).toMatchObject([
      { status: 'failed', failure: { code: 'PARTIAL_REFUND_NOT_SUPPORTED' } },
    ]);
    expect(orderEventsOf(h, orderId).map((e) => e['detail-type'])).toEqual(['Refund Failed']);
  });

  it('in_store_payment_refund_order (its window is shorter than ours) -> REFUND_WINDOW_EXPIRED', async () => {
    const orderId = await paidOrder(h, '40.00');
    await h.sandbox.status(400, {
      method: 'POST',
      path: `/v1/orders/${orderId}/refund$`,
      body: { errors: [{ code: 'in_store_payment_refund_order', message: 'too old', details: [] }] },
    });
    expect(await api.refund(orderId, {})).toMatchObject({
      status: 409,
      body: { code: 'REFUND_WINDOW_EXPIRED' },
    });
  });

  it.each([
    ['tips', 'partial_refund_forbidden_with_tips'],
    ['cashOut', 'partial_refund_not_allowed_with_cashout'],
  ] as const)(
    'an order with %s refuses a partial refund (%s) -> PARTIAL_REFUND_NOT_SUPPORTED',
    async (option, _code) => {
      const orderId = await paidOrder(h, '40.00');
      h.sandbox.configureOrder(orderId, { [option]: true });
      expect(await api.refund(orderId, { amount: 10 })).toMatchObject({
        status: 409,
        body: { code: 'PARTIAL_REFUND_NOT_SUPPORTED' },
      });
      // In full it is refunded.
      expect((await api.refund(orderId, {})).status).toBe(202);
    },
  );

  it.each([
    [400, 'refund_amount_exceeds', 409, 'AMOUNT_EXCEEDS_REFUNDABLE'],
    [409, 'order_already_refunded', 409, 'ORDER_NOT_REFUNDABLE'],
    [409, 'invalid_order_status', 409, 'ORDER_NOT_REFUNDABLE'],
    [404, 'transaction_not_found', 404, 'ORDER_NOT_FOUND'],
    [400, 'invalid_order_owner', 502, 'UPSTREAM_ERROR'],
  ])('%i %s -> %i %s', async (status, code, answered, problem) => {
    const orderId = await paidOrder(h, '40.00');
    await h.sandbox.status(status, {
      method: 'POST',
      path: `/v1/orders/${orderId}/refund$`,
      body: { errors: [{ code, message: code, details: [] }] },
    });
    const res = await api.refund(orderId, { amount: 10 }, `refusal-${code}`);
    expect(res).toMatchObject({ status: answered, body: { code: problem } });
    const [refund] = (await api.list(orderId)).body.refunds;
    expect(refund).toMatchObject({ status: 'failed', failure: { code: problem } });
    // A 502 frees the key (a retry is a new request); a mapped refusal is stored.
    const retry = await api.refund(orderId, { amount: 10 }, `refusal-${code}`);
    expect(retry.headers['idempotent-replayed']).toBe(problem === 'UPSTREAM_ERROR' ? undefined : 'true');
  });

  it('refund_in_progress -> 202 pending; re-sent with its key by reconciliation once the first settled', async () => {
    const orderId = await paidOrder(h, '40.00');
    const first = await api.refund(orderId, { amount: 10 });
    const second = await api.refund(orderId, { amount: 5 });
    expect(second).toMatchObject({ status: 202, body: { status: 'pending', mercadoPagoRefundId: null } });
    settle(orderId);
    const at = Date.now() + 130_000;
    const report = await runReconcile(reconcileWith(h, at), { log: quietLogger, deadline: at + 20_000 });
    expect(report).toMatchObject({ resent: 1, failed: 0 });
    settle(orderId);
    const list = await api.list(orderId);
    expect(list.body).toMatchObject({ refundedAmount: 15, pendingAmount: 0 });
    expect(list.body.refunds.map((r: { id: string }) => r.id).sort()).toEqual(
      [first.body.id, second.body.id].sort(),
    );
    expect(refundsAtMercadoPago(h, orderId)).toHaveLength(2);
  });

  it('a lost answer is pending; the re-send with the same key gets Mercado Pago\u2019s first answer: one refund', async () => {
    const orderId = await paidOrder(h, '40.00');
    await h.sandbox.loseAnswer({ method: 'POST', path: `/v1/orders/${orderId}/refund$`, times: 3 });
    const res = await api.refund(orderId, { amount: 12 });
    expect(res).toMatchObject({ status: 202, body: { status: 'pending', mercadoPagoRefundId: null } });
    const at = Date.now() + 130_000;
    await runReconcile(reconcileWith(h, at), { log: quietLogger, deadline: at + 20_000 });
    const view = (await api.get(orderId, res.body.id)).body;
    const [atMercadoPago] = refundsAtMercadoPago(h, orderId);
    expect(refundsAtMercadoPago(h, orderId)).toHaveLength(1);
    expect(view).toMatchObject({ status: 'pending', mercadoPagoRefundId: atMercadoPago?.id });
  });

  it('503 on every try: nothing refunded, no refund recorded, the key is free', async () => {
    const orderId = await paidOrder(h, '40.00');
    await h.sandbox.status(429, { method: 'POST', path: `/v1/orders/${orderId}/refund$`, times: 3 });
    const res = await api.refund(orderId, { amount: 10 }, 'order-503');
    expect(res).toMatchObject({ status: 503, body: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(res.headers['retry-after']).toBeTruthy();
    expect((await api.list(orderId)).body.refunds).toEqual([]);
    expect((await api.refund(orderId, { amount: 10 }, 'order-503')).status).toBe(202);
  });
});

describe('an order older than Mercado Pago serves (3 months)', () => {
  it('is checked on its recorded state; one never seen is 404', async () => {
    const orderId = await paidOrder(h, '40.00');
    // Recorded: a refund made (its ledger), and processed.
    expect((await api.refund(orderId, { amount: 10 })).status).toBe(202);
    settle(orderId);
    expect((await api.list(orderId)).body).toMatchObject({ refundedAmount: 10 });
    await h.sandbox.status(404, {
      method: 'GET',
      path: `/v1/orders/${orderId}$`,
      body: { errors: [{ code: 'order_not_found', message: 'not found', details: [] }] },
      times: 3,
    });
    expect(await api.list(orderId)).toMatchObject({ status: 200, body: { orderId, refundableAmount: 30 } });
    const res = await api.refund(orderId, { amount: 5 });
    expect(res).toMatchObject({ status: 202, body: { amount: 5 } });
    const never = await openOrder(h);
    await h.sandbox.status(404, {
      method: 'GET',
      path: `/v1/orders/${never}$`,
      body: { errors: [{ code: 'order_not_found', message: 'not found', details: [] }] },
      times: 2,
    });
    expect(await api.list(never)).toMatchObject({ status: 404, body: { code: 'ORDER_NOT_FOUND' } });
    expect(await api.refund(never, {})).toMatchObject({ status: 404, body: { code: 'ORDER_NOT_FOUND' } });
  });
});
