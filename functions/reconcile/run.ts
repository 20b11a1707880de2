/**
 * One run of the reconciliation job: payments whose oldest pending work is older than
 * RECONCILE_PENDING_AFTER_SECONDS, oldest first, in pages, a few at a time, until every one was looked at,
 * `maxChecks` payments were re-read, or the time is up. One payment failing does not stop the run.
 */
import { isoAt } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { MetricName, putMetric } from '../shared/metrics.ts';
import { runPool } from '../shared/notifications/pool.ts';
import type { ReconcileDeps } from './deps.ts';
import { reconcilePayment } from './reconcile-payment.ts';

export interface ReconcileOptions {
  log: Logger;
  /** Epoch ms after which no new payment is started. */
  deadline: number;
  /** Payments re-read at Mercado Pago per run at most; default 100. */
  maxChecks?: number;
  pageSize?: number;
  concurrency?: number;
}

export interface ReconcileReport {
  /** Payments looked at (ledger read), and of those re-read at Mercado Pago. */
  seen: number;
  checked: number;
  settled: number;
  resent: number;
  overdue: number;
  failed: number;
  oldestPendingRefundAgeSeconds: number;
  /** false when the run stopped on its bounds with payments left to look at. */
  complete: boolean;
}

export const runReconcile = async (
  deps: ReconcileDeps,
  options: ReconcileOptions,
): Promise<ReconcileReport> => {
  const { log } = options;
  const maxChecks = options.maxChecks ?? 100;
  const pageSize = options.pageSize ?? 25;
  const concurrency = options.concurrency ?? 4;
  const startMs = deps.clock.now();
  const before = isoAt(startMs - deps.pendingAfterSeconds * 1000);
  const report: ReconcileReport = {
    seen: 0,
    checked: 0,
    settled: 0,
    resent: 0,
    overdue: 0,
    failed: 0,
    oldestPendingRefundAgeSeconds: 0,
    complete: true,
  };
  let oldestPendingMs: number | undefined;
  // Failed checks count too: they cost a Mercado Pago read as well.
  const bounded = () => deps.clock.now() >= options.deadline || report.checked + report.failed >= maxChecks;

  let cursor: string | undefined;
  do {
    if (bounded()) {
      report.complete = false;
      break;
    }
    const page = await deps.ledgers.listPending(before, pageSize, cursor);
    cursor = page.cursor;
    const started = await runPool(
      page.paymentIds,
      concurrency,
      async (paymentId) => {
        report.seen++;
        try {
          const result = await reconcilePayment(deps, paymentId, {
            log,
            deadline: Math.min(options.deadline, deps.clock.now() + 20_000),
          });
          if (result.outcome === 'checked') report.checked++;
          report.settled += result.settled;
          report.resent += result.resent;
          report.overdue += result.overdue;
          for (const since of result.pendingSince) {
            const ms = Date.parse(since);
            if (oldestPendingMs === undefined || ms < oldestPendingMs) oldestPendingMs = ms;
          }
        } catch (error) {
          report.failed++;
          log.error('reconciliation of a payment failed: retried on the next run', { paymentId, error });
        }
      },
      bounded,
    );
    if (started < page.paymentIds.length) report.complete = false;
  } while (cursor !== undefined && report.complete);

  const endMs = deps.clock.now();
  report.oldestPendingRefundAgeSeconds =
    oldestPendingMs === undefined ? 0 : Math.max(0, Math.round((endMs - oldestPendingMs) / 1000));
  putMetric(MetricName.OldestPendingRefundAgeSeconds, report.oldestPendingRefundAgeSeconds, 'Seconds');
  (report.failed > 0 ? log.warn : log.info)('reconciliation run finished', {
    ...report,
    ms: endMs - startMs,
  });
  return report;
};
