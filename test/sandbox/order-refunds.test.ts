import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../local/sandbox/index.ts';
import { call, manualClock } from './helpers.ts';
import { startReceiver } from './receiver.ts';

const clock = manualClock();
let sandbox: Sandbox;
let keyCounter = 0;
const newKey = () => `order-refund-key-${++keyCounter}`;
const DAY = 86_400_000;

const paidOrder = async (amount = '100.00', mode = 'static'): Promise<{ id: string; payId: string }> => {
  const res = await call(sandbox, 'POST', '/v1/orders', {
    headers: { 'x-idempotency-key': newKey() },
    body: {
      type: 'qr',
      external_reference: 'refund-me',
      total_amount: amount,
      config: { qr: { external_pos_id: 'POS1', mode } },
      transactions: { payments: [{ amount }] },
    },
  });
  sandbox.payOrder(res.body.id);
  return { id: res.body.id, payId: res.body.transactions.payments[0].id };
};

const refund = (id: string, body?: unknown, key: string | null = newKey()) =>
  call(sandbox, 'POST', `/v1/orders/${id}/refund`, {
    ...(body === undefined ? {} : { body }),
    headers: key === null ? {} : { 'x-idempotency-key': key },
  });
const get = async (id: string) => (await call(sandbox, 'GET', `/v1/orders/${id}`)).body;

beforeAll(async () => {
  // The refund delay runs on the sandbox clock: tests move it.
  sandbox = await startSandbox({ now: clock.now, seedDemoData: false, orderRefundDelayMs: 1000 });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.configure({
    orderRefundDelayMs: 1000,
    orderPartialRefundsBySite: {},
    orderRefundWindowDays: 330,
    orderRefundWindowDaysBySite: {},
  });
});

