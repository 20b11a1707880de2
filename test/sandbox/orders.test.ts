import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { crc16 } from '../../local/sandbox/emv-qr.ts';
import { type Sandbox, startSandbox } from '../../local/sandbox/index.ts';
import { call, manualClock } from './helpers.ts';

const clock = manualClock();
let sandbox: Sandbox;
let keyCounter = 0;
const newKey = () => `order-key-${++keyCounter}`;
const DAY = 86_400_000;

const qrOrder = (overrides: Record<string, unknown> = {}) => ({
  type: 'qr',
  external_reference: 'ext-ref_1',
  total_amount: '50.00',
  description: 'Two coffees',
  config: { qr: { external_pos_id: 'POS1', mode: 'static' } },
  transactions: { payments: [{ amount: '50.00' }] },
  items: [{ title: 'Coffee', unit_price: '25.00', quantity: 2, unit_measure: 'unit' }],
  ...overrides,
});

const create = (body: unknown, key: string | null = newKey()) =>
  call(sandbox, 'POST', '/v1/orders', { body, headers: key === null ? {} : { 'x-idempotency-key': key } });
const cancel = (id: string, key = newKey()) =>
  call(sandbox, 'POST', `/v1/orders/${id}/cancel`, { headers: { 'x-idempotency-key': key } });
const get = (id: string) => call(sandbox, 'GET', `/v1/orders/${id}`);

beforeAll(async () => {
  sandbox = await startSandbox({ now: clock.now, seedDemoData: false });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.configure({ siteId: 'MLB', orderCanceledSpelling: 'canceled' });
});

