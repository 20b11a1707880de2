/**
 * When reconciliation looks at a ledger with pending work again: `firstCheckAfterMs` after the work
 * appeared, then with a doubling delay per check (1 minute up to 1 hour). Past `attentionAfterMs` the work
 * is listed for a person (and still checked hourly).
 */
import type { RuleContext } from '../settings.ts';
import { draftOf, finish, hasPendingWork, type LedgerChange, unchanged } from './change.ts';
import { CancellationStatus, type Ledger, RefundStatus } from './types.ts';

export const FIRST_DELAY_MS = 60_000;
export const MAX_DELAY_MS = 3_600_000;

export const delayAfterChecks = (checks: number): number =>
  Math.min(FIRST_DELAY_MS * 2 ** Math.max(0, checks - 1), MAX_DELAY_MS);

export const isDue = (ledger: Pick<Ledger, 'schedule'>, nowMs: number): boolean =>
  ledger.schedule !== undefined && Date.parse(ledger.schedule.nextCheckAt) <= nowMs;

/** Counts a check and sets the next one (nothing to write when the ledger holds no pending work). */
export const scheduleNextCheck = (current: Ledger, context: RuleContext): LedgerChange<null> => {
  if (!hasPendingWork(current) || current.schedule === undefined) return unchanged(null);
  const draft = draftOf(current, context);
  const checks = current.schedule.checks + 1;
  draft.ledger.schedule = {
    checks,
    nextCheckAt: new Date(Date.parse(context.now) + delayAfterChecks(checks)).toISOString(),
  };
  draft.changed = true;
  // Only the schedule moved: the ledger's `updatedAt` stays the time of its last real change.
  const change = finish(draft, null);
  if (change.ledger) change.ledger.updatedAt = current.updatedAt;
  return change;
};

/** When the oldest pending work of a ledger started (for the oldest-pending metric and the attention list). */
export const pendingSince = (ledger: Ledger): string | null => {
  let oldest: string | null = null;
  for (const refund of ledger.refunds) {
    if (refund.status === RefundStatus.Pending && (oldest === null || refund.createdAt < oldest))
      oldest = refund.createdAt;
  }
  const cancellation = ledger.cancellation;
  if (
    cancellation?.status === CancellationStatus.Pending &&
    (oldest === null || cancellation.createdAt < oldest)
  )
    oldest = cancellation.createdAt;
  return oldest;
};
