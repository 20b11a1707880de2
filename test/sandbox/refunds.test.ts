import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../local/sandbox/index.ts';
import { eventually } from '../support/wait.ts';
import { call, refund } from './helpers.ts';

let sandbox: Sandbox;
let keyCounter = 0;
const newKey = () => `test-key-${++keyCounter}`;
const approved = (amount: number, extra: Partial<Parameters<Sandbox['createPayment']>[0]> = {}) =>
  sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount, ...extra });

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  await sandbox.resetFaults();
  sandbox.setBalance(null);
});

describe('creating refunds', () => {
  it('requires X-Idempotency-Key (400 code 4292) and creates nothing without it', async () => {
    const id = approved(100);
    const res = await refund(sandbox, id, undefined, { amount: 10 });
    expect(res.status).toBe(400);
    expect(res.body.cause[0].code).toBe(4292);
    expect(sandbox.refundsOf(id)).toEqual([]);
  });

  it('answers 201 with the refund object; a partial refund leaves approved/partially_refunded', async () => {
    const id = approved(100);
    const res = await refund(sandbox, id, newKey(), { amount: 10.5 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.any(Number),
      payment_id: Number(id),
      amount: 10.5,
      status: 'approved',
      refund_mode: 'standard',
      source: { type: 'collector' },
      metadata: expect.any(Object),
      labels: [],
      unique_sequence_number: null,
      adjustment_amount: 0,
    });
    expect(res.body.date_created).toMatch(/-04:00$/);
    const payment = sandbox.getPayment(id)!;
    expect(payment).toMatchObject({ status: 'approved', status_detail: 'partially_refunded' });
    expect(payment.transaction_amount_refunded).toBe(10.5);
    expect(payment.refunds.map((r) => r.id)).toEqual([res.body.id]);
  });

  it('refunds what is left for {} and for an empty body, ending refunded/refunded', async () => {
    const id = approved(100);
    expect((await refund(sandbox, id, newKey(), { amount: 40 })).status).toBe(201);
    const rest = await refund(sandbox, id, newKey(), {});
    expect(rest.body).toMatchObject({ status: 'approved', amount: 60 });
    expect(sandbox.getPayment(id)).toMatchObject({ status: 'refunded', status_detail: 'refunded' });

    const other = approved(20);
    const empty = await call(sandbox, 'POST', `/v1/payments/${other}/refunds`, {
      headers: { 'x-idempotency-key': newKey() },
    });
    expect(empty.status).toBe(201);
    expect(empty.body.amount).toBe(20);
  });

  it('replays the same key with the same body: same refund, no second one', async () => {
    const id = approved(100);
    const key = newKey();
    const first = await refund(sandbox, id, key, { amount: 10 });
    const again = await refund(sandbox, id, key, { amount: 10.0 });
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    expect(sandbox.refundsOf(id)).toHaveLength(1);
  });

  it('answers 409 for the same key with another body, or on another payment', async () => {
    const id = approved(100);
    const key = newKey();
    await refund(sandbox, id, key, { amount: 10 });
    expect((await refund(sandbox, id, key, { amount: 11 })).status).toBe(409);
    expect((await refund(sandbox, approved(100), key, { amount: 10 })).status).toBe(409);
    expect(sandbox.refundsOf(id)).toHaveLength(1);
  });

  it('answers 409 to a replay while the first request with the key is still running', async () => {
    const id = approved(100);
    const key = newKey();
    sandbox.latency(300, { method: 'POST', path: /\/refunds$/ });
    const slow = refund(sandbox, id, key, { amount: 10 });
    await eventually(
      () => sandbox.requests({ method: 'POST' }).some((r) => r.idempotencyKey === key),
      'the first request to arrive',
    );
    const concurrent = await refund(sandbox, id, key, { amount: 10 });
    expect(concurrent.status).toBe(409);
    expect((await slow).status).toBe(201);
    expect(sandbox.refundsOf(id)).toHaveLength(1);
  });

  it('refuses the 21st refund of a payment', async () => {
    const id = approved(100);
    for (let i = 0; i < 20; i++)
      expect((await refund(sandbox, id, newKey(), { amount: 1 })).status).toBe(201);
    const res = await refund(sandbox, id, newKey(), { amount: 1 });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/maximum of 20 refunds/);
    expect((await refund(sandbox, id, newKey(), {})).status).toBe(400);
    expect(sandbox.refundsOf(id)).toHaveLength(20);
  });

  it('refuses an amount above what is left, and more decimals than the currency allows', async () => {
    const id = approved(100);
    await refund(sandbox, id, newKey(), { amount: 90 });
    const above = await refund(sandbox, id, newKey(), { amount: 10.01 });
    expect(above.status).toBe(400);
    expect(above.body.message).toMatch(/greater than the amount available/);
    expect((await refund(sandbox, id, newKey(), { amount: 1.001 })).status).toBe(400);
    const clp = sandbox.createPayment({ status: 'approved', currency: 'CLP', amount: 5000 });
    expect((await refund(sandbox, clp, newKey(), { amount: 10.5 })).status).toBe(400);
    expect((await refund(sandbox, clp, newKey(), { amount: 10 })).status).toBe(201);
    expect((await refund(sandbox, id, newKey(), { amount: 0 })).status).toBe(400);
    expect((await refund(sandbox, id, newKey(), { amount: '5' })).status).toBe(400);
  });

  it('refunds only approved payments (400 code 2063)', async () => {
    for (const paymentId of ['20000000011', '20000000014', '20000000015', '20000000016']) {
      const res = await refund(sandbox, paymentId, newKey(), {});
      expect(res.status).toBe(400);
      expect(res.body.cause[0].code).toBe(2063);
    }
  });

  it('refuses payments outside the refund window with code 2024, counted from date_approved', async () => {
    const res = await refund(sandbox, '20000000017', newKey(), { amount: 1 });
    expect(res.body.cause[0].code).toBe(2024);
    expect(res.status).toBe(404);
    const day = 86_400_000;
    const edge = approved(10, { dateApproved: Date.now() - 179 * day });
    expect((await refund(sandbox, edge, newKey(), { amount: 1 })).status).toBe(201);
    sandbox.configure({ refundWindowDaysBySite: { MLB: 90 } });
    expect((await refund(sandbox, edge, newKey(), { amount: 1 })).body.cause[0].code).toBe(2024);
    sandbox.configure({ refundWindowDaysBySite: {} });
  });

  it('checks the seller balance, in the chosen language, and debits it', async () => {
    const id = approved(100);
    sandbox.setBalance(15, { currency: 'BRL' });
    expect((await refund(sandbox, id, newKey(), { amount: 10 })).status).toBe(201);
    const short = await refund(sandbox, id, newKey(), { amount: 10 });
    expect(short.status).toBe(400);
    expect(short.body.message).toMatch(/insufficient balance/i);
    expect(short.body.cause).toEqual([]);
    sandbox.setBalance(0, { currency: 'BRL', language: 'pt' });
    expect((await refund(sandbox, id, newKey(), { amount: 1 })).body.message).toMatch(/^Saldo insuficiente/);
    sandbox.setBalance(0, { language: 'es' });
    const ars = sandbox.createPayment({ status: 'approved', currency: 'ARS', amount: 10 });
    expect((await refund(sandbox, ars, newKey(), {})).body.message).toMatch(
      /^Saldo insuficiente para realizar la/,
    );
    sandbox.setBalance(null, { language: 'en' });
    expect((await refund(sandbox, ars, newKey(), {})).status).toBe(201);
  });

  it('sums transaction_amount_refunded as floats, as a double-based backend does', async () => {
    const id = approved(1);
    await refund(sandbox, id, newKey(), { amount: 0.1 });
    await refund(sandbox, id, newKey(), { amount: 0.2 });
    expect(sandbox.getPayment(id)!.transaction_amount_refunded).toBe(0.1 + 0.2);
  });
});

