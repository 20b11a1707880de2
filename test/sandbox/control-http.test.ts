import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../local/sandbox/index.ts';
import { eventually } from '../support/wait.ts';
import { call, fetchFailure, refund } from './helpers.ts';

let sandbox: Sandbox;
const control = (method: string, path: string, body?: unknown) =>
  call(sandbox, method, `/__sandbox${path}`, { body, token: null });

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describe('/__sandbox controls over HTTP', () => {
  it('lists the controls and the demo payments', async () => {
    const index = await control('GET', '');
    expect(index.status).toBe(200);
    expect(index.body.length).toBeGreaterThan(10);
    const demo = await control('GET', '/demo');
    expect(demo.body.map((p: { id: string }) => p.id)).toContain('20000000002');
  });

  it('creates a payment, refunds it outside the project and settles an in_process refund', async () => {
    const created = await control('POST', '/payments', { status: 'approved', siteId: 'MLM', amount: 20 });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await control('POST', `/payments/${id}/dashboard-refund`, { amount: 5 })).body.amount).toBe(5);
    expect((await control('POST', '/faults', { kind: 'refundStatus', status: 'in_process' })).status).toBe(
      201,
    );
    const pending = await refund(sandbox, id, 'http-1', {}, { 'x-render-in-process-refunds': 'true' });
    expect(pending.body).toMatchObject({ status: 'in_process', amount: 15 });
    const settled = await control('POST', `/refunds/${pending.body.id}/settle`, { status: 'approved' });
    expect(settled.body.status).toBe('approved');
    expect((await control('GET', `/payments/${id}`)).body).toMatchObject({ status: 'refunded' });
  });

  it('refuses misspelt fields and answers Mercado Pago refusals as they are', async () => {
    const typo = await control('POST', '/payments', { status: 'approved', siteId: 'MLB', ammount: 20 });
    expect(typo.status).toBe(400);
    expect(typo.body.error).toMatch(/ammount|amount/);
    const refused = await control('POST', '/payments/20000000016/dashboard-refund', {});
    expect(refused.status).toBe(400);
    expect(refused.body.cause[0].code).toBe(2063);
    expect((await control('GET', '/nothing')).status).toBe(404);
  });

  it('arms faults, balance and settings over HTTP', async () => {
    await control('POST', '/faults', {
      kind: 'status',
      status: 503,
      method: 'get',
      path: '^/v1/payments/20000000001$',
    });
    expect((await call(sandbox, 'GET', '/v1/payments/20000000002')).status).toBe(200);
    expect((await control('GET', '/faults')).body).toEqual([
      { kind: 'status', method: 'GET', path: '^/v1/payments/20000000001$', remaining: 1 },
    ]);
    expect((await call(sandbox, 'GET', '/v1/payments/20000000001')).status).toBe(503);
    expect((await control('PUT', '/balance', { amount: 0, currency: 'ARS' })).status).toBe(204);
    expect((await refund(sandbox, '20000000001', 'http-2', { amount: 1 })).body.message).toMatch(
      /insufficient/i,
    );
    await control('PUT', '/balance', { amount: null });
    expect((await control('PUT', '/settings', { refundWindowDays: 365 })).status).toBe(204);
    expect((await refund(sandbox, '20000000017', 'http-3', { amount: 1 })).status).toBe(201);
    const logged = await control('GET', '/requests?method=POST');
    expect(logged.body.every((r: { method: string }) => r.method === 'POST')).toBe(true);
    expect((await control('DELETE', '/faults')).status).toBe(204);
  });

  it('refuses connections for forMs, the controls included, then accepts again', async () => {
    const armed = await control('POST', '/faults/refuse', { forMs: 1_000 });
    expect(armed.status).toBe(202);
    expect((await fetchFailure(call(sandbox, 'GET', '/v1/payments/20000000002'))).code).toBe('ECONNREFUSED');
    await eventually(
      () =>
        call(sandbox, 'GET', '/v1/payments/20000000002').then(
          (res) => res.status === 200,
          () => false,
        ),
      'the sandbox to accept connections again',
    );
    expect((await control('POST', '/faults/refuse', {})).status).toBe(400);
  });

  it('drives Orders, chargebacks and reports over HTTP', async () => {
    const created = await call(sandbox, 'POST', '/v1/orders', {
      headers: { 'x-idempotency-key': 'http-order-1' },
      body: {
        type: 'qr',
        external_reference: 'http-order',
        config: { qr: { external_pos_id: 'HTTPPOS', mode: 'hybrid' } },
        transactions: { payments: [{ amount: '12.00' }] },
      },
    });
    const orderId = created.body.id as string;
    expect(
      (await control('POST', `/orders/${orderId}/reject`, { statusDetail: 'cc_rejected_other_reason' }))
        .status,
    ).toBe(201);
    const paid = await control('POST', '/tills/HTTPPOS/pay');
    expect(paid.status).toBe(201);
    expect(paid.body).toEqual({ orderId, paymentId: expect.stringMatching(/^\d+$/) });
    expect((await control('GET', `/orders/${orderId}`)).body.status).toBe('processed');
    expect((await control('POST', `/orders/${orderId}/pay`, {})).status).toBe(409);
    await control('PUT', '/settings', { orderRefundDelayMs: null });
    const refunded = await call(sandbox, 'POST', `/v1/orders/${orderId}/refund`, {
      headers: { 'x-idempotency-key': 'http-order-refund' },
    });
    const refundId = refunded.body.transactions.refunds[0].id as string;
    const settled = await control('POST', `/order-refunds/${refundId}/settle`, { status: 'processed' });
    expect(settled.body).toMatchObject({ id: refundId, status: 'processed' });
    expect((await control('GET', `/orders/${orderId}`)).body.status).toBe('refunded');

    const opened = await control('POST', `/payments/${paid.body.paymentId}/chargebacks`, { amount: 5 });
    expect(opened.status).toBe(201);
    const chargebackId = opened.body.id as string;
    expect(
      (await control('PUT', `/chargebacks/${chargebackId}/deadline`, { deadline: null })).body,
    ).toMatchObject({
      date_documentation_deadline: null,
    });
    expect(
      (await control('POST', `/chargebacks/${chargebackId}/resolve`, { outcome: 'won' })).body,
    ).toMatchObject({
      coverage_applied: true,
    });
    expect((await control('POST', `/chargebacks/${chargebackId}/resolve`, { outcome: 'lost' })).status).toBe(
      400,
    );

    expect((await control('PUT', '/reports/config', { config: { separator: ',' } })).body.separator).toBe(
      ',',
    );
    expect((await control('POST', '/reports/hold')).status).toBe(204);
    await call(sandbox, 'POST', '/v1/account/settlement_report', {
      body: { begin_date: '2025-01-01T00:00:00Z', end_date: '2025-01-02T00:00:00Z' },
    });
    expect((await control('GET', '/reports')).body.at(-1)).toMatchObject({ fileName: null });
    expect((await control('PUT', '/reports/adjustments', { extraRows: [{ SOURCE_ID: '1' }] })).status).toBe(
      204,
    );
    expect((await control('POST', '/reports/release')).status).toBe(204);
    const [report] = (await control('GET', '/reports')).body.slice(-1);
    expect(report.csv).toMatch(/\n,1,/);
    expect((await control('PUT', '/reports/adjustments', { dropp: [] })).status).toBe(400);
    expect(
      (await control('PUT', '/settings', { orderRefundDelayMs: 500, chargebackForm: 'other' })).status,
    ).toBe(400);
  });
});
