/**
 * The attention items of the reports (API.md: `reconciliation_discrepancy`, `reconciliation_failed`): each day
 * of the last REPORT_DAYS_LISTED whose reconciliation failed or found discrepancies, one item per day, read from
 * the reconciliation store (one read per day: a few dozen small items).
 */
import { addDays, dayOf } from '../model/reports/days.ts';
import { DayStatus, type ReconciliationDay } from '../model/reports/reconciliation.ts';
import type { ReconciliationStore } from '../ports/reconciliation-store.ts';

/** As far back as `GET /reports/refunds` reaches in one request. */
export const REPORT_DAYS_LISTED = 31;

export interface ReportDayItem {
  kind: 'reconciliation_discrepancy' | 'reconciliation_failed';
  date: string;
  since: string;
  detail: string;
  suggestedAction: string;
  key: string;
}

const itemOf = (day: ReconciliationDay): ReportDayItem | undefined => {
  const since = day.completedAt ?? day.updatedAt;
  const common = { date: day.date, since, key: `~report:${day.date}` };
  if (day.status === DayStatus.Failed)
    return {
      ...common,
      kind: 'reconciliation_failed',
      detail: `The reconciliation of ${day.date} failed: ${day.reason ?? 'no reason recorded'}.`,
      suggestedAction: `Read GET /reports/reconciliations/${day.date} and infra/README.md "reconciliation-failed"; the hourly runs request a failed day again for 7 days (locally: \`npm run reports -- --date ${day.date}\`).`,
    };
  if (day.counts.discrepancies > 0)
    return {
      ...common,
      kind: 'reconciliation_discrepancy',
      detail: `The settlement report of ${day.date} disagrees with the ledger: ${day.counts.discrepancies} discrepancy(ies).`,
      suggestedAction: `GET /reports/reconciliations/${day.date} lists each with what to do (README, "A day's reconciliation"); \`npm run ops -- history <id>\` tells a payment's story.`,
    };
  return undefined;
};

export const reportDayItems = async (
  store: Pick<ReconciliationStore, 'getDay'>,
  nowMs: number,
): Promise<ReportDayItem[]> => {
  const today = dayOf(nowMs);
  const days = Array.from({ length: REPORT_DAYS_LISTED }, (_, i) => addDays(today, -(i + 1)));
  const stored = await Promise.all(days.map((date) => store.getDay(date)));
  return stored.flatMap((day) => {
    const item = day === undefined ? undefined : itemOf(day);
    return item === undefined ? [] : [item];
  });
};
