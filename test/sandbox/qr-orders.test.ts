import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../local/sandbox/index.ts';
import { call, manualClock } from './helpers.ts';

const clock = manualClock();
let sandbox: Sandbox;
const USER = '123456789';
const storePath = (pos: string, user = USER) =>
  `/instore/qr/seller/collectors/${user}/stores/STORE1/pos/${pos}/orders`;
const tillPath = (pos: string, user = USER) => `/instore/qr/seller/collectors/${user}/pos/${pos}/orders`;

const order = (overrides: Record<string, unknown> = {}) => ({
  external_reference: 'order-1234',
  title: 'Compra',
  description: 'Compra en Mercado Pago',
  notification_url: 'http://127.0.0.1:9/webhooks',
  total_amount: 100.5,
  items: [
    {
      sku_number: 'A1',
      title: 'Pasta',
      unit_price: 20.1,
      quantity: 5,
      unit_measure: 'unit',
      total_amount: 100.5,
    },
  ],
  ...overrides,
});

const put = (pos: string, body: unknown, headers: Record<string, string> = {}, path = storePath(pos)) =>
  call(sandbox, 'PUT', path, { body, headers });

beforeAll(async () => {
  sandbox = await startSandbox({ now: clock.now, seedDemoData: false });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.configure({ qrOrderGetForm: 'object' });
});

