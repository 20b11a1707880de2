/**
 * Chargebacks (API.md "Chargebacks", refund checks): signed `topic_chargebacks_wh` webhooks (`actions[]`,
 * 18-digit ids as bare JSON numbers) and `chargebacks` IPN hints re-read the case and its payment and record
 * it on the ledger, creating it when this service had none; events, the refunds view, the refusals without a
 * call, and the documentation deadline reported by the hourly job.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { movableClock, opsApi } from '../ops/support.ts';
import { refundApi } from '../refunds/support.ts';
import { approvedPayment, type Rig, startRig } from '../webhook/rig.ts';
import { DAY_MS, reportsKit } from './support.ts';

let rig: Rig;
let api: ReturnType<typeof refundApi>;

beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => rig.close());
beforeEach(async () => {
  await rig.reset();
  rig.h.sandbox.configure({ chargebackForm: 'documented', chargebackNotifications: 'webhook' });
  api = refundApi(rig.h);
});

const refundPosts = () => rig.h.sandbox.requests({ method: 'POST', path: /\/refunds$/ });
const types = () => rig.events().map((e) => e['detail-type']);

/** Opens a case with the sandbox's own notifications on, and waits until they were delivered. */
const openCase = async (
  paymentId: string,
  input: Parameters<Rig['h']['sandbox']['openChargeback']>[1] = {},
) => {
  rig.h.sandbox.notificationsEnabled = true;
  const id = rig.h.sandbox.openChargeback(paymentId, input);
  await rig.h.sandbox.notificationsIdle();
  rig.h.sandbox.notificationsEnabled = false;
  return id;
};