describe('POST /v1/orders/{id}/refund', () => {
  it('refunds everything left with no body: 201 processing, then processed and the order refunded', async () => {
    const { id, payId } = await paidOrder('80.00');
    const res = await refund(id);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id,
      status: 'processed',
      status_detail: 'accredited',
      transactions: {
        refunds: [
          {
            id: expect.stringMatching(/^REF[0-9A-Z]{26}$/),
            transaction_id: payId,
            reference_id: expect.stringMatching(/^[0-9A-Z]{26}$/),
            amount: '80.00',
            status: 'processing',
          },
        ],
      },
    });
    expect((await get(id)).transactions.refunds[0].status).toBe('processing');
    clock.advance(1000);
    const after = await get(id);
    expect(after).toMatchObject({ status: 'refunded', status_detail: 'refunded' });
    expect(after.transactions.refunds).toEqual([
      expect.objectContaining({ amount: '80.00', status: 'processed' }),
    ]);
    expect(after.transactions.payments[0]).toMatchObject({ status: 'refunded', status_detail: 'refunded' });
    const again = await refund(id);
    expect(again.status).toBe(409);
    expect(again.body.errors[0].code).toBe('order_already_refunded');
  });

  it('refunds a part of a transaction, then the rest; the order is processed/partially_refunded between', async () => {
    const { id, payId } = await paidOrder('100.00');
    const part = await refund(id, { transactions: [{ id: payId, amount: '30.00' }] });
    expect(part.body.transactions.refunds[0]).toMatchObject({ amount: '30.00', transaction_id: payId });
    clock.advance(1000);
    expect(await get(id)).toMatchObject({ status: 'processed', status_detail: 'partially_refunded' });
    const exceeds = await refund(id, { transactions: [{ id: payId, amount: '70.01' }] });
    expect(exceeds.status).toBe(400);
    expect(exceeds.body.errors[0].code).toBe('refund_amount_exceeds');
    const rest = await refund(id, { transactions: [{ id: payId, amount: 70 }] });
    expect(rest.body.transactions.refunds).toHaveLength(1);
    expect(rest.body.transactions.refunds[0].amount).toBe('70.00');
    clock.advance(1000);
    const done = await get(id);
    expect(done.status).toBe('refunded');
    expect(done.transactions.refunds.map((r: { amount: string }) => r.amount)).toEqual(['30.00', '70.00']);
  });

  it('answers refund_in_progress while a refund is processing, leaving the key free', async () => {
    const { id, payId } = await paidOrder('100.00');
    await refund(id, { transactions: [{ id: payId, amount: '10.00' }] });
    const key = newKey();
    const busy = await refund(id, { transactions: [{ id: payId, amount: '20.00' }] }, key);
    expect(busy.status).toBe(409);
    expect(busy.body.errors[0].code).toBe('refund_in_progress');
    clock.advance(1000);
    const retried = await refund(id, { transactions: [{ id: payId, amount: '20.00' }] }, key);
    expect(retried.status).toBe(201);
  });

  it('replays the same key and body (no second refund); another body with the key is 409', async () => {
    const { id, payId } = await paidOrder('100.00');
    const key = newKey();
    const first = await refund(id, { transactions: [{ id: payId, amount: '10.00' }] }, key);
    const replay = await refund(id, { transactions: [{ id: payId, amount: '10.00' }] }, key);
    expect(replay.status).toBe(201);
    expect(replay.body.transactions.refunds[0].id).toBe(first.body.transactions.refunds[0].id);
    expect((await get(id)).transactions.refunds).toHaveLength(1);
    const other = await refund(id, { transactions: [{ id: payId, amount: '11.00' }] }, key);
    expect(other.status).toBe(409);
    expect(other.body.errors[0].code).toBe('idempotency_key_already_used');
    expect((await refund(id, undefined, null)).body.errors[0].code).toBe('empty_required_header');
  });

  it('refuses by status, transaction, window and partial-refund support', async () => {
    const created = (
      await call(sandbox, 'POST', '/v1/orders', {
        headers: { 'x-idempotency-key': newKey() },
        body: {
          type: 'qr',
          external_reference: 'unpaid',
          config: { qr: { external_pos_id: 'POS1' } },
          transactions: { payments: [{ amount: '5.00' }] },
        },
      })
    ).body;
    const unpaid = await refund(created.id);
    expect([unpaid.status, unpaid.body.errors[0].code]).toEqual([409, 'invalid_order_status']);
    const missing = await refund('ORD01JQ4S4KY8HWQ6NA5PXB65B3D3');
    expect([missing.status, missing.body.errors[0].code]).toEqual([404, 'order_not_found']);

    const { id } = await paidOrder('100.00');
    const wrongTx = await refund(id, {
      transactions: [{ id: 'PAY01JQ4S4KY8HWQ6NA5PXB65B3D3', amount: '1.00' }],
    });
    expect([wrongTx.status, wrongTx.body.errors[0].code]).toEqual([404, 'transaction_not_found']);

    sandbox.configure({ orderPartialRefundsBySite: { MLB: false } });
    const partial = await refund(id, {
      transactions: [{ id: (await get(id)).transactions.payments[0].id, amount: '1.00' }],
    });
    expect([partial.status, partial.body.errors[0].code]).toEqual([400, 'unsupported_partially_refunds']);
    sandbox.configure({ orderPartialRefundsBySite: {} });
    sandbox.configureOrder(id, { partialRefunds: false });
    expect(
      (
        await refund(id, {
          transactions: [{ id: (await get(id)).transactions.payments[0].id, amount: '1.00' }],
        })
      ).status,
    ).toBe(400);

    sandbox.configureOrder(id, { partialRefunds: null, tips: true });
    const part = async () =>
      refund(id, { transactions: [{ id: (await get(id)).transactions.payments[0].id, amount: '1.00' }] });
    const tipped = await part();
    expect([tipped.status, tipped.body.errors[0].code]).toEqual([403, 'partial_refund_forbidden_with_tips']);
    sandbox.configureOrder(id, { tips: false, cashOut: true });
    const cashOut = await part();
    expect([cashOut.status, cashOut.body.errors[0].code]).toEqual([
      400,
      'partial_refund_not_allowed_with_cashout',
    ]);
    sandbox.configureOrder(id, { cashOut: false });

    const old = await paidOrder('10.00');
    sandbox.configure({ orderRefundWindowDaysBySite: { MLB: 90 } });
    clock.advance(90 * DAY + 1);
    const late = await refund(old.id);
    expect([late.status, late.body.errors[0].code]).toEqual([400, 'in_store_payment_refund_order']);
  });

  it('holds refunds processing when the delay is null, until settled (processed or failed)', async () => {
    sandbox.configure({ orderRefundDelayMs: null });
    const { id } = await paidOrder('40.00');
    const res = await refund(id);
    const refundId = res.body.transactions.refunds[0].id as string;
    clock.advance(7 * DAY);
    expect((await get(id)).transactions.refunds[0].status).toBe('processing');
    expect(sandbox.settleOrderRefund(refundId, 'failed')).toMatchObject({ id: refundId, status: 'failed' });
    expect(await get(id)).toMatchObject({ status: 'processed', status_detail: 'accredited' });
    const again = await refund(id);
    const second = again.body.transactions.refunds[0].id as string;
    sandbox.settleOrderRefund(second, 'processed');
    expect((await get(id)).status).toBe('refunded');
    expect(() => sandbox.settleOrderRefund(second, 'failed')).toThrow(/processed/);
  });

  it('settles on its own after the delay with the real clock (sandbox timer, no call needed)', async () => {
    const receiver = await startReceiver();
    const real = await startSandbox({
      seedDemoData: false,
      orderRefundDelayMs: 0,
      notificationUrl: receiver.url,
    });
    try {
      const res = await call(real, 'POST', '/v1/orders', {
        headers: { 'x-idempotency-key': 'real-1' },
        body: {
          type: 'qr',
          external_reference: 'real',
          config: { qr: { external_pos_id: 'POS1' } },
          transactions: { payments: [{ amount: '5.00' }] },
        },
      });
      real.payOrder(res.body.id);
      const refunded = await call(real, 'POST', `/v1/orders/${res.body.id}/refund`, {
        headers: { 'x-idempotency-key': 'real-2' },
      });
      expect(refunded.body.transactions.refunds[0].status).toBe('processing');
      const notice = await receiver.next((r) => JSON.parse(r.body).action === 'order.refunded');
      expect(JSON.parse(notice.body).data).toMatchObject({ id: res.body.id, status: 'refunded' });
      expect(real.getOrder(res.body.id)).toMatchObject({ status: 'refunded' });
    } finally {
      await real.close();
      await receiver.close();
    }
  });

  it('refuses a charged-back order with invalid_order_status', async () => {
    const { id } = await paidOrder('20.00');
    const chargebackId = sandbox.chargeBackOrder(id);
    expect(chargebackId).toMatch(/^\d{18}$/);
    expect(await get(id)).toMatchObject({ status: 'charged_back', status_detail: 'settled' });
    const res = await refund(id);
    expect([res.status, res.body.errors[0].code]).toEqual([409, 'invalid_order_status']);
  });
});
