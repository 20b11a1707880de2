/**
 * The reports job's memory on a large settlement report: one scheduled run of the reports-job bundle, as
 * deployed (bundled as the stack bundles it, in a driver process of its own, REPORTS_DIR for its files),
 * against a sandbox of its own whose report for yesterday has `rows` rows: `refunds` REFUND rows the sandbox
 * builds from its own records (refunds made in the panel, yesterday, on payments this service has no ledger
 * for: each read at Mercado Pago, its ledger created, the refund recorded as made elsewhere) and SETTLEMENT rows
 * of payments it does not know (only counted), added to the file (`adjustReports`), in the shapes of
 * test/reports/large-file.test.ts. The six earlier days the run looks at are already completed in its table
 * (as the earlier hourly runs left them), so the run requests, downloads, stores and reconciles that one file.
 * The figure is the process's peak RSS (`VmHWM` of the driver process, see child/driver.ts: what Lambda reports as Max Memory
 * Used), beside its RSS once loaded and the heap's sampled peak.
 */
import { createReconciliationStore } from '../functions/adapters/dynamodb/reconciliation-store.ts';
import { addDays, dayOf, daysBetween } from '../functions/model/reports/days.ts';
import { DayStatus, NO_COUNTS, type ReconciliationDay } from '../functions/model/reports/reconciliation.ts';
import { RETRY_DAYS } from '../functions/operations/reports/run-reports.ts';
import { FUNCTION_ENTRIES } from '../functions/routes.ts';
import { createTable } from '../local/dynamodb.ts';
import { startSandbox } from '../local/sandbox/index.ts';
import { bundleAsDeployed } from './bundles.ts';
import type { DriverMemory } from './child/protocol.ts';
import { drive, type Lab } from './lab.ts';
import { ACCESS_TOKEN, USER_ID, WEBHOOK_SECRET } from './services.ts';
import { round } from './stats.ts';
import { type Subject, scheduledRuns } from './subjects.ts';

export const REPORTS_TABLE = 'bench-reports';

/** The hourly job: not among SUBJECTS (no request to time), measured here only. */
export const REPORTS_JOB: Subject = {
  id: 'reports-job',
  entry: FUNCTION_ENTRIES['reports-job'],
  baselineEntry: undefined,
  invocations: scheduledRuns,
};

export interface ReportsMemoryResult {
  date: string;
  rows: number;
  refundRows: number;
  /** The CSV's size as Mercado Pago (the sandbox) serves it. */
  fileBytes: number;
  seedingMs: number;
  /** The run, from the handler's call to its answer. */
  durationMs: number;
  /** The day as the run left it. */
  day: { status: string; counts: ReconciliationDay['counts'] };
  memory: DriverMemory;
}

const DAY_MS = 86_400_000;

