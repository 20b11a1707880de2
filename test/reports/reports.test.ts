/**
 * The reports job against the sandbox's settlement reports and dynalite (API.md, "Reports"): a day with
 * matched refunds, a refund made only in the panel, a succeeded refund missing from the report (a discrepancy
 * only after REPORT_GRACE_DAYS), a pending refund settled by a report row, amounts that differ, chargeback and
 * dispute rows, a rerun changing nothing, a report that never arrives, an existing configuration left
 * untouched; and the routes that show it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addDays } from '../../functions/model/reports/days.ts';
import { refundApi } from '../refunds/support.ts';
import { apiEvent, lambdaContext } from '../support/events.ts';
import { approvedPayment, type Rig, startRig } from '../webhook/rig.ts';
import { DAY_MS, reportsKit } from './support.ts';

let rig: Rig;
let kit: ReturnType<typeof reportsKit>;
let api: ReturnType<typeof refundApi>;

// A sandbox and a table per test: a report shows every movement of its day, so tests must not share them.
beforeEach(async () => {
  rig = await startRig({ sandbox: { reportDelayMs: 0 } });
  kit = reportsKit(rig);
  api = refundApi(rig.h);
});
afterEach(async () => rig.close());

const reportRequests = () => rig.h.sandbox.requests({ path: /^\/v1\/account\/settlement_report/ });
const eventTypes = () => rig.events().map((e) => e['detail-type']);
const ledgerOf = async (paymentId: string) => {
  const ledger = await rig.h.ledgers.get(paymentId);
  if (!ledger) throw new Error(`no ledger for ${paymentId}`);
  return ledger;
};

describe('a day reconciled', () => {
  it('matches our refunds (a partial one by its id, a full one by payment and amount) and completes the day', async () => {
    const partial = approvedPayment(rig, 100);
    const full = approvedPayment(rig, 40);
    const a = await api.refund(partial, { amount: 30 });
    const b = await api.refund(full);
    expect([a.status, b.status]).toEqual([201, 201]);
    const today = kit.today();

    const report = await kit.run([today]);
    expect(report.days).toEqual([
      {
        date: today,
        status: 'completed',
        counts: { rows: 4, matched: 2, recordedExternal: 0, discrepancies: 0 },
      },
    ]);
    // The configuration was created (none existed), with refund detail and the columns it reads.
    const posts = rig.h.sandbox.requests({ method: 'POST', path: /config$/ });
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toMatchObject({ refund_detailed: true, show_chargeback_cancel: true });

    const shown = await kit.reconciliation(today);
    expect(shown).toMatchObject({
      status: 200,
      body: {
        date: today,
        status: 'completed',
        counts: { rows: 4, matched: 2, recordedExternal: 0, discrepancies: 0 },
        discrepancies: [],
      },
    });
    expect(shown.body.reportFile).toMatch(/settlement-report-.*\.csv$/);
    expect(eventTypes()).toContain('Reconciliation Completed');

    const listed = await kit.refunds(`from=${today}&to=${today}`);
    expect(listed.status).toBe(200);
    expect(
      listed.body.refunds.map((r: { id: string; reconciliation: string }) => [r.id, r.reconciliation]),
    ).toEqual([
      [a.body.id, 'matched'],
      [b.body.id, 'matched'],
    ]);
  });

  it('records a refund made only in the panel as made elsewhere: unknown_refund, counted recordedExternal', async () => {
    const paymentId = approvedPayment(rig, 100);
    await api.refund(paymentId, { amount: 10 });
    const panel = rig.h.sandbox.dashboardRefund(paymentId, 25);
    const today = kit.today();

    const report = await kit.run([today]);
    expect(report.days[0]?.counts).toEqual({ rows: 3, matched: 1, recordedExternal: 1, discrepancies: 1 });
    const ledger = await ledgerOf(paymentId);
    const external = ledger.refunds.find((r) => r.mercadoPagoRefundId === String(panel.id));
    expect(external).toMatchObject({ origin: 'external', status: 'succeeded', amountMinor: 2500 });
    const shown = await kit.reconciliation(today);
    expect(shown.body.discrepancies).toEqual([
      expect.objectContaining({
        kind: 'unknown_refund',
        paymentId,
        refundId: external?.id,
        mercadoPagoRefundId: String(panel.id),
        amount: 25,
      }),
    ]);
    expect(eventTypes()).toEqual(expect.arrayContaining(['Reconciliation Discrepancy', 'Refund Succeeded']));
    expect(rig.metricCount('ReconciliationDiscrepancy')).toBe(1);
  });

  it('lists a succeeded refund missing from the report only after REPORT_GRACE_DAYS, as a discrepancy of its day', async () => {
    const paymentId = approvedPayment(rig, 100);
    const refund = await api.refund(paymentId, { amount: 20 });
    const day = kit.today();
    rig.h.sandbox.adjustReports({ drop: [{ transactionType: 'REFUND', sourceId: paymentId }] });

    const first = await kit.run([day]);
    expect(first.days[0]).toMatchObject({ status: 'completed', counts: { discrepancies: 0 } });
    expect(first.missingChecked).toEqual([]);
    expect((await kit.refunds(`from=${day}&to=${day}`)).body.refunds[0].reconciliation).toBe(
      'awaiting_report',
    );

    // Three days later: the reports of D+1 .. D+3 come in without it either.
    rig.clock.advance(4 * DAY_MS);
    const later = await kit.run([addDays(day, 1), addDays(day, 2), addDays(day, 3)]);
    expect(later.missingChecked).toEqual([day]);
    const shown = await kit.reconciliation(day);
    expect(shown.body.counts.discrepancies).toBe(1);
    expect(shown.body.discrepancies).toEqual([
      expect.objectContaining({
        kind: 'refund_missing_in_report',
        paymentId,
        refundId: refund.body.id,
        mercadoPagoRefundId: refund.body.mercadoPagoRefundId,
        amount: 20,
      }),
    ]);
    expect((await kit.refunds(`from=${day}&to=${day}`)).body.refunds[0].reconciliation).toBe('unmatched');
  });

  it('with REPORT_GRACE_DAYS 0, the run of day D itself finds it', async () => {
    const paymentId = approvedPayment(rig, 100);
    await api.refund(paymentId, { amount: 20 });
    rig.h.sandbox.adjustReports({ drop: [{ transactionType: 'REFUND', sourceId: paymentId }] });
    const noGrace = reportsKit(rig, { graceDays: 0 });
    const report = await noGrace.run([noGrace.today()]);
    expect(report.missingChecked).toEqual([noGrace.today()]);
    expect(report.days[0]?.counts?.discrepancies).toBe(1);
  });

  it('settles a pending refund succeeded from its report row', async () => {
    const paymentId = approvedPayment(rig, 100);
    rig.h.sandbox.refundStatus('in_process');
    const pending = await api.refund(paymentId, { amount: 15 });
    expect(pending.body).toMatchObject({ status: 'pending', mercadoPagoRefundId: expect.any(String) });
    // Mercado Pago approved it, and no notification came: the report row says so.
    rig.h.sandbox.settleRefund(pending.body.mercadoPagoRefundId, 'approved');
    rig.h.clearEvents();

    const report = await kit.run([kit.today()]);
    expect(report.days[0]?.counts).toMatchObject({ matched: 1, discrepancies: 0 });
    const entry = (await ledgerOf(paymentId)).refunds.find((r) => r.id === pending.body.id);
    expect(entry).toMatchObject({ status: 'succeeded', settledBy: 'reconciliation' });
    expect(eventTypes()).toEqual(expect.arrayContaining(['Refund Succeeded', 'Reconciliation Completed']));
  });

  it('corrects a linked refund whose amount differs in the report: amount_mismatch', async () => {
    const paymentId = approvedPayment(rig, 100);
    const refund = await api.refund(paymentId, { amount: 30 });
    rig.h.sandbox.adjustReports({
      amounts: [{ match: { refundId: refund.body.mercadoPagoRefundId }, amount: -33 }],
    });

    const report = await kit.run([kit.today()]);
    expect(report.days[0]?.counts).toMatchObject({ matched: 1, discrepancies: 1 });
    const entry = (await ledgerOf(paymentId)).refunds.find((r) => r.id === refund.body.id);
    expect(entry?.amountMinor).toBe(3300);
    const shown = await kit.reconciliation(kit.today());
    expect(shown.body.discrepancies).toEqual([
      expect.objectContaining({ kind: 'amount_mismatch', refundId: refund.body.id, amount: 33 }),
    ]);
    expect(shown.body.discrepancies[0].detail).toContain('held 30');
  });

  it('records chargeback and dispute rows on their payments (the case re-read for its deadline)', async () => {
    const charged = approvedPayment(rig, 100);
    const claimed = approvedPayment(rig, 60);
    const caseId = rig.h.sandbox.openChargeback(charged, { amount: 100, deadline: Date.now() + 10 * DAY_MS });
    rig.h.sandbox.setPaymentStatus(claimed, 'in_mediation');

    const report = await kit.run([kit.today()]);
    expect(report.days[0]).toMatchObject({ status: 'completed', counts: { discrepancies: 0 } });
    const chargedBack = await ledgerOf(charged);
    expect(chargedBack.chargebacks).toEqual([
      expect.objectContaining({ id: caseId, kind: 'chargeback', status: 'open', amountMinor: 10000 }),
    ]);
    expect(chargedBack.chargebacks?.[0]?.documentationDeadline).not.toBeNull();
    const disputed = await ledgerOf(claimed);
    expect(disputed.chargebacks).toEqual([expect.objectContaining({ kind: 'dispute', status: 'open' })]);
    expect(eventTypes().filter((t) => t === 'Chargeback Opened')).toHaveLength(2);
  });

  it('changes nothing when the same day is run again', async () => {
    const paymentId = approvedPayment(rig, 100);
    await api.refund(paymentId, { amount: 10 });
    rig.h.sandbox.dashboardRefund(paymentId, 5);
    const today = kit.today();
    const first = await kit.run([today]);
    const itemsBefore = JSON.stringify(await rig.items());
    const eventsBefore = rig.events().length;
    rig.h.sandbox.clearRequests();

    const again = await kit.run([today]);
    expect(again.days).toEqual(first.days);
    expect(JSON.stringify(await rig.items())).toBe(itemsBefore);
    expect(rig.events()).toHaveLength(eventsBefore);
    // Reconciled from the stored file: nothing requested, nothing re-read.
    expect(rig.h.sandbox.requests({ method: 'POST' })).toEqual([]);
    expect(rig.h.sandbox.requests({ path: /^\/v1\/payments\// })).toEqual([]);
  });

  it('fails a day whose report never arrives after REPORT_WAIT_HOURS, then requests it again', async () => {
    rig.h.sandbox.holdReports();
    const day = kit.today();
    const first = await kit.run([day]);
    expect(first.days[0]?.status).toBe('running');
    expect((await kit.reconciliation(day)).body).toMatchObject({ status: 'running' });

    rig.clock.advance(25 * 3_600_000);
    const second = await kit.run([day]);
    expect(second.days[0]).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('REPORT_WAIT_HOURS'),
    });
    expect(eventTypes()).toContain('Reconciliation Failed');
    expect(rig.metricCount('ReconciliationFailed')).toBe(1);

    rig.h.sandbox.releaseReports();
    const third = await kit.run([day]);
    expect(third.days[0]?.status).toBe('completed');
    expect(rig.h.sandbox.requests({ method: 'POST', path: /settlement_report$/ })).toHaveLength(2);
  });

  it('leaves an existing configuration untouched, and fails the day naming the columns it lacks', async () => {
    rig.h.sandbox.setReportConfig({ columns: [{ key: 'SOURCE_ID' }, { key: 'TRANSACTION_TYPE' }] });
    const report = await kit.run([kit.today()]);
    expect(report.days[0]).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('TRANSACTION_AMOUNT, TRANSACTION_DATE, METADATA'),
    });
    expect(rig.h.sandbox.requests({ method: 'POST', path: /config$/ })).toEqual([]);
    expect(rig.h.sandbox.requests({ method: 'PUT' })).toEqual([]);
  });

  it('updates a lacking configuration only with REPORTS_MANAGE_CONFIG=true', async () => {
    rig.h.sandbox.setReportConfig({ columns: [{ key: 'SOURCE_ID' }, { key: 'TRANSACTION_TYPE' }] });
    const managing = reportsKit(rig, { manageConfig: true });
    const report = await managing.run([managing.today()]);
    expect(report.days[0]?.status).toBe('completed');
    const puts = rig.h.sandbox.requests({ method: 'PUT', path: /config$/ });
    expect(puts).toHaveLength(1);
    expect(JSON.stringify(puts[0]?.body)).toContain('METADATA');
  });

  it('uses an existing complete configuration as it is (no POST, no PUT), whatever its separator', async () => {
    rig.h.sandbox.setReportConfig({ separator: ',' });
    const paymentId = approvedPayment(rig, 100);
    await api.refund(paymentId, { amount: 10 });
    const report = await kit.run([kit.today()]);
    expect(report.days[0]?.counts).toMatchObject({ matched: 1, discrepancies: 0 });
    expect(rig.h.sandbox.requests({ path: /config$/ }).map((r) => r.method)).toEqual(['GET']);
  });

  it('a scheduled run requests each of the last 7 finished days once', async () => {
    const report = await kit.scheduled();
    expect(report.days).toHaveLength(7);
    expect(report.days.every((d) => d.status === 'completed')).toBe(true);
    expect(report.days.map((d) => d.date)).toEqual(
      Array.from({ length: 7 }, (_, i) => addDays(kit.today(), i - 7)),
    );
    rig.h.sandbox.clearRequests();
    await kit.scheduled();
    expect(reportRequests().filter((r) => r.method === 'POST')).toEqual([]);
  });
});

describe('GET /reports/refunds and /reports/reconciliations/{date}', () => {
  it('pages oldest first with a cursor, as JSON and as CSV with a Link header', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const paymentId = approvedPayment(rig, 100);
      ids.push((await api.refund(paymentId, { amount: 10 + i })).body.id);
    }
    const today = kit.today();
    const first = await kit.refunds(`from=${today}&to=${today}&limit=2`);
    expect(first.body.refunds.map((r: { id: string }) => r.id)).toEqual(ids.slice(0, 2));
    const second = await kit.refunds(`from=${today}&to=${today}&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.refunds.map((r: { id: string }) => r.id)).toEqual(ids.slice(2, 4));
    const third = await kit.refunds(`from=${today}&to=${today}&limit=2&cursor=${second.body.nextCursor}`);
    expect(third.body.refunds.map((r: { id: string }) => r.id)).toEqual(ids.slice(4));
    expect(third.body).not.toHaveProperty('nextCursor');

    const csv = await kit.routes(
      apiEvent({
        method: 'GET',
        path: `/reports/refunds?from=${today}&to=${today}&limit=2`,
        headers: { accept: 'text/csv' },
      }),
      lambdaContext(),
    );
    expect(csv.headers?.['content-type']).toBe('text/csv; charset=utf-8');
    const lines = String(csv.body).trim().split('\r\n');
    expect(lines[0]).toBe(
      'id,paymentId,orderId,amount,currency,status,origin,mercadoPagoRefundId,idempotencyKey,reason,externalReference,failureCode,createdAt,updatedAt,reconciliation',
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`${ids[0]},`);
    expect(lines[1]).toMatch(/,awaiting_report$/);
    expect(String(csv.headers?.link)).toMatch(/^<\/reports\/refunds\?from=.*cursor=.*>; rel="next"$/);
  });

  it('answers 400 for bad dates, ranges over 31 days, bad limits and cursors; 404 for a day never run', async () => {
    for (const query of [
      'from=2026-01-01',
      'from=2026-02-30&to=2026-03-01',
      'from=2026-03-02&to=2026-03-01',
      'from=2026-01-01&to=2026-02-01',
      'from=2026-01-01&to=2026-01-02&limit=0',
      'from=2026-01-01&to=2026-01-02&limit=1001',
      'from=2026-01-01&to=2026-01-02&cursor=bm90LWEtY3Vyc29y',
      'from=2026-01-01&to=2026-01-02&other=1',
    ]) {
      const answer = await kit.refunds(query);
      expect(answer, query).toMatchObject({ status: 400, body: { code: 'VALIDATION_ERROR' } });
    }
    expect((await kit.refunds('from=2026-01-01&to=2026-01-31')).status).toBe(200);
    expect(await kit.reconciliation('2026-13-01')).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_ERROR' },
    });
    expect(await kit.reconciliation('2020-01-01')).toMatchObject({
      status: 404,
      headers: { 'content-type': 'application/problem+json' },
      body: { code: 'RECONCILIATION_NOT_FOUND' },
    });
  });

  it('lists refunds of every origin and state: failed ones not_applicable, pending awaiting_report', async () => {
    const paymentId = approvedPayment(rig, 100);
    rig.h.sandbox.refundStatus('rejected');
    const failed = await api.refund(paymentId, { amount: 10 });
    expect(failed.body.code).toBe('REFUND_REJECTED');
    rig.h.sandbox.refundStatus('in_process');
    const pending = await api.refund(paymentId, { amount: 20 });
    rig.h.sandbox.dashboardRefund(paymentId, 5);
    await api.list(paymentId);
    const listed = await kit.refunds(`from=${kit.today()}&to=${kit.today()}`);
    expect(
      listed.body.refunds.map(
        (r: { amount: number; status: string; origin: string; reconciliation: string }) => [
          r.amount,
          r.status,
          r.origin,
          r.reconciliation,
        ],
      ),
    ).toEqual([
      [10, 'failed', 'api', 'not_applicable'],
      [20, 'pending', 'api', 'awaiting_report'],
      [5, 'succeeded', 'external', 'awaiting_report'],
    ]);
    expect(listed.body.refunds[1].id).toBe(pending.body.id);
  });
});
