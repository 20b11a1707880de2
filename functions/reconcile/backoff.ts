/**
 * When the reconciliation job looks at pending work again: after RECONCILE_PENDING_AFTER_SECONDS, then with
 * a doubling delay per check (1 minute up to 1 hour), kept on each pending entry as `nextCheckAt`. Past a
 * day a pending refund is reported for a person to settle, and still checked hourly.
 */
import { isoAt } from '../shared/clock.ts';
import { CancellationStatus, type PaymentLedger, RefundStatus } from '../shared/ledger/types.ts';

export const FIRST_DELAY_MS = 60_000;
export const MAX_DELAY_MS = 3_600_000;
export const REPORT_AFTER_MS = 86_400_000;

export interface PendingWork {
  kind: 'refund' | 'cancellation';
  /** Refund id, or the payment id for its cancellation. */
  id: string;
  createdAt: string;
  nextCheckAt: string | undefined;
  checks: number;
}

export const pendingWork = (ledger: PaymentLedger): PendingWork[] => {
  const work: PendingWork[] = ledger.refunds
    .filter((entry) => entry.status === RefundStatus.Pending)
    .map((entry) => ({
      kind: 'refund',
      id: entry.id,
      createdAt: entry.createdAt,
      nextCheckAt: entry.nextCheckAt,
      checks: entry.reconcileChecks ?? 0,
    }));
  const cancellation = ledger.cancellation;
  if (cancellation?.status === CancellationStatus.Pending) {
    work.push({
      kind: 'cancellation',
      id: ledger.paymentId,
      createdAt: cancellation.createdAt,
      nextCheckAt: cancellation.nextCheckAt,
      checks: cancellation.reconcileChecks ?? 0,
    });
  }
  return work;
};

/** Old enough to be reconciled, and its backoff has run out. */
export const isDue = (work: PendingWork, nowMs: number, pendingAfterMs: number): boolean =>
  Date.parse(work.createdAt) <= nowMs - pendingAfterMs &&
  (work.nextCheckAt === undefined || Date.parse(work.nextCheckAt) <= nowMs);

export const delayAfterChecks = (checks: number): number =>
  Math.min(FIRST_DELAY_MS * 2 ** Math.max(0, checks - 1), MAX_DELAY_MS);

export const isOverdue = (work: Pick<PendingWork, 'createdAt'>, nowMs: number): boolean =>
  nowMs - Date.parse(work.createdAt) > REPORT_AFTER_MS;

/**
 * Counts a check on every pending item that was due and sets when it is next due; null when nothing is due
 * (nothing to write). The ledger's `updatedAt` is left alone: nothing about the money changed.
 */
export const scheduleNextChecks = (
  current: PaymentLedger,
  nowMs: number,
  pendingAfterMs: number,
): PaymentLedger | null => {
  const ledger = structuredClone(current);
  let changed = false;
  const schedule = (item: { reconcileChecks?: number; nextCheckAt?: string }) => {
    const checks = (item.reconcileChecks ?? 0) + 1;
    item.reconcileChecks = checks;
    item.nextCheckAt = isoAt(nowMs + delayAfterChecks(checks));
    changed = true;
  };
  for (const entry of ledger.refunds) {
    if (entry.status !== RefundStatus.Pending) continue;
    if (
      isDue(
        {
          createdAt: entry.createdAt,
          nextCheckAt: entry.nextCheckAt,
          kind: 'refund',
          id: entry.id,
          checks: 0,
        },
        nowMs,
        pendingAfterMs,
      )
    ) {
      schedule(entry);
    }
  }
  const cancellation = ledger.cancellation;
  if (
    cancellation?.status === CancellationStatus.Pending &&
    isDue(
      {
        createdAt: cancellation.createdAt,
        nextCheckAt: cancellation.nextCheckAt,
        kind: 'cancellation',
        id: '',
        checks: 0,
      },
      nowMs,
      pendingAfterMs,
    )
  ) {
    schedule(cancellation);
  }
  return changed ? ledger : null;
};