describe('in_process and rejected refunds', () => {
  it('answers 400 for an in_process refund unless X-Render-In-Process-Refunds: true is sent', async () => {
    const id = approved(50, { paymentMethodId: 'pix' });
    sandbox.refundStatus('in_process');
    const refused = await refund(sandbox, id, newKey(), { amount: 20 });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/X-Render-In-Process-Refunds/);
    expect(sandbox.refundsOf(id)).toEqual([]);

    const res = await refund(
      sandbox,
      id,
      newKey(),
      { amount: 20 },
      { 'x-render-in-process-refunds': 'true' },
    );
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('in_process');
    expect(sandbox.getPayment(id)).toMatchObject({ status: 'approved', transaction_amount_refunded: 0 });
    // Held: only 30 is left to refund while it is in process.
    expect((await refund(sandbox, id, newKey(), { amount: 31 })).status).toBe(400);

    sandbox.settleRefund(String(res.body.id), 'approved');
    expect(sandbox.getPayment(id)).toMatchObject({
      status_detail: 'partially_refunded',
      transaction_amount_refunded: 20,
    });
    const read = await call(sandbox, 'GET', `/v1/payments/${id}/refunds/${res.body.id}`);
    expect(read.body.status).toBe('approved');
  });

  it('creates a rejected refund that refunds nothing', async () => {
    const id = approved(50);
    sandbox.refundStatus('rejected');
    const res = await refund(sandbox, id, newKey(), {});
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('rejected');
    expect(sandbox.getPayment(id)).toMatchObject({ status: 'approved', status_detail: 'accredited' });
    expect((await refund(sandbox, id, newKey(), {})).body).toMatchObject({ status: 'approved', amount: 50 });
  });

  it('gives the amount back when an in_process refund is rejected', async () => {
    const id = approved(50);
    sandbox.refundStatus('in_process');
    const res = await refund(sandbox, id, newKey(), {}, { 'x-render-in-process-refunds': 'true' });
    sandbox.settleRefund(String(res.body.id), 'rejected');
    expect((await refund(sandbox, id, newKey(), {})).body).toMatchObject({ status: 'approved', amount: 50 });
  });
});

describe('reading refunds', () => {
  it('lists refunds (dashboard ones included) and reads one; unknown refund is 404', async () => {
    const id = approved(100);
    const ours = await refund(sandbox, id, newKey(), { amount: 10 });
    const outside = sandbox.dashboardRefund(id, 5);
    const list = await call(sandbox, 'GET', `/v1/payments/${id}/refunds`);
    expect(list.status).toBe(200);
    expect(list.body.map((r: { id: number }) => r.id)).toEqual([ours.body.id, outside.id]);
    expect((await call(sandbox, 'GET', `/v1/payments/${id}/refunds/${outside.id}`)).body.amount).toBe(5);
    expect((await call(sandbox, 'GET', `/v1/payments/${id}/refunds/1`)).status).toBe(404);
    expect((await call(sandbox, 'GET', `/v1/payments/20000000002/refunds/${outside.id}`)).status).toBe(404);
  });

  it('applies the same rules to dashboard refunds', () => {
    const id = approved(10);
    sandbox.dashboardRefund(id);
    expect(sandbox.getPayment(id)!.status).toBe('refunded');
    expect(() => sandbox.dashboardRefund(id, 1)).toThrow(/not valid for the current payment state/);
  });
});