describe('POST /v1/orders', () => {
  it('creates a static QR order: 201 with the full order, ids ORD/PAY + 26, amounts as strings', async () => {
    const res = await create(qrOrder());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^ORD[0-9A-Z]{26}$/),
      type: 'qr',
      processing_mode: 'automatic',
      external_reference: 'ext-ref_1',
      description: 'Two coffees',
      total_amount: '50.00',
      expiration_time: 'PT15M',
      country_code: 'BRA',
      user_id: '123456789',
      status: 'created',
      status_detail: 'created',
      currency: 'BRL',
      created_date: new Date(clock.now()).toISOString(),
      last_updated_date: new Date(clock.now()).toISOString(),
      integration_data: { application_id: expect.any(String) },
      config: { qr: { external_pos_id: 'POS1', mode: 'static' } },
      items: [{ title: 'Coffee', unit_price: '25.00', quantity: 2, unit_measure: 'unit' }],
    });
    expect(res.body.transactions.payments).toEqual([
      {
        id: expect.stringMatching(/^PAY[0-9A-Z]{26}$/),
        amount: '50.00',
        status: 'created',
        status_detail: 'ready_to_process',
      },
    ]);
    expect(res.body.type_response).toBeUndefined();
    expect((await get(res.body.id)).body).toEqual(res.body);
  });

  it('answers type_response.qr_data (EMVCo) for dynamic and hybrid orders; reads numbers; country per site', async () => {
    const dynamic = await create(
      qrOrder({
        total_amount: 12,
        transactions: { payments: [{ amount: 12 }] },
        config: { qr: { external_pos_id: 'POS2', mode: 'dynamic' } },
      }),
    );
    expect(dynamic.status).toBe(201);
    expect(dynamic.body.total_amount).toBe('12.00');
    expect(dynamic.body.type_response.qr_data).toMatch(/^000201010212.*6304[0-9A-F]{4}$/);
    expect(dynamic.body.type_response.qr_data).toContain('5303986');
    // CRC-16/CCITT-FALSE over everything up to and including "6304" (check value of "123456789": 29B1).
    expect(crc16('123456789')).toBe('29B1');
    const qrData = dynamic.body.type_response.qr_data as string;
    expect(crc16(qrData.slice(0, -4))).toBe(qrData.slice(-4));
    sandbox.configure({ siteId: 'MLA' });
    const hybrid = await create(qrOrder({ config: { qr: { external_pos_id: 'POS3', mode: 'hybrid' } } }));
    expect(hybrid.body).toMatchObject({
      country_code: 'ARG',
      currency: 'ARS',
      config: { qr: { mode: 'hybrid' } },
    });
    expect(hybrid.body.type_response.qr_data).toContain('5802AR');
    for (const [site, country] of [
      ['MLM', 'MEX'],
      ['MLC', 'CHL'],
      ['MCO', 'COL'],
      ['MPE', 'PER'],
      ['MLU', 'URY'],
    ] as const) {
      sandbox.configure({ siteId: site });
      const whole = qrOrder({
        total_amount: '100',
        transactions: { payments: [{ amount: '100' }] },
        items: [],
      });
      expect((await create(whole)).body.country_code).toBe(country);
    }
  });

  it('refuses bad bodies with 400 in the Orders error shape', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ type: 'online' }, 'invalid_type'],
      [{ external_reference: 'has space' }, 'invalid_external_reference'],
      [{ external_reference: 'x'.repeat(65) }, 'invalid_external_reference'],
      [{ description: 'd'.repeat(151) }, 'invalid_description'],
      [{ config: { qr: { mode: 'static' } } }, 'invalid_external_pos_id'],
      [{ config: { qr: { external_pos_id: 'POS1', mode: 'attended' } } }, 'invalid_mode'],
      [{ transactions: { payments: [] } }, 'invalid_transactions'],
      [{ transactions: { payments: [{ amount: '1.00' }, { amount: '49.00' }] } }, 'invalid_transactions'],
      [{ transactions: { payments: [{ amount: '50.5' }] } }, 'invalid_amount'],
      [{ transactions: { payments: [{ amount: '-50.00' }] } }, 'invalid_amount'],
      [{ total_amount: '49.00' }, 'invalid_total_amount'],
      [{ expiration_time: 'PT29S' }, 'invalid_expiration_time'],
      [{ expiration_time: 'PT3601H' }, 'invalid_expiration_time'],
      [{ expiration_time: '15 minutes' }, 'invalid_expiration_time'],
      [{ items: [{ title: 'Tea', unit_price: '1.5', quantity: 1 }] }, 'invalid_items'],
    ];
    for (const [overrides, code] of cases) {
      const res = await create(qrOrder(overrides));
      expect({ code: res.body.errors?.[0]?.code, status: res.status }).toEqual({ code, status: 400 });
      expect(res.body.errors[0].message).toEqual(expect.any(String));
    }
    expect((await create(qrOrder({ expiration_time: 'PT30S' }))).status).toBe(201);
    expect((await create(qrOrder({ expiration_time: 'PT3600H' }))).status).toBe(201);
    expect((await create(qrOrder({ expiration_time: 'P1DT2H' }))).status).toBe(201);
  });

  it('requires X-Idempotency-Key (400 empty_required_header) and creates nothing without it', async () => {
    const before = (
      await call(sandbox, 'GET', '/v1/orders?begin_date=2000-01-01T00:00:00Z&end_date=2100-01-01T00:00:00Z')
    ).body.paging.total;
    const res = await create(qrOrder(), null);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].code).toBe('empty_required_header');
    const after = (
      await call(sandbox, 'GET', '/v1/orders?begin_date=2000-01-01T00:00:00Z&end_date=2100-01-01T00:00:00Z')
    ).body.paging.total;
    expect(after).toBe(before);
  });

  it('same key and body: the order first created; another body: 409 idempotency_key_already_used', async () => {
    const key = newKey();
    const first = await create(qrOrder({ external_reference: 'idem-1' }), key);
    const again = await create({ ...qrOrder({ external_reference: 'idem-1' }) }, key);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    const other = await create(qrOrder({ external_reference: 'idem-2' }), key);
    expect(other.status).toBe(409);
    expect(other.body.errors[0].code).toBe('idempotency_key_already_used');
    // Keys are per endpoint: the create key may cancel the order it made.
    expect((await cancel(first.body.id, key)).status).toBe(200);
    // 24 hours later the key is free again.
    clock.advance(DAY + 1);
    const later = await create(qrOrder({ external_reference: 'idem-2' }), key);
    expect(later.status).toBe(201);
    expect(later.body.id).not.toBe(first.body.id);
  });

  it('does not enforce one open order per till', async () => {
    const a = await create(qrOrder({ config: { qr: { external_pos_id: 'SHARED' } } }));
    const b = await create(qrOrder({ config: { qr: { external_pos_id: 'SHARED' } } }));
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect((await get(a.body.id)).body.status).toBe('created');
    expect(a.body.config.qr.mode).toBe('static');
  });
});

