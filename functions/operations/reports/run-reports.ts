/**
 * One run of the reports job (API.md, "Reports"): the settlement report configuration (created only when
 * none exists), then each finished UTC day of the last RETRY_DAYS: requested once the day is over, `running`
 * until its file is downloaded, stored unchanged and reconciled (`completed`), `failed` when no file came
 * within REPORT_WAIT_HOURS (then requested again while the day is within RETRY_DAYS). Then the
 * `refund_missing_in_report` check of each day whose grace is over, and the chargebacks whose documentation
 * is due soon. Running a day twice changes nothing the first run did: rows already applied are recognised,
 * discrepancies are written once, and a day whose result did not change is not written.
 */
import { RECONCILIATION } from '../../model/actor.ts';
import { isoAt } from '../../model/clock.ts';
import type { OutEvent } from '../../model/events/types.ts';
import { raiseChargebackDeadlines } from '../../model/ledger/chargebacks.ts';
import { reportedRefund } from '../../model/ledger/report-rows.ts';
import { RefundStatus } from '../../model/ledger/types.ts';
import { addDays, dayOf, daysBetween, reportPeriodOf } from '../../model/reports/days.ts';
import { completedEvent, discrepancyEvent, failedEvent } from '../../model/reports/events.ts';
import {
  DayStatus,
  type Discrepancy,
  missingDiscrepancy,
  NO_COUNTS,
  type ReconciliationDay,
} from '../../model/reports/reconciliation.ts';
import { missingColumns, REPORT_COLUMNS } from '../../model/reports/rows.ts';
import type { Logger } from '../../observability/logger.ts';
import { MetricName, putMetric } from '../../observability/metrics.ts';
import type { ReportFileInfo } from '../../ports/mercadopago-reports.ts';
import type { RefundPointer } from '../../ports/refund-index.ts';
import { ruleContext } from '../deps.ts';
import { updateLedger } from '../update-ledger.ts';
import type { ReportsDeps } from './deps.ts';
import { type FileResult, ReportFormatError, reconcileReportFile } from './reconcile-file.ts';

/** API.md: a failed day is requested again up to 7 days back. */
export const RETRY_DAYS = 7;
/** Discrepancies GET /reports/reconciliations/{date} and the result file list at most. */
export const MAX_LISTED_DISCREPANCIES = 1000;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface RunOptions {
  log: Logger;
  /** Epoch ms after which no new work is started. */
  deadline: number;
  /** Only these days (`npm run reports -- --date D`: that day at once, finished or not; a completed day again). */
  days?: string[];
  /** How long to wait for a requested file within this run (0: look once). */
  waitForFileMs?: number;
}

export interface DayOutcome {
  date: string;
  status: DayStatus | 'not_requested';
  reason?: string;
  counts?: ReconciliationDay['counts'];
}

export interface ReportsRunReport {
  days: DayOutcome[];
  missingChecked: string[];
  chargebacksDueSoon: number;
}

type ConfigState = { kind: 'ok' } | { kind: 'lacking'; reason: string };

/** The configuration this service asks for when none exists: refund detail and chargeback rows on. */
export const OUR_CONFIG = {
  file_name_prefix: 'settlement-report',
  columns: REPORT_COLUMNS.map((key) => ({ key })),
  refund_detailed: true,
  show_chargeback_cancel: true,
  display_timezone: 'GMT-00',
  separator: ';',
  frequency: { hour: 0, type: 'daily', value: 1 },
} as const;

const ensureConfig = async (deps: ReportsDeps, log: Logger, deadline: number): Promise<ConfigState> => {
  const call = { log, deadline };
  const current = await deps.reports.getConfig(call);
  if (current === null) {
    const created = await deps.reports.createConfig(
      { ...OUR_CONFIG, columns: [...OUR_CONFIG.columns] },
      call,
    );
    log.info('settlement report configuration', { created });
    if (created === 'created') return { kind: 'ok' };
    return ensureConfig(deps, log, deadline);
  }
  const missing = missingColumns(current.columns);
  if (missing.length === 0) return { kind: 'ok' };
  if (!deps.reportSettings.manageConfig) {
    const reason = `The account's settlement report configuration lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; add ${missing.length > 1 ? 'them' : 'it'} (or set REPORTS_MANAGE_CONFIG=true to let this service update it).`;
    log.error('settlement report configuration lacks columns: left untouched', { missing });
    return { kind: 'lacking', reason };
  }
  const columns = [...current.columns, ...missing].map((key) => ({ key }));
  await deps.reports.updateConfig(
    { ...current.raw, columns, refund_detailed: true, show_chargeback_cancel: true },
    call,
  );
  log.warn('settlement report configuration updated (REPORTS_MANAGE_CONFIG=true)', { added: missing });
  return { kind: 'ok' };
};