describe('chargeback notifications', () => {
  it('a signed webhook (actions[], an 18-digit case id as a number) records the case on a ledger it creates', async () => {
    const paymentId = approvedPayment(rig, 120);
    const caseId = await openCase(paymentId, { amount: 120 });
    expect(caseId).toMatch(/^\d{18}$/);
    const deliveries = rig.h.sandbox.notifications().filter((n) => n.kind === 'chargeback');
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries.every((n) => n.status === 200)).toBe(true);
    expect(deliveries[0]?.body).toContain(`"id":${caseId},`);
    expect(deliveries[0]?.body).toContain('"actions":["changed_case_status"]');

    const ledger = await rig.h.ledgers.get(paymentId);
    expect(ledger).toMatchObject({ status: 'charged_back', statusDetail: 'in_process' });
    expect(ledger?.chargebacks).toEqual([
      expect.objectContaining({
        id: caseId,
        kind: 'chargeback',
        status: 'open',
        amountMinor: 12000,
        documentationStatus: 'pending',
      }),
    ]);
    // A ledger created by the case itself starts charged back: no status change to publish.
    expect(types()).toEqual(['Chargeback Opened']);
    const opened = rig.events().find((e) => e['detail-type'] === 'Chargeback Opened');
    expect(opened?.detail).toMatchObject({
      paymentId,
      chargeback: { id: caseId, status: 'open', amount: 120, currency: 'BRL' },
    });

    // The refunds view shows it.
    const view = await api.list(paymentId);
    expect(view.body.chargebacks).toEqual([
      expect.objectContaining({
        id: caseId,
        kind: 'chargeback',
        amount: 120,
        status: 'open',
        documentationStatus: 'pending',
      }),
    ]);
    expect(view.body.chargebacks[0].documentationDeadline).toMatch(/Z$/);
  });

  it('records the outcome once: won (coverage applied), with Chargeback Resolved; a duplicate changes nothing', async () => {
    const paymentId = approvedPayment(rig, 50);
    const caseId = await openCase(paymentId);
    rig.h.clearEvents();
    rig.h.sandbox.resolveChargeback(caseId, 'won');
    const [first] = await rig.h.sandbox.sendNotification({
      kind: 'chargeback',
      chargebackId: caseId,
      duplicate: 1,
    });
    expect(first?.status).toBe(200);
    const ledger = await rig.h.ledgers.get(paymentId);
    expect(ledger?.chargebacks?.[0]).toMatchObject({
      id: caseId,
      status: 'won',
      documentationStatus: 'valid',
    });
    const resolved = rig.events().filter((e) => e['detail-type'] === 'Chargeback Resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]?.detail).toMatchObject({ outcome: 'won', chargeback: { status: 'won' } });

    // A later delivery of the same news writes nothing.
    const before = ledger?.version;
    await rig.h.sandbox.sendNotification({ kind: 'chargeback', chargebackId: caseId });
    expect((await rig.h.ledgers.get(paymentId))?.version).toBe(before);
  });

  it('an IPN `chargebacks` hint re-reads the case (the SDK form: status new, then lost)', async () => {
    rig.h.sandbox.configure({ chargebackForm: 'sdk', chargebackNotifications: 'ipn' });
    const paymentId = approvedPayment(rig, 80);
    const caseId = rig.h.sandbox.openChargeback(paymentId);
    const [delivery] = await rig.h.sandbox.sendNotification({ kind: 'chargeback_ipn', chargebackId: caseId });
    expect(delivery?.status).toBe(200);
    expect((await rig.h.ledgers.get(paymentId))?.chargebacks?.[0]).toMatchObject({
      id: caseId,
      status: 'open',
    });
    expect(
      rig.h.sandbox.requests({ method: 'GET', path: new RegExp(`/v1/chargebacks/${caseId}$`) }),
    ).toHaveLength(1);

    rig.h.sandbox.resolveChargeback(caseId, 'lost');
    rig.clock.advance(11_000);
    // The hint limiter keeps the real clock: a second IPN within 10 s is not re-read; a signed webhook is.
    await rig.h.sandbox.sendNotification({ kind: 'chargeback', chargebackId: caseId });
    expect((await rig.h.ledgers.get(paymentId))?.chargebacks?.[0]).toMatchObject({ status: 'lost' });
    expect(types()).toContain('Chargeback Resolved');
  });

  it('a forged chargeback webhook is 401 and reads nothing', async () => {
    const paymentId = approvedPayment(rig, 80);
    const caseId = rig.h.sandbox.openChargeback(paymentId);
    rig.h.sandbox.clearRequests();
    const response = await fetch(`${rig.webhookUrl}?data.id=${caseId}&type=topic_chargebacks_wh`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': 'r-1',
        'x-signature': `ts=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`,
      },
      body: `{"actions":["changed_case_status"],"data":{"id":${caseId}},"type":"topic_chargebacks_wh"}`,
    });
    expect(response.status).toBe(401);
    expect(rig.h.sandbox.requests()).toEqual([]);
    expect(await rig.h.ledgers.get(paymentId)).toBeUndefined();
  });

  it('a report-ready notice is acknowledged, never trusted (no file is fetched from its URL)', async () => {
    const response = await fetch(rig.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        transaction_id: '123',
        files: [{ type: '.csv', url: 'http://127.0.0.1:1/evil.csv', name: 'evil.csv' }],
        report_type: 'settlement',
      }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ignored' });
    expect(rig.h.sandbox.requests()).toEqual([]);
  });
});

