/**
 * Report files that are not what a settlement report should be: an empty file, one that is not CSV, a header
 * without rows, a reconciled row whose payment or amount cannot be read, a header line without an end. The
 * day fails with the reason for a person (the file is kept as it came); a row that cannot be read is listed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReportFormatError, reconcileReportFile } from '../../functions/operations/reports/reconcile-file.ts';
import { quietLogger } from '../support/harness.ts';
import { approvedPayment, type Rig, startRig } from '../webhook/rig.ts';
import { reportsKit } from './support.ts';

const HEADER =
  'SOURCE_ID;TRANSACTION_TYPE;TRANSACTION_AMOUNT;TRANSACTION_CURRENCY;TRANSACTION_DATE;METADATA;ORDER_ID';

let rig: Rig;
let kit: ReturnType<typeof reportsKit>;
beforeEach(async () => {
  rig = await startRig({ sandbox: { reportDelayMs: 0 } });
  kit = reportsKit(rig);
});
afterEach(async () => rig.close());

const reconcile = (text: string, chunk = 5) => {
  const bytes = Buffer.from(text);
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  return reconcileReportFile(kit.deps(), {
    date: kit.today(),
    file: Readable.from(chunks()),
    log: quietLogger,
    deadline: Date.now() + 60_000,
  });
};

describe('a report file', () => {
  it('empty: refused by name', async () => {
    await expect(reconcile('')).rejects.toThrow(
      new ReportFormatError('the report file is empty (no header line)'),
    );
  });

  it('a header alone, even without its line end: a day without movements', async () => {
    expect(await reconcile(HEADER)).toEqual({
      rows: 0,
      matched: 0,
      recordedExternal: 0,
      discrepancies: 0,
      newDiscrepancies: 0,
    });
  });

  it('not CSV (a quote never closed): refused as unreadable CSV', async () => {
    const error = await reconcile(`${HEADER}\n1;REFUND;-1.00;BRL;2026-06-01T00:00:00Z;"[{;\n`).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(ReportFormatError);
    expect(String(error.message)).toMatch(/^the report is not readable CSV: /);
  });

  it('a refund row whose payment or amount cannot be read is listed for a person, the others reconciled', async () => {
    const result = await reconcile(
      `${HEADER}\nnot-a-payment;REFUND;-1.00;BRL;;;\n77;SETTLEMENT;10.00;BRL;;;\n78;CHARGEBACK;ten;BRL;;;\n`,
    );
    expect(result).toMatchObject({ rows: 3, discrepancies: 2, newDiscrepancies: 2 });
    const { items } = await kit.deps().reconciliations.discrepancies(kit.today(), 10);
    const details = items.map((d) => [d.kind, d.detail]);
    expect(details).toEqual([
      [
        'unknown_refund',
        expect.stringContaining(
          'Row 1 of the settlement report: A refund row with SOURCE_ID "not-a-payment"',
        ),
      ],
      [
        'unknown_refund',
        expect.stringContaining(
          'Row 3 of the settlement report: A chargeback row with SOURCE_ID "78" and TRANSACTION_AMOUNT "ten"',
        ),
      ],
    ]);
  });
});

describe('the day of a file that cannot be reconciled', () => {
  it('fails with the file and the reason named, and the file kept as it came', async () => {
    const day = kit.today();
    const real = kit.deps().reports;
    const garbage = 'this is not a settlement report\n"unclosed;\n';
    const report = await kit.run([day], {
      reports: {
        ...real,
        openReport: async () => Readable.from([Buffer.from(garbage)]),
      },
    });
    expect(report.days[0]).toMatchObject({
      date: day,
      status: 'failed',
      reason: expect.stringMatching(
        /^The report file settlement-report-.*\.csv cannot be reconciled: the report /,
      ),
    });
    const shown = await kit.reconciliation(day);
    expect(shown.body).toMatchObject({ status: 'failed', reason: report.days[0]?.reason });
    expect(rig.events().map((e) => e['detail-type'])).toContain('Reconciliation Failed');
    const folder = join(kit.dir, 'files', day);
    const stored = readdirSync(folder);
    expect(stored).toHaveLength(1);
    expect(readFileSync(join(folder, stored[0] ?? ''), 'utf8')).toBe(garbage);
  });
});

describe('rows about what Mercado Pago does not show', () => {
  it('a row of a payment Mercado Pago does not show to this token: listed, nothing recorded', async () => {
    const result = await reconcile(`${HEADER}\n99999999999;REFUND;-5.00;BRL;;;\n`);
    expect(result).toMatchObject({ rows: 1, matched: 0, recordedExternal: 0, discrepancies: 1 });
    expect(await rig.h.ledgers.get('99999999999')).toBeUndefined();
    const { items } = await kit.deps().reconciliations.discrepancies(kit.today(), 10);
    expect(items).toEqual([
      expect.objectContaining({
        kind: 'unknown_refund',
        paymentId: '99999999999',
        amount: 5,
        detail: expect.stringContaining('does not show to this service'),
      }),
    ]);
  });

  it('a refund row without an id that the payment does not list either: unknown, listed, no refund made up', async () => {
    const paymentId = approvedPayment(rig, 100);
    const result = await reconcile(`${HEADER}\n${paymentId};REFUND;-7.00;BRL;;;\n`);
    expect(result).toMatchObject({ rows: 1, matched: 0, recordedExternal: 0, discrepancies: 1 });
    const ledger = await rig.h.ledgers.get(paymentId);
    expect(ledger?.refunds).toEqual([]);
    expect(ledger?.reported).toMatchObject([{ outcome: 'unknown', amountMinor: 700 }]);
    // Again: the same row is seen, nothing more.
    expect(await reconcile(`${HEADER}\n${paymentId};REFUND;-7.00;BRL;;;\n`)).toMatchObject({
      newDiscrepancies: 0,
    });
  });

  it('a chargeback row whose case cannot be read is recorded from the row alone', async () => {
    const paymentId = approvedPayment(rig, 100);
    const result = await reconcile(
      `${HEADER}\n${paymentId};CHARGEBACK;-100.00;BRL;2026-06-01T00:00:00.000Z;{"chargeback_id":"218999999999999999"};\n`,
    );
    expect(result).toMatchObject({ rows: 1, discrepancies: 0 });
    const ledger = await rig.h.ledgers.get(paymentId);
    expect(ledger?.chargebacks).toEqual([
      expect.objectContaining({
        id: '218999999999999999',
        status: 'open',
        amountMinor: 10_000,
        documentationDeadline: null,
      }),
    ]);
  });
});
