/**
 * The real report and chargeback fixtures of ../shared/mercadopago/fixtures, read as they are: the
 * chargeback forms (SDK mocks, search), the settlement sample (`;`, `[{}]` metadata, `2E+15` pack ids), the
 * release sample (not a settlement report: refused naming the columns), the list and configuration bodies.
 */
import { createReadStream } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { readReportConfig, readReportList } from '../../functions/adapters/mercadopago/reports-client.ts';
import { chargebackBody, toChargeback } from '../../functions/adapters/mercadopago/schemas.ts';
import { parseJsonKeepingBigIntegers } from '../../functions/model/json.ts';
import { chargebackStatusOf } from '../../functions/model/ledger/chargebacks.ts';
import { missingColumns } from '../../functions/model/reports/rows.ts';
import type { ReportsDeps } from '../../functions/operations/reports/deps.ts';
import { ReportFormatError, reconcileReportFile } from '../../functions/operations/reports/reconcile-file.ts';
import { FIXTURES_DIR, fixtureText } from '../support/fixtures.ts';
import { quietLogger } from '../support/harness.ts';

const chargeback = (text: string) => toChargeback(z.parse(chargebackBody, parseJsonKeepingBigIntegers(text)));

describe('chargeback fixtures', () => {
  it('reads the SDK mocks as they are (payment_id, currency_id, status words)', () => {
    expect(chargeback(fixtureText('chargeback_get.sdk-java.json'))).toEqual({
      id: 'CB-001-2022',
      paymentIds: ['19951521071'],
      currency: 'BRL',
      amount: 100,
      coverageApplied: null,
      status: 'in_review',
      documentationStatus: null,
      documentationDeadline: null,
      dateCreated: '2022-07-01T08:00:00.000-00:00',
      dateLastUpdated: '2022-07-02T10:00:00.000-00:00',
    });
    const python = chargeback(fixtureText('chargeback_get.sdk-python.json'));
    expect(python).toMatchObject({
      id: 'cb-001',
      paymentIds: ['17014025134'],
      amount: 58.8,
      status: 'in_process',
    });
    expect(chargebackStatusOf(python, null)).toBe('open');
  });

  it('reads each result of the search fixture', () => {
    const body = z.parse(
      z.looseObject({ results: z.array(chargebackBody) }),
      parseJsonKeepingBigIntegers(fixtureText('chargeback_search.sdk-php.json')),
    );
    expect(body.results.map(toChargeback)).toEqual([
      expect.objectContaining({ id: 'CB-001-2022', paymentIds: ['19951521071'], status: 'in_review' }),
    ]);
  });

  it('keeps every digit of the documented 18-digit ids, string or bare number', () => {
    const documented =
      '{"id":"234000062890459000","payments":[86439942806],"currency":"ARS","amount":1000.50,"reason":"general",' +
      '"coverage_applied":null,"coverage_elegible":true,"documentation_required":false,"documentation_status":"not_supplied",' +
      '"documentation":[],"date_documentation_deadline":null,"date_created":null,"date_last_updated":"2024-10-17T12:48:24.000-04:00","live_mode":true}';
    expect(chargeback(documented)).toMatchObject({
      id: '234000062890459000',
      paymentIds: ['86439942806'],
      amount: 1000.5,
      documentationStatus: 'not_supplied',
    });
    expect(chargeback('{"id":217000061307271000,"payment_id":81034165129}').id).toBe('217000061307271000');
    expect(chargebackStatusOf({ coverageApplied: true, status: null }, null)).toBe('won');
    expect(chargebackStatusOf({ coverageApplied: false, status: null }, null)).toBe('lost');
    expect(
      chargebackStatusOf(
        { coverageApplied: null, status: null },
        { status: 'charged_back', statusDetail: 'settled' },
      ),
    ).toBe('lost');
    expect(chargebackStatusOf({ coverageApplied: null, status: 'won' }, null)).toBe('won');
  });
});

/** Deps no row of these files reaches (they have no refund, chargeback or dispute row). */
const noLedgerDeps = {} as unknown as ReportsDeps;

describe('report fixtures', () => {
  it('reconciles the settlement sample as it is: 10 rows, all SETTLEMENT, nothing to match', async () => {
    const result = await reconcileReportFile(noLedgerDeps, {
      date: '2019-08-11',
      file: createReadStream(`${FIXTURES_DIR}report_settlement.devsite-docs.csv`),
      log: quietLogger,
      deadline: Date.now() + 60_000,
    });
    expect(result).toEqual({
      rows: 10,
      matched: 0,
      recordedExternal: 0,
      discrepancies: 0,
      newDiscrepancies: 0,
    });
  });

  it('refuses the release sample (another report) naming the columns it lacks', async () => {
    await expect(
      reconcileReportFile(noLedgerDeps, {
        date: '2018-04-17',
        file: createReadStream(`${FIXTURES_DIR}report_release.devsite-docs.csv`),
        log: quietLogger,
        deadline: Date.now() + 60_000,
      }),
    ).rejects.toThrow(
      new ReportFormatError(
        'the report lacks the columns TRANSACTION_TYPE, TRANSACTION_AMOUNT, TRANSACTION_DATE, METADATA',
      ),
    );
  });

  it('reads the list (a bare array, user_id "USER-ID") and the configurations', () => {
    expect(readReportList(fixtureText('report_settlement_list.devsite-docs.json'))).toEqual([
      {
        fileName: 'settlement-report-USER_ID-2016-01-20-131015.csv',
        beginDate: '2015-05-01T00:00:00Z',
        endDate: '2015-06-01T23:59:59Z',
        createdAt: '2016-01-20T10:07:53.000-04:00',
      },
    ]);
    expect(readReportList(JSON.stringify({ paging: { total: 0 }, results: [] }))).toEqual([]);
    const config = readReportConfig(fixtureText('report_settlement_config.devsite-docs.json'));
    expect(config).toMatchObject({
      columns: ['DATE', 'SOURCE_ID', 'EXTERNAL_REFERENCE'],
      refundDetailed: true,
    });
    // The documented sample configuration lacks what reconciliation reads: a day would fail naming these.
    expect(missingColumns(config.columns)).toEqual([
      'TRANSACTION_TYPE',
      'TRANSACTION_AMOUNT',
      'TRANSACTION_DATE',
      'METADATA',
    ]);
    expect(readReportConfig(fixtureText('report_release_config.devsite-docs.json')).separator).toBe(';');
  });
});
