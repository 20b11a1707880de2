/**
 * Mercado Pago's status words, mapped to what they mean here: a refund's outcome, and the order in which a
 * payment's statuses can follow each other (so a read older than the recorded state is recognised).
 */
import { type LedgerKind, RefundStatus } from './types.ts';

/** A refund status as this service reads it; `unknown` is a word it has no rule for (listed for a person). */
export type RefundOutcomeWord = RefundStatus | 'unknown';

const PAYMENT_REFUND_STATUS: Record<string, RefundStatus> = {
  approved: RefundStatus.Succeeded,
  in_process: RefundStatus.Pending,
  authorized: RefundStatus.Pending,
  pending: RefundStatus.Pending,
  rejected: RefundStatus.Failed,
  cancelled: RefundStatus.Failed,
};

/** API.md: Orders refund statuses. */
const ORDER_REFUND_STATUS: Record<string, RefundStatus> = {
  processing: RefundStatus.Pending,
  pending: RefundStatus.Pending,
  in_process: RefundStatus.Pending,
  processed: RefundStatus.Succeeded,
  approved: RefundStatus.Succeeded,
  failed: RefundStatus.Failed,
  rejected: RefundStatus.Failed,
  canceled: RefundStatus.Failed,
  cancelled: RefundStatus.Failed,
};

/** Never `failed` for a word without a rule: that would free money Mercado Pago may have moved. */
export const refundOutcomeOf = (kind: LedgerKind, status: string): RefundOutcomeWord =>
  (kind === 'order' ? ORDER_REFUND_STATUS : PAYMENT_REFUND_STATUS)[status.toLowerCase()] ?? 'unknown';

/**
 * API.md: pending < in_process/authorized < approved < in_mediation/charged_back/refunded/cancelled
 * (rejected is final too). A status without a rank sits with in_process: it can follow pending only.
 */
const PAYMENT_STATUS_RANK: Record<string, number> = {
  pending: 0,
  in_process: 1,
  authorized: 1,
  approved: 2,
  in_mediation: 3,
  charged_back: 3,
  refunded: 3,
  cancelled: 3,
  rejected: 3,
};

/** Orders: created/action_required < processing < processed < refunded/canceled/expired/failed/charged_back. */
const ORDER_STATUS_RANK: Record<string, number> = {
  created: 0,
  action_required: 0,
  at_terminal: 0,
  processing: 1,
  processed: 2,
  refunded: 3,
  charged_back: 3,
  canceled: 3,
  cancelled: 3,
  expired: 3,
  failed: 3,
};

export const statusRank = (kind: LedgerKind, status: string): number =>
  (kind === 'order' ? ORDER_STATUS_RANK : PAYMENT_STATUS_RANK)[status] ?? 1;

/**
 * Whether a read's status may replace the recorded one: by Mercado Pago's `date_last_updated` when both are
 * known and differ, else by the rank above (a read of a lower rank is an older read).
 */
export const isNewerStatus = (
  kind: LedgerKind,
  recorded: { status: string; updatedAt: string | undefined },
  read: { status: string; updatedAt: string | null },
): boolean => {
  if (recorded.updatedAt !== undefined && read.updatedAt !== null && recorded.updatedAt !== read.updatedAt) {
    return read.updatedAt > recorded.updatedAt;
  }
  return statusRank(kind, read.status) >= statusRank(kind, recorded.status);
};

/** Mercado Pago dates carry offsets (`-04:00`, `-00:00`); ours are UTC with milliseconds. */
export const normalizeDate = (value: string | null | undefined): string | null => {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
};
