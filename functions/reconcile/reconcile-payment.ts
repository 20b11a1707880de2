/**
 * Reconciliation of one payment with pending work: re-read and sync it (the notification path), re-send
 * what may be re-sent, then schedule the next check of what is still pending and report what has been
 * pending for more than a day.
 */
import { isoAt } from '../shared/clock.ts';
import { CancellationStatus, type PaymentLedger, RefundStatus } from '../shared/ledger/types.ts';
import type { Logger } from '../shared/logger.ts';
import { MetricName, putMetric } from '../shared/metrics.ts';
import { syncPayment } from '../shared/notifications/process-payment.ts';
import { updateLedger } from '../shared/storage/ledger-store.ts';
import { isDue, isOverdue, pendingWork, scheduleNextChecks } from './backoff.ts';
import type { ReconcileDeps } from './deps.ts';
import { resendCancellation, shouldResendCancellation } from './resend-cancellation.ts';
import { BY_RECONCILIATION, refundsToResend, resendRefund } from './resend-refund.ts';

export interface PaymentReconciliation {
  outcome: 'not_due' | 'checked';
  settled: number;
  resent: number;
  overdue: number;
  /** Creation times of refunds still pending after the check (for the oldest-pending metric). */
  pendingSince: string[];
}

const pendingRefundsSince = (ledger: PaymentLedger | undefined): string[] =>
  (ledger?.refunds ?? []).filter((e) => e.status === RefundStatus.Pending).map((e) => e.createdAt);

const pendingCount = (ledger: PaymentLedger | undefined): number =>
  pendingRefundsSince(ledger).length + (ledger?.cancellation?.status === CancellationStatus.Pending ? 1 : 0);

export const reconcilePayment = async (
  deps: ReconcileDeps,
  paymentId: string,
  options: { log: Logger; deadline: number },
): Promise<PaymentReconciliation> => {
  const log = options.log.child({ paymentId });
  const pendingAfterMs = deps.pendingAfterSeconds * 1000;
  const stored = await deps.ledgers.get(paymentId);
  const startMs = deps.clock.now();
  if (!stored || !pendingWork(stored).some((work) => isDue(work, startMs, pendingAfterMs))) {
    return {
      outcome: 'not_due',
      settled: 0,
      resent: 0,
      overdue: 0,
      pendingSince: pendingRefundsSince(stored),
    };
  }

  const before = pendingCount(stored);
  let resent = 0;
  const sync = await syncPayment(deps, paymentId, { log, deadline: options.deadline, by: BY_RECONCILIATION });
  if (sync.outcome === 'not_found' || sync.outcome === 'other_seller') {
    log.error('payment with pending work cannot be read with our token', { outcome: sync.outcome });
  } else if (sync.outcome !== 'untracked' && sync.ledger) {
    const nowMs = deps.clock.now();
    let ledger = sync.ledger;
    for (const entry of refundsToResend(ledger, sync.payment, nowMs)) {
      if (deps.clock.now() >= options.deadline) break;
      const result = await resendRefund(deps, ledger, entry.id, options);
      if (result !== 'locked' && result !== 'gone') resent++;
      ledger = (await deps.ledgers.get(paymentId)) ?? ledger;
    }
    if (
      shouldResendCancellation(ledger, sync.payment, deps.clock.now()) &&
      deps.clock.now() < options.deadline
    ) {
      const result = await resendCancellation(deps, ledger, sync.payment, options);
      if (result !== 'locked' && result !== 'gone') resent++;
    }
  }

  const nowMs = deps.clock.now();
  const latest = await deps.ledgers.get(paymentId);
  const scheduled = await updateLedger(deps.ledgers, paymentId, latest, (current) => ({
    ledger: current ? scheduleNextChecks(current, nowMs, pendingAfterMs) : null,
    result: null,
  }));
  const after = scheduled.ledger;
  let overdue = 0;
  for (const work of after ? pendingWork(after) : []) {
    if (!isOverdue(work, nowMs)) continue;
    overdue++;
    if (work.kind === 'refund') putMetric(MetricName.RefundUnsettledTooLong);
    log.error(`${work.kind} pending for more than a day: settle it by hand`, {
      [work.kind === 'refund' ? 'refundId' : 'cancellationOf']: work.id,
      pendingSince: work.createdAt,
      checks: work.checks,
      nextCheckAt:
        after?.refunds.find((e) => e.id === work.id)?.nextCheckAt ?? after?.cancellation?.nextCheckAt,
    });
  }
  const settled = Math.max(0, before - pendingCount(after));
  if (settled > 0 || resent > 0) log.info('payment reconciled', { settled, resent, at: isoAt(nowMs) });
  return { outcome: 'checked', settled, resent, overdue, pendingSince: pendingRefundsSince(after) };
};
