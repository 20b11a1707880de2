/**
 * POST /orders/{orderId}/cancellation against the sandbox's Orders API and dynalite: the checks (already
 * cancelled or expired: 200 without a call; paid: 409), the key kept across retries and re-sends, an
 * unknown outcome pending then settled, and the events.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mercadoPagoCancellationKey } from '../../functions/model/ledger/cancellation.ts';
import { runReconcile } from '../../functions/reconcile/run.ts';
import { reconcileWith } from '../refunds/support.ts';
import { type Harness, quietLogger, startHarness } from '../support/harness.ts';
import { openOrder, orderApi, orderCancelCalls, orderEventsOf, paidOrder } from './support.ts';

let h: Harness;
let api: ReturnType<typeof orderApi>;

beforeAll(async () => {
  h = await startHarness();
  api = orderApi(h);
});
afterAll(async () => h?.close());
beforeEach(async () => {
  await h.sandbox.resetFaults();
  h.sandbox.configure({ orderCanceledSpelling: 'canceled' });
  h.clearEvents();
});

describe('POST /orders/{orderId}/cancellation', () => {
  it('cancels a created order: 200, Order Cancelled once, the key derived from the order when none is given', async () => {
    const orderId = await openOrder(h);
    const res = await api.cancel(orderId);
    expect(res).toMatchObject({
      status: 200,
      body: { orderId, status: 'cancelled', statusDetail: 'canceled' },
    });
    expect(h.sandbox.getOrder(orderId)?.status).toBe('canceled');
    const [call] = orderCancelCalls(h, orderId);
    expect(call?.idempotencyKey).toBe(
      mercadoPagoCancellationKey(orderId, { idempotencyKey: null, sequence: 1 }),
    );
    expect(orderEventsOf(h, orderId)).toMatchObject([
      {
        'detail-type': 'Order Cancelled',
        detail: { orderId, status: 'canceled', previousStatus: 'created' },
      },
    ]);
    // Again: already cancelled, no call.
    expect(await api.cancel(orderId)).toMatchObject({ status: 200, body: { status: 'cancelled' } });
    expect(orderCancelCalls(h, orderId)).toHaveLength(1);
  });

  it('with an Idempotency-Key: replayed, and refused on another order', async () => {
    const orderId = await openOrder(h);
    expect((await api.cancel(orderId, 'cancel-order-1')).status).toBe(200);
    const replay = await api.cancel(orderId, 'cancel-order-1');
    expect(replay).toMatchObject({ status: 200, headers: { 'idempotent-replayed': 'true' } });
    const other = await openOrder(h);
    expect(await api.cancel(other, 'cancel-order-1')).toMatchObject({
      status: 422,
      body: { code: 'IDEMPOTENCY_KEY_REUSED' },
    });
  });

  it('an expired order: 200 expired, no call; a paid one: 409 ORDER_NOT_CANCELLABLE pointing to refunds', async () => {
    const expired = await openOrder(h);
    h.sandbox.expireOrder(expired);
    expect(await api.cancel(expired)).toMatchObject({
      status: 200,
      body: { orderId: expired, status: 'expired', statusDetail: 'expired' },
    });
    const paid = await paidOrder(h);
    expect(await api.cancel(paid)).toMatchObject({
      status: 409,
      body: { code: 'ORDER_NOT_CANCELLABLE', detail: expect.stringContaining(`/orders/${paid}/refunds`) },
    });
    expect([...orderCancelCalls(h, expired), ...orderCancelCalls(h, paid)]).toEqual([]);
    expect(await api.cancel('ORD01JQ4S4KY8HWQ6NA5PXB65B3D3')).toMatchObject({
      status: 404,
      body: { code: 'ORDER_NOT_FOUND' },
    });
  });

  it('reads the PHP spelling (`cancelled`) as cancelled', async () => {
    h.sandbox.configure({ orderCanceledSpelling: 'cancelled' });
    const orderId = await openOrder(h);
    expect(await api.cancel(orderId)).toMatchObject({
      status: 200,
      body: { status: 'cancelled', statusDetail: 'cancelled' },
    });
    expect(orderEventsOf(h, orderId).map((e) => e['detail-type'])).toEqual(['Order Cancelled']);
  });

  it('a lost answer: 202 pending; reconciliation re-sends it with the same key and it settles', async () => {
    const orderId = await openOrder(h);
    await h.sandbox.loseAnswer({ method: 'POST', path: `/v1/orders/${orderId}/cancel$`, times: 3 });
    const res = await api.cancel(orderId, 'cancel-lost-1');
    expect(res).toMatchObject({ status: 202, body: { orderId, status: 'pending' } });
    const at = Date.now() + 130_000;
    const report = await runReconcile(reconcileWith(h, at), { log: quietLogger, deadline: at + 20_000 });
    expect(report).toMatchObject({ checked: 1, failed: 0 });
    const keys = new Set(orderCancelCalls(h, orderId).map((c) => c.idempotencyKey));
    expect(keys.size).toBe(1);
    expect(await api.cancel(orderId, 'cancel-lost-1')).toMatchObject({
      status: 200,
      body: { status: 'cancelled' },
      headers: { 'idempotent-replayed': 'true' },
    });
    expect(orderEventsOf(h, orderId).map((e) => e['detail-type'])).toEqual(['Order Cancelled']);
  });

  it('a refusal by Mercado Pago (paid meanwhile) is 409; unavailable is 503 with the key free', async () => {
    const orderId = await openOrder(h);
    await h.sandbox.status(409, {
      method: 'POST',
      path: `/v1/orders/${orderId}/cancel$`,
      body: { errors: [{ code: 'invalid_order_status', message: 'paid', details: [] }] },
    });
    expect(await api.cancel(orderId, 'cancel-refused')).toMatchObject({
      status: 409,
      body: { code: 'ORDER_NOT_CANCELLABLE' },
    });
    const other = await openOrder(h);
    await h.sandbox.status(429, { method: 'POST', path: `/v1/orders/${other}/cancel$`, times: 3 });
    expect(await api.cancel(other, 'cancel-503')).toMatchObject({
      status: 503,
      body: { code: 'UPSTREAM_UNAVAILABLE' },
    });
    expect(await api.cancel(other, 'cancel-503')).toMatchObject({
      status: 200,
      body: { status: 'cancelled' },
    });
  });

  it('an unmapped refusal is 502 with the key free', async () => {
    const orderId = await openOrder(h);
    await h.sandbox.status(400, {
      method: 'POST',
      path: `/v1/orders/${orderId}/cancel$`,
      body: { errors: [{ code: 'invalid_order_owner', message: 'no', details: [] }] },
    });
    expect(await api.cancel(orderId, 'cancel-502')).toMatchObject({
      status: 502,
      body: { code: 'UPSTREAM_ERROR' },
    });
    expect(await api.cancel(orderId, 'cancel-502')).toMatchObject({
      status: 200,
      body: { status: 'cancelled' },
    });
  });

  it('a read that fails while an attempt is pending answers its state (202)', async () => {
    const orderId = await openOrder(h);
    await h.sandbox.loseAnswer({ method: 'POST', path: `/v1/orders/${orderId}/cancel$`, times: 3 });
    expect((await api.cancel(orderId)).status).toBe(202);
    await h.sandbox.status(500, { method: 'GET', path: `/v1/orders/${orderId}$`, times: 3 });
    expect(await api.cancel(orderId, 'cancel-read-fails')).toMatchObject({
      status: 202,
      body: { status: 'pending' },
    });
    const fresh = await openOrder(h);
    await h.sandbox.status(500, { method: 'GET', path: `/v1/orders/${fresh}$`, times: 3 });
    expect(await api.cancel(fresh, 'cancel-read-fails-2')).toMatchObject({ status: 503 });
  });
});