describe('GET /v1/orders/{id} and search', () => {
  it('answers 404 order_not_found for unknown ids, 400 invalid_path_param for malformed ones', async () => {
    const unknown = await get('ORD01JQ4S4KY8HWQ6NA5PXB65B3D3');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      errors: [{ code: 'order_not_found', message: expect.any(String), details: [] }],
    });
    const bad = await get('12345');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].code).toBe('invalid_path_param');
  });

  it('stops serving an order three months after its creation (the clock moves)', async () => {
    const { body } = await create(qrOrder());
    clock.advance(89 * DAY);
    expect((await get(body.id)).status).toBe(200);
    clock.advance(3 * DAY);
    expect((await get(body.id)).status).toBe(404);
    expect(sandbox.getOrder(body.id)).toMatchObject({ id: body.id });
  });

  it('searches by dates and filters, with paging', async () => {
    const from = new Date(clock.now()).toISOString();
    const one = await create(qrOrder({ external_reference: 'search-me' }));
    await create(qrOrder({ external_reference: 'search-me' }));
    await create(qrOrder({ external_reference: 'not-me' }));
    const to = new Date(clock.now() + 1000).toISOString();
    const res = await call(
      sandbox,
      'GET',
      `/v1/orders?begin_date=${from}&end_date=${to}&external_reference=search-me&limit=1`,
    );
    expect(res.status).toBe(200);
    expect(res.body.paging).toMatchObject({ total: 2, limit: 1, offset: 0 });
    expect(res.body.data).toHaveLength(1);
    sandbox.payOrder(one.body.id);
    const paid = await call(
      sandbox,
      'GET',
      `/v1/orders?begin_date=${from}&end_date=${to}&status=processed&page=1&page_size=5`,
    );
    expect(paid.body.data.map((o: { id: string }) => o.id)).toEqual([one.body.id]);
    expect((await call(sandbox, 'GET', '/v1/orders')).body.errors[0].code).toBe('invalid_query_param');
  });
});

describe('POST /v1/orders/{id}/cancel', () => {
  it('cancels a created order: canceled, transaction canceled/canceled_by_api; then 409 invalid_order_status', async () => {
    const { body } = await create(qrOrder());
    const res = await cancel(body.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: body.id, status: 'canceled', status_detail: 'canceled' });
    expect(res.body.transactions.payments[0]).toMatchObject({
      status: 'canceled',
      status_detail: 'canceled_by_api',
    });
    const again = await cancel(body.id);
    expect(again.status).toBe(409);
    expect(again.body.errors[0].code).toBe('invalid_order_status');
    expect((await cancel(body.id, '')).body.errors[0].code).toBe('empty_required_header');
  });

  it('refuses to cancel a paid order, allows action_required; spells cancelled when set', async () => {
    const paid = (await create(qrOrder())).body;
    sandbox.payOrder(paid.id);
    expect((await cancel(paid.id)).status).toBe(409);
    const waiting = (await create(qrOrder())).body;
    sandbox.forceOrderStatus(waiting.id, 'action_required');
    sandbox.configure({ orderCanceledSpelling: 'cancelled' });
    const res = await cancel(waiting.id);
    expect(res.body).toMatchObject({ status: 'cancelled', status_detail: 'cancelled' });
    expect(res.body.transactions.payments[0].status_detail).toBe('cancelled_transaction');
  });
});