describe('QR orders on a till', () => {
  it('puts (204), reads (200) and deletes (204) an order; then the till has none (404)', async () => {
    expect((await put('POS1', order())).status).toBe(204);
    const read = await call(sandbox, 'GET', tillPath('POS1'));
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      external_reference: 'order-1234',
      total_amount: 100.5,
      title: 'Compra',
    });
    expect(read.body.items[0]).toMatchObject({ unit_price: 20.1, quantity: 5 });
    expect(Date.parse(read.body.expiration_date)).toBe(clock.now() + 600_000);
    expect((await call(sandbox, 'DELETE', tillPath('POS1'))).status).toBe(204);
    const gone = await call(sandbox, 'GET', tillPath('POS1'));
    expect(gone.status).toBe(404);
    expect(gone.body.error).toBe('point_of_sale_in_store_order_not_found');
    expect((await call(sandbox, 'DELETE', tillPath('POS1'))).status).toBe(404);
  });

  it('accepts the older path without /stores, and replaces the order on the same till', async () => {
    expect((await put('POS2', order(), {}, tillPath('POS2'))).status).toBe(204);
    expect((await put('POS2', order({ external_reference: 'order-2' }))).status).toBe(204);
    expect((await call(sandbox, 'GET', tillPath('POS2'))).body.external_reference).toBe('order-2');
  });

  it('answers the array form when configured: [order], or [] when none', async () => {
    sandbox.configure({ qrOrderGetForm: 'array' });
    await put('POS3', order());
    expect((await call(sandbox, 'GET', tillPath('POS3'))).body).toMatchObject([
      { external_reference: 'order-1234' },
    ]);
    await call(sandbox, 'DELETE', tillPath('POS3'));
    const none = await call(sandbox, 'GET', tillPath('POS3'));
    expect(none.status).toBe(200);
    expect(none.body).toEqual([]);
  });

  it('validates the body: reference, amounts, decimals, items adding up, expiration date, TTL', async () => {
    const item = order().items[0]!;
    const invalid: [string, unknown, Record<string, string>?][] = [
      ['no reference', order({ external_reference: undefined })],
      ['reference too long', order({ external_reference: 'x'.repeat(65) })],
      ['reference charset', order({ external_reference: 'order 1' })],
      ['no total', order({ total_amount: undefined })],
      [
        '3 decimals',
        order({
          total_amount: 1.005,
          items: [{ ...item, unit_price: 1.005, quantity: 1, total_amount: 1.005 }],
        }),
      ],
      ['items do not add up', order({ total_amount: 100 })],
      ['item total not price x quantity', order({ items: [{ ...item, quantity: 4 }] })],
      ['no items', order({ items: [] })],
      ['past expiration', order({ expiration_date: new Date(clock.now() - 1000).toISOString() })],
      ['bad ttl', order(), { 'x-ttl-store-preference': 'soon' }],
    ];
    for (const [name, body, headers] of invalid) {
      const res = await put('POS4', body, headers);
      expect(res.status, name).toBe(400);
      expect(res.body.status, name).toBe(400);
    }
    expect((await call(sandbox, 'GET', tillPath('POS4'))).status).toBe(404);
  });

  it("refuses another collector's user id (PUT 403, GET 404)", async () => {
    expect((await put('POS5', order(), {}, storePath('POS5', '999'))).status).toBe(403);
    await put('POS5', order());
    expect((await call(sandbox, 'GET', tillPath('POS5', '999'))).status).toBe(404);
  });

  it('expires an order after X-Ttl-Store-Preference seconds; its merchant order becomes expired', async () => {
    await put('POS6', order(), { 'x-ttl-store-preference': '300' });
    const { merchantOrderId } = sandbox.qrOrderOf('POS6')!;
    expect(sandbox.getMerchantOrder(merchantOrderId)).toMatchObject({
      status: 'opened',
      order_status: 'payment_required',
    });
    clock.advance(299_000);
    expect((await call(sandbox, 'GET', tillPath('POS6'))).status).toBe(200);
    clock.advance(1_000);
    expect((await call(sandbox, 'GET', tillPath('POS6'))).status).toBe(404);
    const mo = await call(sandbox, 'GET', `/merchant_orders/${merchantOrderId}`);
    expect(mo.body).toMatchObject({ status: 'expired', external_reference: 'order-1234', payments: [] });
    expect(() => sandbox.payQrOrder('POS6')).toThrow(/no order/);
  });

  it('uses the earlier of expiration_date and the TTL', async () => {
    const expiration = new Date(clock.now() + 60_000).toISOString();
    await put('POS7', order({ expiration_date: expiration }), { 'x-ttl-store-preference': '300' });
    expect(Date.parse((await call(sandbox, 'GET', tillPath('POS7'))).body.expiration_date)).toBe(
      clock.now() + 60_000,
    );
    clock.advance(60_000);
    expect((await call(sandbox, 'GET', tillPath('POS7'))).status).toBe(404);
  });

  it('paying the order makes an approved in-person payment, closes the merchant order, frees the till', async () => {
    await put('POS8', order({ external_reference: 'paid-order' }));
    const { paymentId, merchantOrderId } = sandbox.payQrOrder('POS8');
    expect((await call(sandbox, 'GET', tillPath('POS8'))).status).toBe(404);
    const payment = (await call(sandbox, 'GET', `/v1/payments/${paymentId}`)).body;
    expect(payment).toMatchObject({
      status: 'approved',
      status_detail: 'accredited',
      currency_id: 'BRL',
      transaction_amount: 100.5,
      external_reference: 'paid-order',
      point_of_interaction: { type: 'INSTORE' },
      pos_id: 'POS8',
      store_id: 'STORE1',
      order: { type: 'mercadopago', id: merchantOrderId },
    });
    const mo = await call(sandbox, 'GET', `/merchant_orders/${merchantOrderId}`);
    expect(mo.body).toMatchObject({
      id: Number(merchantOrderId),
      status: 'closed',
      order_status: 'paid',
      external_reference: 'paid-order',
      total_amount: 100.5,
      paid_amount: 100.5,
      refunded_amount: 0,
    });
    expect(mo.body.payments).toMatchObject([{ id: Number(paymentId), status: 'approved' }]);
    expect(mo.body.date_created).toMatch(/-00:00$/);
    expect((await call(sandbox, 'GET', '/merchant_orders/1')).status).toBe(404);
    expect(() => sandbox.payQrOrder('POS8')).toThrow(/no order/);
  });
});