const sameMoment = (a: string | null, b: string): boolean => a !== null && Date.parse(a) === Date.parse(b);

/** The newest generated file for exactly the day's period. */
const fileFor = (files: ReportFileInfo[], day: string): ReportFileInfo | undefined => {
  const period = reportPeriodOf(day);
  return files
    .filter((f) => sameMoment(f.beginDate, period.beginDate) && sameMoment(f.endDate, period.endDate))
    .sort(
      (a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || b.fileName.localeCompare(a.fileName),
    )[0];
};

/** Writes the day (conditional on its version); null when another run changed it meanwhile. */
const saveDay = async (deps: ReportsDeps, day: ReconciliationDay, events: OutEvent[] = []) =>
  deps.reconciliations.saveDay({ ...day, updatedAt: isoAt(deps.clock.now()) }, events);

const resultJson = async (deps: ReportsDeps, day: ReconciliationDay): Promise<string> => {
  const { items, more } = await deps.reconciliations.discrepancies(day.date, MAX_LISTED_DISCREPANCIES);
  return JSON.stringify(reconciliationView(day, items, more), null, 2);
};

/** GET /reports/reconciliations/{date} (and the result file). */
export const reconciliationView = (day: ReconciliationDay, discrepancies: Discrepancy[], more: boolean) => ({
  date: day.date,
  status: day.status,
  ...(day.reason === undefined ? {} : { reason: day.reason }),
  ...(day.reportFile === undefined ? {} : { reportFile: day.reportFile }),
  counts: day.counts,
  discrepancies: discrepancies.map(({ key: _key, ...view }) => view),
  ...(more ? { discrepanciesTruncated: true } : {}),
});

interface DayContext {
  deps: ReportsDeps;
  log: Logger;
  deadline: number;
  config: ConfigState;
  explicit: boolean;
  waitForFileMs: number;
}

const fail = async (
  context: DayContext,
  day: ReconciliationDay,
  reason: string,
): Promise<ReconciliationDay> => {
  const { deps, log } = context;
  if (day.status === DayStatus.Failed && day.reason === reason) return day;
  const next: ReconciliationDay = { ...day, status: DayStatus.Failed, reason };
  const saved = await saveDay(deps, next, [failedEvent(next, reason, isoAt(deps.clock.now()))]);
  putMetric(MetricName.ReconciliationFailed);
  log.error('reconciliation of a day failed', { date: day.date, reason });
  return saved ?? day;
};

const request = async (context: DayContext, day: ReconciliationDay): Promise<ReconciliationDay | null> => {
  const { deps, log, deadline } = context;
  const requests = day.requests + 1;
  await deps.reports.requestReport(reportPeriodOf(day.date), `settlement-report:${day.date}:${requests}`, {
    log,
    deadline,
  });
  const { reason: _reason, ...rest } = day;
  const next: ReconciliationDay = {
    ...rest,
    status: DayStatus.Running,
    requestedAt: isoAt(deps.clock.now()),
    requests,
  };
  log.info('settlement report requested', { date: day.date, requests });
  return saveDay(deps, next);
};

const waitForFile = async (context: DayContext, date: string): Promise<ReportFileInfo | undefined> => {
  const { deps, log } = context;
  const until = Math.min(context.deadline, deps.clock.now() + context.waitForFileMs);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let wait = 500; ; wait = Math.min(wait * 2, 10_000)) {
    const file = fileFor(await deps.reports.listReports({ log, deadline: context.deadline }), date);
    if (file !== undefined || deps.clock.now() + wait > until) return file;
    await sleep(wait);
  }
};

const reconcile = async (
  context: DayContext,
  day: ReconciliationDay,
  location: string,
): Promise<FileResult> =>
  reconcileReportFile(context.deps, {
    date: day.date,
    file: await context.deps.archive.openReport(location),
    log: context.log,
    deadline: context.deadline,
  });