describe('paying, rejecting, expiring', () => {
  it('pays an order: processed/accredited, and a numeric payment referencing it in /v1/payments', async () => {
    const { body } = await create(qrOrder({ external_reference: 'paid-1' }));
    const { paymentId } = sandbox.payOrder(body.id);
    const order = (await get(body.id)).body;
    expect(order).toMatchObject({ status: 'processed', status_detail: 'accredited' });
    expect(order.transactions.payments[0]).toMatchObject({
      status: 'processed',
      status_detail: 'accredited',
      reference_id: paymentId,
    });
    const payment = (await call(sandbox, 'GET', `/v1/payments/${paymentId}`)).body;
    expect(payment).toMatchObject({
      status: 'approved',
      transaction_amount: 50,
      external_reference: 'paid-1',
      pos_id: 'POS1',
      references: [{ type: 'ORDER_MP', id: body.id }],
      point_of_interaction: { type: 'INSTORE' },
    });
  });

  it('rejects a payment attempt without closing the order, then the buyer pays', async () => {
    const { body } = await create(qrOrder());
    const rejected = sandbox.rejectOrderPayment(body.id, 'cc_rejected_insufficient_amount');
    const open = (await get(body.id)).body;
    expect(open.status).toBe('created');
    expect(open.transactions.payments[0].attempts).toEqual([
      { id: rejected.paymentId, status: 'rejected', status_detail: 'cc_rejected_insufficient_amount' },
    ]);
    expect((await call(sandbox, 'GET', `/v1/payments/${rejected.paymentId}`)).body.status).toBe('rejected');
    const paid = sandbox.payOrder(body.id);
    expect(paid.paymentId).not.toBe(rejected.paymentId);
    expect((await get(body.id)).body.status).toBe('processed');
  });

  it('hybrid: payable on the till static QR or its own code; paying one disables the other', async () => {
    const hybrid = (await create(qrOrder({ config: { qr: { external_pos_id: 'HYB1', mode: 'hybrid' } } })))
      .body;
    sandbox.payTillQr('HYB1');
    expect(sandbox.getOrder(hybrid.id)).toMatchObject({ status: 'processed' });
    expect(() => sandbox.payOrder(hybrid.id, { via: 'dynamic' })).toThrow(/processed/);
    expect(() => sandbox.payTillQr('HYB1')).toThrow(/no open/);

    const dynamic = (await create(qrOrder({ config: { qr: { external_pos_id: 'DYN1', mode: 'dynamic' } } })))
      .body;
    expect(() => sandbox.payTillQr('DYN1')).toThrow(/no open static or hybrid/);
    expect(() => sandbox.payOrder(dynamic.id, { via: 'static' })).toThrow(/dynamic/);
    const staticOrder = (await create(qrOrder({ config: { qr: { external_pos_id: 'STA1' } } }))).body;
    expect(() => sandbox.payOrder(staticOrder.id, { via: 'dynamic' })).toThrow(/static/);
  });

  it('expires an unpaid order at the end of expiration_time (sandbox clock)', async () => {
    const { body } = await create(qrOrder({ expiration_time: 'PT1M' }));
    clock.advance(59_000);
    expect((await get(body.id)).body.status).toBe('created');
    clock.advance(1000);
    const expired = (await get(body.id)).body;
    expect(expired).toMatchObject({ status: 'expired', status_detail: 'expired' });
    expect(expired.transactions.payments[0]).toMatchObject({ status: 'expired', status_detail: 'expired' });
    expect(() => sandbox.payOrder(body.id)).toThrow(/expired/);
  });

  it('POST /v1/orders/{id}/events forces a status (test credentials)', async () => {
    const { body } = await create(qrOrder());
    const res = await call(sandbox, 'POST', `/v1/orders/${body.id}/events`, { body: { status: 'failed' } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('failed');
    const bad = await call(sandbox, 'POST', `/v1/orders/${body.id}/events`, { body: { status: 'paid' } });
    expect(bad.body.errors[0].code).toBe('invalid_status');
    const paid = (await create(qrOrder())).body;
    await call(sandbox, 'POST', `/v1/orders/${paid.id}/events`, { body: { status: 'processed' } });
    const refunded = await call(sandbox, 'POST', `/v1/orders/${paid.id}/events`, {
      body: { status: 'refunded' },
    });
    expect(refunded.body).toMatchObject({ status: 'refunded', status_detail: 'refunded' });
  });

  it('answers 401 in the Orders shape without a valid token, and serves a trailing slash', async () => {
    const res = await call(sandbox, 'GET', '/v1/orders/ORD01JQ4S4KY8HWQ6NA5PXB65B3D3', { token: 'wrong' });
    expect(res.status).toBe(401);
    expect(res.body.errors[0].code).toBe('unauthorized');
    const { body } = await create(qrOrder());
    expect((await call(sandbox, 'GET', `/v1/orders/${body.id}/`)).body.id).toBe(body.id);
  });
});
