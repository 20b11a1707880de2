/**
 * The QR integration cases Mercado Pago asks integrators to pass, each with QR_API=orders against the
 * sandbox, its signed `order` webhooks delivered over HTTP to the webhook Lambda (as `npm start` does), and
 * dynalite: the buyer scans before the order exists, pays (approved), is rejected then approved without the
 * order being deleted, is refunded, pays cash (the order is cancelled), lets the order expire, and pays a
 * hybrid order with one code (the other is then disabled). README "QR orders through the Orders API"
 * tells the same story with curl lines.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SandboxControlError } from '../../local/sandbox/index.ts';
import { orderApi, refundsAtMercadoPago } from '../orders/support.ts';
import { type Rig, startRig } from '../webhook/rig.ts';
import { orderBody, tillApi } from './till-support.ts';

let rig: Rig;
let tills: ReturnType<typeof tillApi>;
let orders: ReturnType<typeof orderApi>;
let count = 0;
const newTill = () => `CAJA_V${++count}`;

beforeAll(async () => {
  rig = await startRig({ sandbox: { orderRefundDelayMs: null } });
  tills = tillApi(rig.h);
  orders = orderApi(rig.h);
});
afterAll(async () => rig?.close());
beforeEach(async () => {
  await rig.reset();
  rig.h.sandbox.configure({ orderRefundDelayMs: null });
  rig.h.sandbox.notificationsEnabled = true;
});

/** Waits for the sandbox's webhooks of what just happened to be delivered (and answered). */
const delivered = async () => {
  await rig.h.sandbox.notificationsIdle();
  const failed = rig.h.sandbox.notifications().filter((n) => n.status !== 200);
  expect(failed).toEqual([]);
};

const eventsOf = (orderId: string) =>
  rig.events().filter((e) => (e.detail as { orderId?: string }).orderId === orderId);