const complete = async (
  context: DayContext,
  day: ReconciliationDay,
  file: { location: string; fileName: string },
  result: FileResult,
): Promise<ReconciliationDay> => {
  const { deps, log } = context;
  const counts = {
    rows: result.rows,
    matched: result.matched,
    recordedExternal: result.recordedExternal,
    discrepancies: result.discrepancies + (day.missingFound ?? 0),
  };
  const unchanged =
    day.status === DayStatus.Completed &&
    day.reportFile === file.location &&
    JSON.stringify(day.counts) === JSON.stringify(counts);
  if (unchanged) {
    log.info('day reconciled again: nothing changed', { date: day.date });
    return day;
  }
  const { reason: _reason, ...rest } = day;
  const next: ReconciliationDay = {
    ...rest,
    status: DayStatus.Completed,
    reportFile: file.location,
    fileName: file.fileName,
    counts,
    completedAt: isoAt(deps.clock.now()),
  };
  const saved = await saveDay(deps, next, [completedEvent(next, isoAt(deps.clock.now()))]);
  if (saved === null) return (await deps.reconciliations.getDay(day.date)) ?? day;
  await deps.archive.storeResult(day.date, await resultJson(deps, saved));
  log.info('day reconciled', { date: day.date, counts, fileName: file.fileName });
  return saved;
};

const runDay = async (context: DayContext, date: string): Promise<ReconciliationDay | undefined> => {
  const { deps, log } = context;
  let day: ReconciliationDay = (await deps.reconciliations.getDay(date)) ?? {
    date,
    status: DayStatus.Running,
    counts: { ...NO_COUNTS },
    requests: 0,
    missingChecked: false,
    missingFound: 0,
    updatedAt: isoAt(deps.clock.now()),
    version: 0,
  };
  if (day.status === DayStatus.Completed) {
    if (!context.explicit || day.reportFile === undefined || day.fileName === undefined) return day;
    // Asked for again by a person: the stored file reconciled again (nothing the first run did changes).
    const result = await reconcile(context, day, day.reportFile);
    return complete(context, day, { location: day.reportFile, fileName: day.fileName }, result);
  }
  if (context.config.kind === 'lacking') return fail(context, day, context.config.reason);
  if (day.version === 0 || day.status === DayStatus.Failed || day.requestedAt === undefined) {
    const requested = await request(context, day);
    if (requested === null) return deps.reconciliations.getDay(date);
    day = requested;
  }
  const file = await waitForFile(context, date);
  const waitedTooLong =
    day.requestedAt !== undefined &&
    deps.clock.now() - Date.parse(day.requestedAt) > deps.reportSettings.waitHours * HOUR_MS;
  if (file === undefined) {
    if (waitedTooLong && day.status === DayStatus.Running)
      return fail(
        context,
        day,
        `No report file came within REPORT_WAIT_HOURS (${deps.reportSettings.waitHours} h) of the request.`,
      );
    log.info('settlement report not generated yet', { date, requestedAt: day.requestedAt });
    return day;
  }
  const location = await deps.archive.storeReport(
    date,
    file.fileName,
    await deps.reports.openReport(file.fileName, { log, deadline: context.deadline }),
  );
  try {
    return await complete(
      context,
      day,
      { location, fileName: file.fileName },
      await reconcile(context, day, location),
    );
  } catch (error) {
    if (error instanceof ReportFormatError)
      return fail(context, day, `The report file ${file.fileName} cannot be reconciled: ${error.message}.`);
    throw error;
  }
};

/** `refund_missing_in_report` of day `date`: its succeeded refunds no report of D to D + grace showed. */
const checkMissing = async (context: DayContext, day: ReconciliationDay): Promise<ReconciliationDay> => {
  const { deps, log } = context;
  const grace = deps.reportSettings.graceDays;
  let found = 0;
  let added = 0;
  const check = async (pointers: RefundPointer[]) => {
    const ledgers = await deps.ledgers.getMany(pointers.map((p) => p.ledgerId));
    for (const pointer of pointers) {
      const ledger = ledgers.get(pointer.ledgerId);
      const entry = ledger?.refunds.find((e) => e.id === pointer.refundId);
      if (!ledger || !entry || entry.status !== RefundStatus.Succeeded || reportedRefund(ledger, entry))
        continue;
      const discrepancy = missingDiscrepancy(ledger, entry, grace);
      found++;
      if (
        await deps.reconciliations.addDiscrepancy(
          day.date,
          discrepancy,
          discrepancyEvent(day.date, discrepancy, isoAt(deps.clock.now())),
        )
      ) {
        added++;
        putMetric(MetricName.ReconciliationDiscrepancy, 1, 'Count', { kind: discrepancy.kind });
        log.warn('reconciliation discrepancy', { date: day.date, discrepancy });
      }
    }
  };
  let batch: RefundPointer[] = [];
  for await (const pointer of deps.index.created(day.date, day.date)) {
    batch.push(pointer);
    if (batch.length >= 100) {
      await check(batch);
      batch = [];
    }
  }
  await check(batch);
  const next: ReconciliationDay = {
    ...day,
    missingChecked: true,
    missingFound: found,
    counts: { ...day.counts, discrepancies: day.counts.discrepancies - (day.missingFound ?? 0) + found },
  };
  const saved = await saveDay(deps, next);
  if (saved === null) return day;
  await deps.archive.storeResult(day.date, await resultJson(deps, saved));
  log.info('missing refunds checked', { date: day.date, found, added });
  return saved;
};

