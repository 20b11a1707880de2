/**
 * One run of the reconciliation job: first the sweep of new refunds (operations/sweep-new-refunds.ts: the
 * ledgers of refunds still pending that no index shows yet), then ledgers whose next check is due, earliest
 * first, read from the due-work index (nothing is read before it is due), a few at a time, until none is left
 * or the run's time budget is spent. One ledger failing does not stop the run; it is due again at its next
 * check.
 */
import { TIMING } from '../config/timing.ts';
import { isoAt } from '../model/clock.ts';
import type { Ledger } from '../model/ledger/types.ts';
import type { Logger } from '../observability/logger.ts';
import { MetricName, putMetric } from '../observability/metrics.ts';
import { checkLedger } from '../operations/check-ledger.ts';
import { sweepNewRefunds } from '../operations/sweep-new-refunds.ts';
import type { ReconcileDeps } from './deps.ts';

/** Time one ledger's check may take at most (config/timing.ts). */
export const LEDGER_BUDGET_MS = TIMING.reconcileLedgerBudgetMs;

export interface ReconcileOptions {
  log: Logger;
  /** Epoch ms after which no new ledger is started. */
  deadline: number;
  /** Ledgers checked at once. */
  concurrency?: number;
  /** Stop after this many ledgers (tests); default: as many as the time allows. */
  maxLedgers?: number;
}

export interface ReconcileReport {
  /** New refunds read by the sweep of the day index (operations/sweep-new-refunds.ts). */
  swept: number;
  /** Ledgers the sweep found with a refund still pending, out of the due index until then. */
  handedOver: number;
  /** Due ledgers taken from the index (and from the sweep), and of those re-read at Mercado Pago. */
  seen: number;
  checked: number;
  settled: number;
  resent: number;
  overdue: number;
  failed: number;
  oldestPendingRefundAgeSeconds: number;
  /** false when the run stopped on its budget with due ledgers left. */
  complete: boolean;
}

export const runReconcile = async (
  deps: ReconcileDeps,
  options: ReconcileOptions,
): Promise<ReconcileReport> => {
  const { log } = options;
  const concurrency = options.concurrency ?? 8;
  const startMs = deps.clock.now();
  const report: ReconcileReport = {
    swept: 0,
    handedOver: 0,
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
  const outOfBudget = () =>
    deps.clock.now() >= options.deadline ||
    (options.maxLedgers !== undefined && report.seen >= options.maxLedgers);

  // First the refunds no index shows yet: the sweep hands over the ledgers of those still pending, checked
  // first (the due index may not show them until its next propagation).
  // At most half the run: a backlog of new refunds (a first run, a long outage) never starves the due ledgers.
  const sweep = await sweepNewRefunds(deps, {
    log,
    deadline: Math.min(options.deadline, startMs + (options.deadline - startMs) / 2),
  });
  report.swept = sweep.swept;
  report.handedOver = sweep.handedOver.length;
  report.failed += sweep.failed;
  if (!sweep.complete) report.complete = false;
  const handedOver = [...sweep.handedOver];
  const taken = new Set<string>();

  type Work = { id: string; stored?: Ledger };
  const due = deps.ledgers.due(isoAt(startMs))[Symbol.asyncIterator]();
  let exhausted = false;
  const next = async (): Promise<Work | undefined> => {
    for (;;) {
      const swept = handedOver.shift();
      if (swept !== undefined) {
        taken.add(swept.id);
        return { id: swept.id, stored: swept };
      }
      if (exhausted) return undefined;
      const item = await due.next();
      if (item.done) {
        exhausted = true;
        return undefined;
      }
      if (!taken.has(item.value.id)) return { id: item.value.id };
    }
  };
  // Ids are pulled one at a time (the index is paged lazily), so a worker never waits on work it cannot do.
  let pulling: Promise<unknown> = Promise.resolve();
  const pull = (): Promise<Work | undefined> => {
    const result = pulling.then(next);
    pulling = result.catch(() => undefined);
    return result;
  };
  const worker = async () => {
    while (!outOfBudget()) {
      const work = await pull();
      if (work === undefined) return;
      const { id } = work;
      report.seen++;
      try {
        const result = await checkLedger(deps, id, {
          log,
          deadline: Math.min(options.deadline, deps.clock.now() + LEDGER_BUDGET_MS),
          ...(work.stored ? { stored: work.stored } : {}),
        });
        if (result.kind === 'checked') report.checked++;
        report.settled += result.settled;
        report.resent += result.resent;
        report.overdue += result.overdue;
        if (result.pendingSince !== null) {
          const ms = Date.parse(result.pendingSince);
          if (oldestPendingMs === undefined || ms < oldestPendingMs) oldestPendingMs = ms;
        }
      } catch (error) {
        report.failed++;
        log.error('reconciliation of a ledger failed: due again at its next check', { subjectId: id, error });
      }
    }
    if (!exhausted || handedOver.length > 0) report.complete = false;
  };
  await Promise.all(Array.from({ length: concurrency }, worker));

  // The oldest pending work of all, read from the index: ledgers not due yet count too.
  const oldestPending = await deps.ledgers.oldestPending();
  if (oldestPending !== null) {
    const ms = Date.parse(oldestPending);
    if (oldestPendingMs === undefined || ms < oldestPendingMs) oldestPendingMs = ms;
  }
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