export const measureReportsMemory = async (
  lab: Lab,
  options: { rows: number; refunds: number },
): Promise<ReportsMemoryResult> => {
  const bundle =
    lab.bundles['reports-job:project'] ??
    (await bundleAsDeployed(REPORTS_JOB.entry, `${lab.workDir}/reports-job/project`));
  lab.bundles['reports-job:project'] = bundle;

  // Seeding and the run on the same UTC day: the run reconciles "yesterday" as the seeding meant it.
  const toMidnight = DAY_MS - (Date.now() % DAY_MS);
  if (toMidnight < 120_000) await new Promise((resolve) => setTimeout(resolve, toMidnight + 1000));

  const sandbox = await startSandbox({
    seedDemoData: false,
    accessToken: ACCESS_TOKEN,
    webhookSecret: WEBHOOK_SECRET,
    userId: USER_ID,
    notificationsEnabled: false,
  });
  try {
    const seedStart = Date.now();
    const { admin } = lab.services;
    await createTable(admin, REPORTS_TABLE);
    const today = dayOf(Date.now());
    const date = addDays(today, -1);
    const reconciliations = createReconciliationStore(admin, REPORTS_TABLE);
    for (const earlier of daysBetween(addDays(today, -RETRY_DAYS), addDays(today, -2))) {
      const saved = await reconciliations.saveDay({
        date: earlier,
        status: DayStatus.Completed,
        counts: { ...NO_COUNTS },
        requests: 1,
        missingChecked: true,
        missingFound: 0,
        updatedAt: new Date().toISOString(),
        version: 0,
      });
      if (saved === null) throw new Error(`seeding: day ${earlier} exists`);
    }

    // Approved the day before yesterday at noon: the panel refund the sandbox records a day later, yesterday.
    const approvedAt = Date.parse(`${addDays(today, -2)}T12:00:00.000Z`);
    for (let i = 0; i < options.refunds; i++)
      sandbox.createPayment({
        status: 'approved',
        siteId: 'MLB',
        amount: 100,
        dateApproved: approvedAt,
        refunds: [12.5],
      });
    const at = `${date}T12:00:00.000-00:00`;
    const extraRows = Array.from({ length: options.rows - options.refunds }, (_, i) => ({
      EXTERNAL_REFERENCE: `ref-${i}`,
      SOURCE_ID: String(9_000_000_000 + i),
      USER_ID,
      PAYMENT_METHOD_TYPE: 'credit_card',
      PAYMENT_METHOD: 'visa',
      SITE: 'MLB',
      TRANSACTION_TYPE: 'SETTLEMENT',
      TRANSACTION_AMOUNT: '79.00',
      TRANSACTION_CURRENCY: 'BRL',
      TRANSACTION_DATE: at,
      FEE_AMOUNT: '-8.85',
      SETTLEMENT_NET_AMOUNT: '70.15',
      SETTLEMENT_CURRENCY: 'BRL',
      SETTLEMENT_DATE: at,
      REAL_AMOUNT: '70.15',
      COUPON_AMOUNT: '0.00',
      METADATA: '[{}]',
      MKP_FEE_AMOUNT: '-8.85',
      FINANCING_FEE_AMOUNT: '0.00',
      SHIPPING_FEE_AMOUNT: '0.00',
      TAXES_AMOUNT: '0.00',
      INSTALLMENTS: '1',
      ORDER_ID: `ref-${i}`,
      PACK_ID: '2E+15',
    }));
    sandbox.adjustReports({ extraRows });
    const seedingMs = Date.now() - seedStart;

    const outcome = await drive(
      lab,
      REPORTS_JOB,
      ['project'],
      scheduledRuns(sandbox, 1).map((invocation) => ({ ...invocation, bundle: 0 })),
      {
        sandboxUrl: sandbox.url,
        tableName: REPORTS_TABLE,
        env: { REPORTS_DIR: `${lab.workDir}/reports-job/files` },
        sampleHeapMs: 50,
        limitMs: 180_000,
      },
    );
    const day = await reconciliations.getDay(date);
    const file = sandbox.reports().find((r) => r.beginDate.startsWith(date) && r.csv !== null);
    if (day?.status !== DayStatus.Completed || day.counts.rows !== options.rows)
      throw new Error(
        `reports: the run left ${date} ${day?.status ?? 'not run'} with ${day?.counts.rows ?? 0} rows (${day?.reason ?? ''})`,
      );
    if (day.counts.recordedExternal !== options.refunds)
      throw new Error(
        `reports: ${day.counts.recordedExternal} refunds recorded as made elsewhere, not ${options.refunds}`,
      );
    return {
      date,
      rows: options.rows,
      refundRows: options.refunds,
      fileBytes: Buffer.byteLength(file?.csv ?? ''),
      seedingMs,
      durationMs: round(outcome.latenciesMs[0] ?? Number.NaN, 0),
      day: { status: day.status, counts: day.counts },
      memory: outcome.memory,
    };
  } finally {
    await sandbox.close();
  }
};
