import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../local/sandbox/index.ts';
import { call, manualClock, refund } from './helpers.ts';

const clock = manualClock();
let sandbox: Sandbox;
const DAY = 86_400_000;

beforeAll(async () => {
  sandbox = await startSandbox({ now: clock.now, seedDemoData: false });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.configure({ chargebackForm: 'documented' });
});

describe('chargebacks', () => {
  it('GET /v1/chargebacks/{id}: the documented body; the payment becomes charged_back/in_process', async () => {
    const paymentId = sandbox.createPayment({ status: 'approved', siteId: 'MLA', amount: 1000.5 });
    const id = sandbox.openChargeback(paymentId);
    expect(id).toMatch(/^\d{18}$/);
    const res = await call(sandbox, 'GET', `/v1/chargebacks/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id,
      payments: [Number(paymentId)],
      currency: 'ARS',
      amount: 1000.5,
      reason: 'general',
      coverage_applied: null,
      coverage_elegible: true,
      documentation_required: true,
      documentation_status: 'pending',
      documentation: [],
      date_documentation_deadline: expect.stringMatching(/-04:00$/),
      date_created: expect.stringMatching(/-04:00$/),
      date_last_updated: expect.stringMatching(/-04:00$/),
      live_mode: false,
    });
    expect(Date.parse(res.body.date_documentation_deadline)).toBe(clock.now() + 10 * DAY);
    expect(sandbox.getPayment(paymentId)).toMatchObject({
      status: 'charged_back',
      status_detail: 'in_process',
    });
    // A charged-back payment is not refundable (400 2063).
    expect((await refund(sandbox, paymentId, 'cb-refund', { amount: 1 })).body.cause[0].code).toBe(2063);
  });

  it('resolves won (coverage true, reimbursed) or lost (false, settled); sets the deadline', async () => {
    const won = sandbox.openChargeback(
      sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 50 }),
    );
    const lostPayment = sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 60 });
    const lost = sandbox.openChargeback(lostPayment, { amount: 20, deadline: null });
    expect(sandbox.getChargeback(lost)).toMatchObject({ amount: 20, date_documentation_deadline: null });
    const deadline = '2025-03-05T12:00:00.000Z';
    expect(sandbox.setChargebackDeadline(won, deadline)).toMatchObject({
      date_documentation_deadline: '2025-03-05T08:00:00.000-04:00',
    });
    expect(sandbox.resolveChargeback(won, 'won')).toMatchObject({ coverage_applied: true });
    sandbox.resolveChargeback(lost, 'lost');
    const wonPaymentId = String((await call(sandbox, 'GET', `/v1/chargebacks/${won}`)).body.payments[0]);
    expect(sandbox.getPayment(wonPaymentId)).toMatchObject({
      status: 'charged_back',
      status_detail: 'reimbursed',
    });
    expect(sandbox.getPayment(lostPayment)).toMatchObject({
      status: 'charged_back',
      status_detail: 'settled',
    });
    expect((await call(sandbox, 'GET', `/v1/chargebacks/${lost}`)).body.coverage_applied).toBe(false);
    expect(() => sandbox.resolveChargeback(lost, 'won')).toThrow(/already decided/);
  });

  it("searches by payment_id: {paging, results}; 404 for unknown or other sellers' cases", async () => {
    const paymentId = sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 70 });
    const id = sandbox.openChargeback(paymentId);
    const found = await call(sandbox, 'GET', `/v1/chargebacks/search?payment_id=${paymentId}`);
    expect(found.status).toBe(200);
    expect(found.body.paging).toEqual({ offset: 0, limit: 30, total: 1 });
    expect(found.body.results.map((c: { id: string }) => c.id)).toEqual([id]);
    expect((await call(sandbox, 'GET', '/v1/chargebacks/search?payment_id=1')).body.paging.total).toBe(0);
    expect((await call(sandbox, 'GET', '/v1/chargebacks/234000062890459999')).status).toBe(404);
    const foreign = sandbox.createPayment({
      status: 'approved',
      siteId: 'MLB',
      amount: 5,
      collectorId: '999',
    });
    const foreignCase = sandbox.openChargeback(foreign);
    expect((await call(sandbox, 'GET', `/v1/chargebacks/${foreignCase}`)).status).toBe(404);
  });

  it("answers the SDK mocks' shape when set", async () => {
    sandbox.configure({ chargebackForm: 'sdk' });
    const paymentId = sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 100 });
    const id = sandbox.openChargeback(paymentId);
    expect((await call(sandbox, 'GET', `/v1/chargebacks/${id}`)).body).toMatchObject({
      id,
      payment_id: Number(paymentId),
      status: 'new',
      amount: 100,
      currency_id: 'BRL',
    });
    sandbox.resolveChargeback(id, 'lost');
    expect((await call(sandbox, 'GET', `/v1/chargebacks/${id}`)).body.status).toBe('lost');
  });

  it('refuses to open a case on a payment never approved', () => {
    const pending = sandbox.createPayment({ status: 'pending', siteId: 'MLB', amount: 10 });
    expect(() => sandbox.openChargeback(pending)).toThrow(/cannot be charged back/);
  });

  it('puts a payment in_mediation (a buyer claim), which refuses refunds', async () => {
    const paymentId = sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 10 });
    sandbox.setPaymentStatus(paymentId, 'in_mediation');
    expect(sandbox.getPayment(paymentId)).toMatchObject({ status: 'in_mediation' });
    expect((await refund(sandbox, paymentId, 'mediation-refund', {})).status).toBe(400);
  });
});
