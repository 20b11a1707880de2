import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../local/sandbox/index.ts';
import { call, manualClock } from './helpers.ts';

const DAY = 86_400_000;
const clock = manualClock();
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ now: clock.now });
});
afterAll(async () => {
  await sandbox.close();
});

describe('auth and errors', () => {
  it('answers 401 with an error body without the right bearer token', async () => {
    for (const token of [null, 'APP_USR-someone-else']) {
      const res = await call(sandbox, 'GET', '/v1/payments/20000000002', { token });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ status: 401, error: expect.any(String), message: expect.any(String) });
      expect(Array.isArray(res.body.cause)).toBe(true);
    }
  });

  it('answers 404 cause 2000 for an unknown payment, with an x-request-id', async () => {
    const res = await call(sandbox, 'GET', '/v1/payments/99999999999');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ status: 404, message: 'Payment not found' });
    expect(res.body.cause[0]).toMatchObject({ code: 2000, description: 'Payment not found' });
    expect(res.body.cause[0].data).toMatch(/^\d{2}-\d{2}-\d{4}T\d{2}:\d{2}:\d{2}UTC;[0-9a-f-]{36}$/);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("hides another seller's payment behind 404 code 2000", async () => {
    const id = sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 10, collectorId: '555' });
    const res = await call(sandbox, 'GET', `/v1/payments/${id}`);
    expect(res.status).toBe(404);
    expect(res.body.cause[0].code).toBe(2000);
    expect((await call(sandbox, 'GET', `/v1/payments/${id}/refunds`)).status).toBe(404);
  });

  it('answers 404 for unknown routes and 405 for a wrong method', async () => {
    expect((await call(sandbox, 'GET', '/v1/unknown')).status).toBe(404);
    expect((await call(sandbox, 'DELETE', '/v1/payments/20000000002')).status).toBe(405);
  });
});

describe('payment resource', () => {
  it('has the Mercado Pago shape for an approved card payment', async () => {
    const res = await call(sandbox, 'GET', '/v1/payments/20000000002');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: 20000000002,
      status: 'approved',
      status_detail: 'accredited',
      currency_id: 'BRL',
      transaction_amount: 250,
      transaction_amount_refunded: 0,
      collector_id: 123456789,
      pos_id: null,
      store_id: null,
      order: {},
      point_of_interaction: {},
      refunds: [],
      money_release_date: expect.any(String),
    });
    for (const field of ['date_created', 'date_approved', 'date_last_updated']) {
      expect(res.body[field]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}-04:00$/);
    }
    expect(Date.parse(res.body.date_approved)).toBe(clock.now() - 2 * DAY);
    expect(res.body.date_of_expiration).toBeNull();
  });

  it('keeps date_approved null unless approved, and pending payments carry date_of_expiration', async () => {
    const pending = (await call(sandbox, 'GET', '/v1/payments/20000000011')).body;
    expect(pending).toMatchObject({
      status: 'pending',
      status_detail: 'pending_waiting_payment',
      date_approved: null,
    });
    expect(pending.money_release_date).toBe('');
    expect(Date.parse(pending.date_of_expiration)).toBe(Date.parse(pending.date_created) + 30 * DAY);
    const rejected = (await call(sandbox, 'GET', '/v1/payments/20000000014')).body;
    expect(rejected.date_approved).toBeNull();
  });

  it('marks QR payments by point_of_interaction INSTORE, pos_id, store_id and links the merchant order', async () => {
    const qr = (await call(sandbox, 'GET', '/v1/payments/20000000019')).body;
    expect(qr.point_of_interaction).toMatchObject({ type: 'INSTORE', business_info: { sub_unit: 'qr' } });
    expect(qr.pos_id).toEqual(expect.any(String));
    expect(qr.store_id).toEqual(expect.any(String));
    expect(qr.order).toMatchObject({ type: 'mercadopago', id: expect.stringMatching(/^\d+$/) });
    const order = await call(sandbox, 'GET', `/merchant_orders/${qr.order.id}`);
    expect(order.status).toBe(200);
    expect(order.body).toMatchObject({
      status: 'closed',
      order_status: 'paid',
      total_amount: 45.9,
      paid_amount: 45.9,
    });
    expect(order.body.payments[0]).toMatchObject({ id: 20000000019, status: 'approved' });
  });

  it('marks Point payments only by business_info.sub_unit', async () => {
    const point = (await call(sandbox, 'GET', '/v1/payments/20000000020')).body;
    expect(point.point_of_interaction.business_info.sub_unit).toBe('point');
    expect(point.point_of_interaction.type).not.toBe('INSTORE');
    expect(point.pos_id).toBeNull();
  });

  it('reads an unpaid pending payment as cancelled/expired once 30 days have passed', async () => {
    const id = sandbox.createPayment({ status: 'pending', siteId: 'MLA', amount: 100 });
    expect((await call(sandbox, 'GET', `/v1/payments/${id}`)).body.status).toBe('pending');
    clock.advance(30 * DAY + 1);
    const after = (await call(sandbox, 'GET', `/v1/payments/${id}`)).body;
    expect(after).toMatchObject({ status: 'cancelled', status_detail: 'expired' });
    expect((await call(sandbox, 'GET', '/v1/payments/20000000021')).body).toMatchObject({
      status: 'cancelled',
      status_detail: 'expired',
    });
  });
});

describe('demo data', () => {
  it('seeds an approved payment per site, whole amounts for CLP and COP, with stable ids', async () => {
    const fresh = await startSandbox();
    try {
      const demo = fresh.demoPayments();
      const bySite = new Map(demo.filter((p) => p.status === 'approved').map((p) => [p.siteId, p]));
      expect([...bySite.keys()].sort()).toEqual(['MCO', 'MLA', 'MLB', 'MLC', 'MLM', 'MLU', 'MPE']);
      expect(Number.isInteger(bySite.get('MLC')!.amount)).toBe(true);
      expect(Number.isInteger(bySite.get('MCO')!.amount)).toBe(true);
      const statuses = new Set(demo.filter((p) => p.siteId === 'MLB').map((p) => p.status));
      for (const status of [
        'pending',
        'in_process',
        'authorized',
        'rejected',
        'cancelled',
        'refunded',
        'approved',
      ]) {
        expect(statuses).toContain(status);
      }
      expect(demo.every((p) => p.description.length > 0)).toBe(true);
      // Same ids on every start (README curl lines), and created payments look like Mercado Pago's.
      expect(sandbox.demoPayments().map((p) => p.id)).toEqual(demo.map((p) => p.id));
      expect(fresh.createPayment({ status: 'approved', currency: 'BRL', amount: 1 })).toMatch(/^\d{11}$/);
    } finally {
      await fresh.close();
    }
  });

  it('seeds a partially refunded payment whose refunds[] shows the dashboard refund', async () => {
    const res = (await call(sandbox, 'GET', '/v1/payments/20000000018')).body;
    expect(res).toMatchObject({
      status: 'approved',
      status_detail: 'partially_refunded',
      transaction_amount_refunded: 30,
    });
    expect(res.refunds).toHaveLength(1);
    expect(res.refunds[0]).toMatchObject({ amount: 30, status: 'approved', payment_id: 20000000018 });
  });

  it('starts without demo data when asked', async () => {
    const empty = await startSandbox({ seedDemoData: false });
    try {
      expect(empty.demoPayments()).toEqual([]);
      expect((await call(empty, 'GET', '/v1/payments/20000000002')).status).toBe(404);
    } finally {
      await empty.close();
    }
  });
});