describe("Mercado Pago's QR validation cases, through the Orders API", () => {
  it('1. the buyer scans before the order exists: nothing to pay; once put, the same scan pays it', async () => {
    const pos = newTill();
    expect(() => rig.h.sandbox.payTillQr(pos)).toThrow(SandboxControlError);
    const put = await tills.put(pos, orderBody(25));
    expect(put.body.status).toBe('open');
    rig.h.sandbox.payTillQr(pos);
    await delivered();
    expect((await tills.get(pos)).body).toMatchObject({ orderId: put.body.orderId, status: 'paid' });
    expect(eventsOf(put.body.orderId).map((e) => e['detail-type'])).toEqual(['QR Order Paid']);
  });

  it('2. approved payment (dynamic QR): order.processed marks it paid, QR Order Paid once', async () => {
    const pos = newTill();
    const put = await tills.put(pos, orderBody(40, { mode: 'dynamic' }));
    expect(put.body.qrData).toMatch(/^000201/);
    rig.h.sandbox.payOrder(put.body.orderId);
    await delivered();
    expect((await tills.get(pos)).body.status).toBe('paid');
    expect(eventsOf(put.body.orderId)).toMatchObject([
      { 'detail-type': 'QR Order Paid', detail: { status: 'paid', paidAmount: 40, externalPosId: pos } },
    ]);
  });

  it('3. rejected, then approved without deleting the order: the same order stays open, then is paid', async () => {
    const pos = newTill();
    const put = await tills.put(pos, orderBody(15));
    rig.h.sandbox.rejectOrderPayment(put.body.orderId, 'cc_rejected_insufficient_amount');
    await delivered();
    expect((await tills.get(pos)).body).toMatchObject({ orderId: put.body.orderId, status: 'open' });
    expect(eventsOf(put.body.orderId)).toEqual([]);
    rig.h.sandbox.payTillQr(pos);
    await delivered();
    expect((await tills.get(pos)).body).toMatchObject({ orderId: put.body.orderId, status: 'paid' });
  });

  it('4. refund: processing (202), then processed by Mercado Pago, settled by its webhook', async () => {
    const pos = newTill();
    const put = await tills.put(pos, orderBody(30));
    rig.h.sandbox.payTillQr(pos);
    await delivered();
    const refund = await orders.refund(put.body.orderId, {}, 'validation-refund-1');
    expect(refund).toMatchObject({
      status: 202,
      body: { orderId: put.body.orderId, amount: 30, status: 'pending' },
    });
    for (const r of refundsAtMercadoPago(rig.h, put.body.orderId))
      rig.h.sandbox.settleOrderRefund(r.id, 'processed');
    await delivered();
    expect((await orders.get(put.body.orderId, refund.body.id)).body.status).toBe('succeeded');
    expect((await orders.refund(put.body.orderId, {}, 'validation-refund-1')).status).toBe(201);
    expect(eventsOf(put.body.orderId).map((e) => e['detail-type'])).toEqual([
      'QR Order Paid',
      'Payment Status Changed',
      'Refund Succeeded',
    ]);
    // Money was received: the till still shows it paid.
    expect((await tills.get(pos)).body.status).toBe('paid');
  });

  it('5. the buyer pays cash: the order is deleted (cancelled), Order Cancelled, and nothing is left to scan', async () => {
    const pos = newTill();
    const put = await tills.put(pos, orderBody(12));
    expect((await tills.remove(pos)).status).toBe(204);
    await delivered();
    expect(rig.h.sandbox.getOrder(put.body.orderId)?.status).toBe('canceled');
    expect(await tills.get(pos)).toMatchObject({ status: 404, body: { code: 'QR_ORDER_NOT_FOUND' } });
    expect(() => rig.h.sandbox.payTillQr(pos)).toThrow(SandboxControlError);
    expect(eventsOf(put.body.orderId).map((e) => e['detail-type'])).toEqual(['Order Cancelled']);
  });

  it('6. expiry: order.expired marks it expired (QR Order Expired); it can no longer be paid or deleted', async () => {
    const pos = newTill();
    const put = await tills.put(pos, orderBody(9, { ttlSeconds: 30 }));
    rig.h.sandbox.expireOrder(put.body.orderId);
    await delivered();
    expect((await tills.get(pos)).body).toMatchObject({ status: 'expired' });
    expect(eventsOf(put.body.orderId)).toMatchObject([
      { 'detail-type': 'QR Order Expired', detail: { status: 'expired', paidAmount: 0 } },
    ]);
    expect(() => rig.h.sandbox.payOrder(put.body.orderId)).toThrow();
    expect((await tills.remove(pos)).status).toBe(404);
  });

  it('7. hybrid: paid with the till’s static QR, its own code is disabled (and the other way round)', async () => {
    const pos = newTill();
    const put = await tills.put(pos, orderBody(18, { mode: 'hybrid' }));
    expect(put.body.qrData).toMatch(/^000201/);
    rig.h.sandbox.payTillQr(pos);
    expect(() => rig.h.sandbox.payOrder(put.body.orderId, { via: 'dynamic' })).toThrow();
    await delivered();
    expect((await tills.get(pos)).body.status).toBe('paid');

    const other = newTill();
    const second = await tills.put(other, orderBody(18, { mode: 'hybrid' }));
    rig.h.sandbox.payOrder(second.body.orderId, { via: 'dynamic' });
    expect(() => rig.h.sandbox.payTillQr(other)).toThrow(SandboxControlError);
    await delivered();
    expect((await tills.get(other)).body.status).toBe('paid');
    expect(eventsOf(second.body.orderId).map((e) => e['detail-type'])).toEqual(['QR Order Paid']);
  });
});

describe('an order whose create answer was lost', () => {
  it('is adopted by its till when its webhook arrives: paid is known (QR Order Paid), GET shows it', async () => {
    const pos = newTill();
    await rig.h.sandbox.loseAnswer({ method: 'POST', path: '^/v1/orders$', times: 3 });
    const body = orderBody(21);
    expect((await tills.put(pos, body)).status).toBe(503);
    rig.h.sandbox.payTillQr(pos);
    await delivered();
    const seen = await tills.get(pos);
    expect(seen.body).toMatchObject({ status: 'paid', externalReference: body.externalReference });
    expect(eventsOf(seen.body.orderId).map((e) => e['detail-type'])).toEqual(['QR Order Paid']);
    // The same PUT now answers it, without creating another.
    expect((await tills.put(pos, body)).body).toMatchObject({ orderId: seen.body.orderId, status: 'paid' });
  });
});