const checkChargebackDeadlines = async (context: DayContext): Promise<number> => {
  const { deps, log } = context;
  const warningMs = deps.reportSettings.chargebackWarningDays * DAY_MS;
  const nowMs = deps.clock.now();
  let due = 0;
  for (const pointer of await deps.index.openChargebacks()) {
    if (pointer.deadline === null || Date.parse(pointer.deadline) - nowMs > warningMs) continue;
    due++;
    putMetric(MetricName.ChargebackDeadlineNear);
    log.error('chargeback documentation due soon: send the evidence to Mercado Pago (GET /ops/attention)', {
      subjectId: pointer.ledgerId,
      chargebackId: pointer.chargebackId,
      deadline: pointer.deadline,
    });
    await updateLedger(
      deps.ledgers,
      pointer.ledgerId,
      await deps.ledgers.get(pointer.ledgerId),
      (ledger) =>
        ledger === undefined
          ? { ledger: null, events: [], result: [] }
          : raiseChargebackDeadlines(ledger, warningMs, ruleContext(deps, RECONCILIATION)),
      deps.conflicts,
    );
  }
  return due;
};

export const runReports = async (deps: ReportsDeps, options: RunOptions): Promise<ReportsRunReport> => {
  const { log } = options;
  const today = dayOf(deps.clock.now());
  const explicit = options.days !== undefined;
  const days = options.days ?? daysBetween(addDays(today, -RETRY_DAYS), addDays(today, -1));
  const context: DayContext = {
    deps,
    log,
    deadline: options.deadline,
    config: await ensureConfig(deps, log, options.deadline),
    explicit,
    waitForFileMs: options.waitForFileMs ?? 0,
  };
  const report: ReportsRunReport = { days: [], missingChecked: [], chargebacksDueSoon: 0 };
  const outcomes = new Map<string, ReconciliationDay | undefined>();
  for (const date of days) {
    if (deps.clock.now() >= options.deadline) break;
    const day = await runDay(context, date);
    outcomes.set(date, day);
    report.days.push(
      day === undefined
        ? { date, status: 'not_requested' }
        : { date, status: day.status, reason: day.reason, counts: day.counts },
    );
  }

  // The missing check of each day whose reports D .. D + grace are all in (or no longer retried).
  const grace = deps.reportSettings.graceDays;
  const oldestRetried = addDays(today, -RETRY_DAYS);
  const candidates = new Set<string>();
  for (const date of days) candidates.add(addDays(date, -grace));
  for (const date of daysBetween(addDays(today, -RETRY_DAYS - grace), addDays(today, -1)))
    if (!explicit) candidates.add(date);
  for (const date of [...candidates].sort()) {
    if (deps.clock.now() >= options.deadline) break;
    const day = outcomes.get(date) ?? (await deps.reconciliations.getDay(date));
    if (day?.status !== DayStatus.Completed || day.missingChecked) continue;
    let ready = true;
    for (const later of daysBetween(date, addDays(date, grace))) {
      const other =
        later === date ? day : (outcomes.get(later) ?? (await deps.reconciliations.getDay(later)));
      if (other?.status !== DayStatus.Completed && later >= oldestRetried) ready = false;
    }
    if (!ready) continue;
    const checked = await checkMissing(context, day);
    outcomes.set(date, checked);
    report.missingChecked.push(date);
    const listed = report.days.find((d) => d.date === date);
    if (listed) listed.counts = checked.counts;
  }

  report.chargebacksDueSoon = await checkChargebackDeadlines(context);
  log.info('reports run finished', { ...report });
  return report;
};
