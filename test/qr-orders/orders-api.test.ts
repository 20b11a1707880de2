/**
 * The till routes with QR_API=orders against the sandbox's Orders API (real HTTP, real client) and
 * dynalite: the three modes and their QR data, one open order per till (the service's till -> order map),
 * PUT safe to retry (same body, same order; an unknown create completed with its key), the cancellation of
 * the open order before another, DELETE's answers, and the order's ledger (events, reconciliation).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tillOrderKey } from '../../functions/model/till.ts';
import { runReconcile } from '../../functions/reconcile/run.ts';
import { reconcileWith } from '../refunds/support.ts';
import { type Harness, quietLogger, startHarness } from '../support/harness.ts';
import { eventually } from '../support/wait.ts';
import { orderBody, ordersOfTill, ordersWithReference, tillApi } from './till-support.ts';

let h: Harness;
let api: ReturnType<typeof tillApi>;
let tills = 0;
const newTill = () => `CAJA_${Date.now().toString(36)}_${++tills}`;

beforeAll(async () => {
  h = await startHarness();
  api = tillApi(h);
});
afterAll(async () => h?.close());
beforeEach(async () => {
  await h.sandbox.resetFaults();
  h.clearEvents();
});

const cancelCalls = (orderId: string) =>
  h.sandbox.requests({ method: 'POST', path: new RegExp(`^/v1/orders/${orderId}/cancel$`) });

describe('PUT /pos/{externalPosId}/order with QR_API=orders', () => {
  it('creates a static order as Orders takes it, records its ledger, and GET shows it open', async () => {
    const pos = newTill();
    const body = orderBody(12.5, {
      description: 'Mesa 4',
      ttlSeconds: 300,
      externalStoreId: 'IGNORED_1',
      items: [
        {
          title: 'Cafe',
          unitPrice: 4.5,
          quantity: 1,
          unitMeasure: 'unit',
          totalAmount: 4.5,
          skuNumber: 'C-1',
        },
        {
          title: 'Medialuna',
          unitPrice: 2,
          quantity: 4,
          unitMeasure: 'unit',
          totalAmount: 8,
          category: 'food',
        },
      ],
    });
    const res = await api.put(pos, body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      externalPosId: pos,
      externalReference: body.externalReference,
      title: 'Cafe y medialunas',
      description: 'Mesa 4',
      totalAmount: 12.5,
      status: 'open',
      mode: 'static',
      orderId: expect.stringMatching(/^ORD[A-Z0-9]{26}$/),
    });
    expect(res.body).not.toHaveProperty('qrData');
    expect(res.body).not.toHaveProperty('externalStoreId');
    const [create] = ordersOfTill(h, pos);
    expect(create).toMatchObject({
      idempotencyKey: tillOrderKey(pos, 1),
      body: {
        type: 'qr',
        external_reference: body.externalReference,
        description: 'Mesa 4',
        total_amount: '12.50',
        expiration_time: 'PT5M',
        config: { qr: { external_pos_id: pos, mode: 'static' } },
        transactions: { payments: [{ amount: '12.50' }] },
        items: [
          { title: 'Cafe', unit_price: '4.50', quantity: 1, unit_measure: 'unit', external_code: 'C-1' },
          { title: 'Medialuna', unit_price: '2.00', quantity: 4, unit_measure: 'unit', category_id: 'food' },
        ],
      },
    });
    expect(await h.ledgers.get(res.body.orderId)).toMatchObject({
      kind: 'order',
      status: 'created',
      order: { till: pos, externalReference: body.externalReference },
      schedule: expect.any(Object),
    });
    expect((await api.get(pos)).body).toEqual(res.body);
  });

  it.each(['dynamic', 'hybrid'] as const)('%s: answers the EMVCo QR data to render', async (mode) => {
    const pos = newTill();
    const res = await api.put(pos, orderBody(10, { mode }));
    expect(res.body).toMatchObject({ mode, qrData: expect.stringMatching(/^000201/) });
    expect((await api.get(pos)).body.qrData).toBe(res.body.qrData);
  });

  it('the same body again answers the same order, no second create; an Idempotency-Key replays', async () => {
    const pos = newTill();
    const body = orderBody(7);
    const first = await api.put(pos, body, 'till-put-1');
    const again = await api.put(pos, body);
    expect(again).toMatchObject({ status: 201, body: { orderId: first.body.orderId } });
    const replay = await api.put(pos, body, 'till-put-1');
    expect(replay).toMatchObject({ status: 201, headers: { 'idempotent-replayed': 'true' } });
    expect(ordersOfTill(h, pos)).toHaveLength(1);
    expect(await api.put(pos, orderBody(8), 'till-put-1')).toMatchObject({
      status: 422,
      body: { code: 'IDEMPOTENCY_KEY_REUSED' },
    });
  });

  it('another body cancels the open order first (Order Cancelled), then creates one with a new key', async () => {
    const pos = newTill();
    const first = await api.put(pos, orderBody(7));
    const second = await api.put(pos, orderBody(9));
    expect(second.body.orderId).not.toBe(first.body.orderId);
    expect(h.sandbox.getOrder(first.body.orderId)?.status).toBe('canceled');
    expect(ordersOfTill(h, pos).map((r) => r.idempotencyKey)).toEqual([
      tillOrderKey(pos, 1),
      tillOrderKey(pos, 2),
    ]);
    expect(h.events().map((e) => [e['detail-type'], (e.detail as { orderId?: string }).orderId])).toEqual([
      ['Order Cancelled', first.body.orderId],
    ]);
    expect((await api.get(pos)).body).toMatchObject({ orderId: second.body.orderId, status: 'open' });
  });

  it('a paid order is left as it is (QR Order Paid), and the same body then answers it paid', async () => {
    const pos = newTill();
    const body = orderBody(7);
    const first = await api.put(pos, body);
    h.sandbox.payOrder(first.body.orderId);
    expect((await api.put(pos, body)).body).toMatchObject({ orderId: first.body.orderId, status: 'paid' });
    expect(h.events().map((e) => e['detail-type'])).toEqual(['QR Order Paid']);
    expect(h.events()[0]?.detail).toMatchObject({
      orderId: first.body.orderId,
      merchantOrderId: first.body.orderId,
      externalPosId: pos,
      externalReference: body.externalReference,
      status: 'paid',
      totalAmount: 7,
      paidAmount: 7,
    });
    const next = await api.put(pos, orderBody(3));
    expect(next.status).toBe(201);
    expect(cancelCalls(first.body.orderId)).toEqual([]);
    expect(h.sandbox.getOrder(first.body.orderId)?.status).toBe('processed');
  });

  it("an unknown outcome of the open order's cancellation stops the PUT: 503, nothing created; a retry completes it", async () => {
    const pos = newTill();
    const first = await api.put(pos, orderBody(7));
    await h.sandbox.status(500, {
      method: 'POST',
      path: `/v1/orders/${first.body.orderId}/cancel$`,
      times: 3,
    });
    const body = orderBody(9);
    const stopped = await api.put(pos, body);
    expect(stopped).toMatchObject({ status: 503, body: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(ordersOfTill(h, pos)).toHaveLength(1);
    expect((await api.get(pos)).body).toMatchObject({ orderId: first.body.orderId, status: 'open' });
    const retried = await api.put(pos, body);
    expect(retried.status).toBe(201);
    expect(new Set(cancelCalls(first.body.orderId).map((c) => c.idempotencyKey)).size).toBe(1);
    expect(h.sandbox.getOrder(first.body.orderId)?.status).toBe('canceled');
  });

  it('an unknown create outcome: 503, GET says so; the same PUT completes that order with its key', async () => {
    const pos = newTill();
    await h.sandbox.loseAnswer({ method: 'POST', path: '^/v1/orders$', times: 3 });
    const body = orderBody(11);
    expect(await api.put(pos, body)).toMatchObject({ status: 503, body: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(await api.get(pos)).toMatchObject({ status: 503 });
    const retried = await api.put(pos, body);
    expect(retried).toMatchObject({
      status: 201,
      body: { status: 'open', externalReference: body.externalReference },
    });
    const keys = ordersOfTill(h, pos).map((r) => r.idempotencyKey);
    expect(new Set(keys)).toEqual(new Set([tillOrderKey(pos, 1)]));
    expect(h.sandbox.getOrder(retried.body.orderId)).toBeDefined();
    // Mercado Pago made one order for that key, whatever the number of tries.
    expect(keys.length).toBeGreaterThan(1);
    expect(await ordersWithReference(h, body.externalReference)).toHaveLength(1);
  });

  it('another body after an unknown create: the first is completed with its key and cancelled, then the new one', async () => {
    const pos = newTill();
    await h.sandbox.loseAnswer({ method: 'POST', path: '^/v1/orders$', times: 3 });
    const lost = orderBody(11);
    expect((await api.put(pos, lost)).status).toBe(503);
    const next = await api.put(pos, orderBody(4));
    expect(next.status).toBe(201);
    expect(ordersOfTill(h, pos).map((r) => r.idempotencyKey)).toEqual([
      tillOrderKey(pos, 1),
      tillOrderKey(pos, 1),
      tillOrderKey(pos, 1),
      tillOrderKey(pos, 1),
      tillOrderKey(pos, 2),
    ]);
    const lostOrder = h.events().find((e) => e['detail-type'] === 'Order Cancelled');
    expect(lostOrder).toBeDefined();
  });

  it('a create refused (502) or never received (503) leaves the till without an order', async () => {
    const pos = newTill();
    await h.sandbox.status(400, {
      method: 'POST',
      path: '^/v1/orders$',
      body: { errors: [{ code: 'invalid_items', message: 'no', details: [] }] },
    });
    expect(await api.put(pos, orderBody(5))).toMatchObject({ status: 502, body: { code: 'UPSTREAM_ERROR' } });
    expect(await api.get(pos)).toMatchObject({ status: 404, body: { code: 'QR_ORDER_NOT_FOUND' } });
    await h.sandbox.status(429, { method: 'POST', path: '^/v1/orders$', times: 3 });
    const unavailable = await api.put(pos, orderBody(5));
    expect(unavailable).toMatchObject({ status: 503, body: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(unavailable.headers['retry-after']).toBeTruthy();
    expect(await api.get(pos)).toMatchObject({ status: 404 });
  });

  it('checks the body as instore does, plus Orders’ 150-character description', async () => {
    const pos = newTill();
    expect(await api.put(pos, { ...orderBody(5), totalAmount: 6 })).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'totalAmount' }] },
    });
    expect(await api.put(pos, orderBody(5, { description: 'x'.repeat(151) }))).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'description' }] },
    });
    expect(await api.put(pos, orderBody(5, { mode: 'offline' }))).toMatchObject({ status: 400 });
    const long = await api.put(pos, orderBody(5, { title: 'y'.repeat(200) }));
    expect(long.status).toBe(201);
    expect(ordersOfTill(h, pos)[0]?.body).toMatchObject({ description: 'y'.repeat(150) });
    expect(ordersOfTill(h, pos)).toHaveLength(1);
  });
});

describe('DELETE /pos/{externalPosId}/order with QR_API=orders', () => {
  it('cancels the open order: 204, then none (404); a till without orders is 404', async () => {
    const pos = newTill();
    const put = await api.put(pos, orderBody(6));
    expect((await api.remove(pos)).status).toBe(204);
    expect(h.sandbox.getOrder(put.body.orderId)?.status).toBe('canceled');
    expect(await api.get(pos)).toMatchObject({ status: 404, body: { code: 'QR_ORDER_NOT_FOUND' } });
    expect(await api.remove(pos)).toMatchObject({ status: 404, body: { code: 'QR_ORDER_NOT_FOUND' } });
    expect(await api.remove(newTill())).toMatchObject({ status: 404 });
  });

  it('a paid order: 409 QR_ORDER_ALREADY_PAID (refund it instead); an expired one: 404', async () => {
    const pos = newTill();
    const paid = await api.put(pos, orderBody(6));
    h.sandbox.payOrder(paid.body.orderId);
    expect(await api.remove(pos)).toMatchObject({
      status: 409,
      body: {
        code: 'QR_ORDER_ALREADY_PAID',
        detail: expect.stringContaining(`/orders/${paid.body.orderId}/refunds`),
      },
    });
    const other = newTill();
    const expired = await api.put(other, orderBody(6));
    h.sandbox.expireOrder(expired.body.orderId);
    expect((await api.get(other)).body).toMatchObject({ status: 'expired' });
    expect(await api.remove(other)).toMatchObject({ status: 404 });
    expect(cancelCalls(expired.body.orderId)).toEqual([]);
  });

  it('paid meanwhile (Mercado Pago refuses the cancel): 409; an unknown cancellation: 503, then done on retry', async () => {
    const pos = newTill();
    const put = await api.put(pos, orderBody(6));
    const cancelPath = `/v1/orders/${put.body.orderId}/cancel$`;
    // The buyer pays after the order was read open, before Mercado Pago processes the cancellation.
    await h.sandbox.latency(300, { method: 'POST', path: cancelPath });
    const removing = api.remove(pos);
    await eventually(
      () => h.sandbox.requests({ method: 'POST', path: cancelPath }).length > 0,
      'the cancel call',
    );
    h.sandbox.payOrder(put.body.orderId);
    expect(await removing).toMatchObject({ status: 409, body: { code: 'QR_ORDER_ALREADY_PAID' } });
    expect(await api.remove(pos)).toMatchObject({ status: 409, body: { code: 'QR_ORDER_ALREADY_PAID' } });
    const other = newTill();
    const open = await api.put(other, orderBody(6));
    await h.sandbox.status(502, {
      method: 'POST',
      path: `/v1/orders/${open.body.orderId}/cancel$`,
      times: 3,
    });
    expect(await api.remove(other)).toMatchObject({ status: 503 });
    expect((await api.remove(other)).status).toBe(204);
  });
});

describe('what Mercado Pago contradicts', () => {
  it('a cancellation refused while the order still reads open: 502, and the order stays on the till', async () => {
    const pos = newTill();
    const put = await api.put(pos, orderBody(6));
    await h.sandbox.status(409, {
      method: 'POST',
      path: `/v1/orders/${put.body.orderId}/cancel$`,
      body: { errors: [{ code: 'invalid_order_status', message: 'no', details: [] }] },
    });
    expect(await api.remove(pos)).toMatchObject({ status: 502, body: { code: 'UPSTREAM_ERROR' } });
    expect((await api.get(pos)).body).toMatchObject({ status: 'open', orderId: put.body.orderId });
    expect((await api.remove(pos)).status).toBe(204);
  });

  it('a create answered with another order is no evidence: 503, and the same PUT completes its own', async () => {
    const pos = newTill();
    const other = await api.put(newTill(), orderBody(3));
    const otherBody = h.sandbox.getOrder(other.body.orderId);
    await h.sandbox.status(201, { method: 'POST', path: '^/v1/orders$', body: otherBody });
    const body = orderBody(4);
    expect(await api.put(pos, body)).toMatchObject({ status: 503 });
    expect((await api.put(pos, body)).body).toMatchObject({
      externalReference: body.externalReference,
      status: 'open',
    });
  });
});

describe('reconciliation of till orders', () => {
  it('an open till order paid while its webhooks were lost: re-read, QR Order Paid once, then no more checks', async () => {
    const pos = newTill();
    const put = await api.put(pos, orderBody(6));
    h.sandbox.payOrder(put.body.orderId);
    const at = Date.now() + 130_000;
    const report = await runReconcile(reconcileWith(h, at), { log: quietLogger, deadline: at + 20_000 });
    expect(report).toMatchObject({ failed: 0 });
    const paid = h.events().filter((e) => (e.detail as { orderId?: string }).orderId === put.body.orderId);
    expect(paid.map((e) => e['detail-type'])).toEqual(['QR Order Paid']);
    // Closed: no more pending work, out of the due-work index.
    expect((await h.ledgers.get(put.body.orderId))?.schedule).toBeUndefined();
  });

  it('an open till order still open: re-read, nothing written but its next check', async () => {
    const pos = newTill();
    const put = await api.put(pos, orderBody(6));
    const before = await h.ledgers.get(put.body.orderId);
    const at = Date.now() + 130_000;
    await runReconcile(reconcileWith(h, at), { log: quietLogger, deadline: at + 20_000 });
    const after = await h.ledgers.get(put.body.orderId);
    expect(after?.status).toBe('created');
    expect(after?.history).toEqual(before?.history);
    expect(after?.schedule?.checks).toBe(1);
  });
});
