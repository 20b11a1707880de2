/**
 * A day's reconciliation with Mercado Pago's settlement report (API.md, "Reports"): its state, its
 * discrepancies and how each refund stands against the reports.
 */

import { reportedRefund } from '../ledger/report-rows.ts';
import { type Ledger, type RefundEntry, RefundStatus } from '../ledger/types.ts';
import { decimalsOf, fromMinorUnits } from '../money.ts';
import { addDays, dayOf, startOfDay } from './days.ts';

export const DayStatus = { Running: 'running', Completed: 'completed', Failed: 'failed' } as const;
export type DayStatus = (typeof DayStatus)[keyof typeof DayStatus];

export const DiscrepancyKind = {
  RefundMissingInReport: 'refund_missing_in_report',
  AmountMismatch: 'amount_mismatch',
  UnknownRefund: 'unknown_refund',
} as const;
export type DiscrepancyKind = (typeof DiscrepancyKind)[keyof typeof DiscrepancyKind];

export interface Discrepancy {
  /** Identifies it within its day: found again by a rerun, it is the same one. */
  key: string;
  kind: DiscrepancyKind;
  paymentId?: string;
  orderId?: string;
  refundId?: string;
  mercadoPagoRefundId?: string;
  amount?: number;
  detail: string;
}

export interface DayCounts {
  rows: number;
  matched: number;
  recordedExternal: number;
  discrepancies: number;
}

export const NO_COUNTS: DayCounts = { rows: 0, matched: 0, recordedExternal: 0, discrepancies: 0 };

/** A day's record (the store keeps it with a version for conditional writes). */
export interface ReconciliationDay {
  date: string;
  status: DayStatus;
  reason?: string;
  /** Where the file is kept (`s3://…` or a local path). */
  reportFile?: string;
  /** Mercado Pago's file name. */
  fileName?: string;
  counts: DayCounts;
  /** When the current request for the day's report was made, and how many were made. */
  requestedAt?: string;
  requests: number;
  completedAt?: string;
  /** The `refund_missing_in_report` check of this day has run (after its grace). */
  missingChecked: boolean;
  /** How many it found (part of `counts.discrepancies`). */
  missingFound?: number;
  updatedAt: string;
  version: number;
}

export type RefundReconciliation = 'matched' | 'awaiting_report' | 'unmatched' | 'not_applicable';

/**
 * API.md: `matched` (a report row found), `awaiting_report` (pending, or succeeded within the grace: before
 * the day D + REPORT_GRACE_DAYS + 1 begins), `unmatched` (succeeded, past the grace, no row), `not_applicable`
 * (failed).
 */
export const reconciliationOf = (
  ledger: Pick<Ledger, 'reported'>,
  entry: RefundEntry,
  nowMs: number,
  graceDays: number,
): RefundReconciliation => {
  if (entry.status === RefundStatus.Failed) return 'not_applicable';
  if (reportedRefund(ledger, entry) !== undefined) return 'matched';
  if (entry.status === RefundStatus.Pending) return 'awaiting_report';
  const graceEnds = startOfDay(addDays(dayOf(Date.parse(entry.createdAt)), graceDays + 1));
  return nowMs < graceEnds ? 'awaiting_report' : 'unmatched';
};

export const subjectOf = (
  ledger: Pick<Ledger, 'kind' | 'id'>,
): { paymentId: string } | { orderId: string } =>
  ledger.kind === 'order' ? { orderId: ledger.id } : { paymentId: ledger.id };

export const majorOf = (ledger: Pick<Ledger, 'currency'>, minor: number): number =>
  fromMinorUnits(minor, decimalsOf(ledger.currency));

/** A succeeded refund of the day that no report of days D to D + grace showed. */
export const missingDiscrepancy = (ledger: Ledger, entry: RefundEntry, graceDays: number): Discrepancy => ({
  key: `missing:${entry.id}`,
  kind: DiscrepancyKind.RefundMissingInReport,
  ...subjectOf(ledger),
  refundId: entry.id,
  mercadoPagoRefundId: entry.mercadoPagoRefundId ?? undefined,
  amount: majorOf(ledger, entry.amountMinor),
  detail:
    `Refund ${entry.id}${entry.mercadoPagoRefundId ? ` (Mercado Pago ${entry.mercadoPagoRefundId})` : ''} succeeded on ` +
    `${dayOf(Date.parse(entry.createdAt))} but no settlement report of that day or the ${graceDays} after it shows it: ` +
    "check the refund in the Mercado Pago panel and the account's movements.",
});