describe('refunds of a charged-back or disputed payment', () => {
  it('refuses a charged-back payment with 409 PAYMENT_CHARGED_BACK without calling the refund', async () => {
    const paymentId = approvedPayment(rig, 100);
    await openCase(paymentId);
    const answer = await api.refund(paymentId, { amount: 10 });
    expect(answer).toMatchObject({ status: 409, body: { code: 'PAYMENT_CHARGED_BACK' } });
    expect(refundPosts()).toEqual([]);
    // Also once won (charged_back/reimbursed): the status decides, any detail.
    const caseId = (await rig.h.ledgers.get(paymentId))?.chargebacks?.[0]?.id ?? '';
    rig.h.sandbox.resolveChargeback(caseId, 'won');
    expect(await api.refund(paymentId, {})).toMatchObject({
      status: 409,
      body: { code: 'PAYMENT_CHARGED_BACK' },
    });
    expect(refundPosts()).toEqual([]);
  });

  it('refuses while the ledger records an open chargeback, even if the payment still reads approved', async () => {
    const paymentId = approvedPayment(rig, 100);
    const caseId = await openCase(paymentId);
    // Mercado Pago's payment read lags behind the case (or disagrees): the recorded case still refuses.
    rig.h.sandbox.setPaymentStatus(paymentId, 'approved', 'accredited');
    const answer = await api.refund(paymentId, { amount: 10 });
    expect(answer).toMatchObject({ status: 409, body: { code: 'PAYMENT_CHARGED_BACK' } });
    expect(answer.body.detail).toContain('charged back');
    expect(refundPosts()).toEqual([]);
    expect(caseId).toBeTruthy();
  });

  it('refuses a payment in mediation with 409 PAYMENT_IN_MEDIATION without calling', async () => {
    const paymentId = approvedPayment(rig, 100);
    rig.h.sandbox.setPaymentStatus(paymentId, 'in_mediation');
    expect(await api.refund(paymentId, { amount: 10 })).toMatchObject({
      status: 409,
      body: { code: 'PAYMENT_IN_MEDIATION' },
    });
    expect(refundPosts()).toEqual([]);
  });
});

describe('documentation deadlines', () => {
  it('the hourly job reports an open case due within CHARGEBACK_WARNING_DAYS: attention item, metric, once per case', async () => {
    const soon = approvedPayment(rig, 100);
    const later = approvedPayment(rig, 100);
    const dueSoon = await openCase(soon, { deadline: Date.now() + 2 * DAY_MS });
    await openCase(later, { deadline: Date.now() + 9 * DAY_MS });
    const kit = reportsKit(rig);
    rig.h.sandbox.holdReports();

    const first = await kit.scheduled();
    expect(first.chargebacksDueSoon).toBe(1);
    expect(rig.metricCount('ChargebackDeadlineNear')).toBe(1);
    const ledger = await rig.h.ledgers.get(soon);
    expect(ledger?.attention).toEqual([
      expect.objectContaining({ kind: 'chargeback_deadline', key: `chargeback_deadline:${dueSoon}` }),
    ]);
    // A person finds it with GET /ops/attention (`npm run ops -- attention`), with what to do.
    const ops = opsApi(rig.h, movableClock());
    const listed = (await ops.attention()).body.items as { kind: string; paymentId?: string }[];
    expect(listed.filter((item) => item.paymentId === soon)).toEqual([
      expect.objectContaining({
        kind: 'chargeback_deadline',
        paymentId: soon,
        detail: expect.stringContaining(dueSoon),
        suggestedAction: expect.stringContaining("Mercado Pago's panel"),
      }),
    ]);
    expect(listed.filter((item) => item.paymentId === later)).toEqual([]);
    const version = ledger?.version;
    await kit.scheduled();
    // Reported again (metric, log) while it is due, but listed once.
    expect(rig.metricCount('ChargebackDeadlineNear')).toBe(2);
    expect((await rig.h.ledgers.get(soon))?.version).toBe(version);
    expect((await rig.h.ledgers.get(later))?.attention).toEqual([]);

    // Decided: no longer listed nor reported.
    rig.h.sandbox.resolveChargeback(dueSoon, 'lost');
    await rig.h.sandbox.sendNotification({ kind: 'chargeback', chargebackId: dueSoon });
    expect((await rig.h.ledgers.get(soon))?.attention).toEqual([]);
    expect((await kit.scheduled()).chargebacksDueSoon).toBe(0);
    const after = (await ops.attention()).body.items as { paymentId?: string }[];
    expect(after.filter((item) => item.paymentId === soon)).toEqual([]);
  });
});
