/**
 * Reconciliation of one ledger with due pending work (a payment's or an order's, an open till order
 * included): re-read it at Mercado Pago and apply the read (the notification path), re-send what may be re-sent with its own key (operations/send-refund.ts: the same
 * path as the route), then schedule the next check and report what has waited too long for a person.
 */

import { lockUntil } from '../config/timing.ts';
import { type Actor, RECONCILIATION } from '../model/actor.ts';
import { isoAt } from '../model/clock.ts';
import { must } from '../model/invariant.ts';
import { beginCancellation, shouldResendCancellation } from '../model/ledger/cancellation.ts';
import { beginAttempt, refundsToResend } from '../model/ledger/refund-call.ts';
import { isDue, pendingSince, scheduleNextCheck } from '../model/ledger/schedule.ts';
import { type Ledger, LedgerKind, ledgerKindOf, RefundStatus } from '../model/ledger/types.ts';
import type { Logger } from '../observability/logger.ts';
import { MetricName, putMetric } from '../observability/metrics.ts';
import { ruleContext } from '../operations/deps.ts';
import { sendCancellation } from '../operations/send-cancellation.ts';
import { sendRefund } from '../operations/send-refund.ts';
import { syncOrder } from '../operations/sync-order.ts';
import { syncPayment } from '../operations/sync-payment.ts';
import { updateLedger } from '../operations/update-ledger.ts';
import type { ReconcileDeps } from './deps.ts';

export interface LedgerReconciliation {
  kind: 'not_due' | 'checked';
  settled: number;
  resent: number;
  overdue: number;
  /** When its oldest pending work started, after the check (null: none left). */
  pendingSince: string | null;
}

/** A payment or an order re-read and applied: the ledger after it, and what a cancellation re-send needs. */
type SubjectSync =
  | { kind: 'synced'; ledger: Ledger; subject: { status: string; inPerson: boolean } }
  | { kind: 'not_found' }
  | { kind: 'other' };

const syncSubject = async (
  deps: ReconcileDeps,
  id: string,
  options: { by: Actor; log: Logger; deadline: number },
): Promise<SubjectSync> => {
  if (ledgerKindOf(id) === LedgerKind.Order) {
    const sync = await syncOrder(deps, id, options);
    if (sync.kind === 'synced')
      return { kind: 'synced', ledger: sync.ledger, subject: { status: sync.order.status, inPerson: false } };
    return { kind: sync.kind === 'not_found' ? 'not_found' : 'other' };
  }
  const sync = await syncPayment(deps, id, options);
  if (sync.kind === 'synced') return { kind: 'synced', ledger: sync.ledger, subject: sync.payment };
  return { kind: sync.kind === 'not_found' ? 'not_found' : 'other' };
};

const pendingCount = (ledger: Ledger | undefined): number =>
  (ledger?.refunds.filter((e) => e.status === RefundStatus.Pending).length ?? 0) +
  (ledger?.cancellation?.status === 'pending' ? 1 : 0);

export const reconcileLedger = async (
  deps: ReconcileDeps,
  id: string,
  options: { log: Logger; deadline: number },
): Promise<LedgerReconciliation> => {
  const log = options.log.child({ subjectId: id });
  const stored = await deps.ledgers.get(id);
  if (!stored || !isDue(stored, deps.clock.now())) {
    return {
      kind: 'not_due',
      settled: 0,
      resent: 0,
      overdue: 0,
      pendingSince: stored ? pendingSince(stored) : null,
    };
  }
  const before = pendingCount(stored);
  let resent = 0;
  const sync = await syncSubject(deps, id, { by: RECONCILIATION, log, deadline: options.deadline });
  let ledger = sync.kind === 'synced' ? sync.ledger : stored;
  if (sync.kind === 'not_found')
    log.error(`${stored.kind} with pending work cannot be read with our token`, { kind: stored.kind });
  if (sync.kind === 'synced') {
    for (const candidate of refundsToResend(ledger, deps.clock.now(), deps.settings)) {
      if (deps.clock.now() >= options.deadline) break;
      const lock = isoAt(lockUntil(options.deadline));
      const started = await updateLedger(
        deps.ledgers,
        id,
        ledger,
        (current) =>
          current
            ? beginAttempt(
                current,
                candidate.id,
                lock,
                ruleContext(deps, RECONCILIATION),
                're-sent by reconciliation',
              )
            : { ledger: null, events: [], result: { kind: 'gone' as const } },
        deps.conflicts,
      );
      ledger = started.ledger ?? ledger;
      if (started.result.kind !== 'ready') continue;
      log.warn('re-sending a refund whose outcome is unknown, with its own Mercado Pago key', {
        refundId: candidate.id,
        attempt: started.result.attempt,
      });
      const sent = await sendRefund(deps, {
        ledger,
        entry: started.result.entry,
        attempt: started.result.attempt,
        by: RECONCILIATION,
        deadline: options.deadline,
        log,
      });
      ledger = sent.ledger;
      resent++;
    }
    if (
      deps.clock.now() < options.deadline &&
      shouldResendCancellation(ledger, sync.subject, ruleContext(deps, RECONCILIATION))
    ) {
      const record = must(ledger.cancellation, 'a due cancellation has its record');
      const lock = isoAt(lockUntil(options.deadline));
      const started = await updateLedger(
        deps.ledgers,
        id,
        ledger,
        (current) =>
          current
            ? beginCancellation(
                current,
                { idempotencyKey: record.idempotencyKey, lockUntil: lock },
                ruleContext(deps, RECONCILIATION),
              )
            : { ledger: null, events: [], result: { kind: 'busy' as const } },
        deps.conflicts,
      );
      ledger = started.ledger ?? ledger;
      if (started.result.kind === 'ready') {
        const sent = await sendCancellation(deps, {
          ledger,
          attempt: started.result.attempt,
          mercadoPagoKey: started.result.mercadoPagoKey,
          by: RECONCILIATION,
          deadline: options.deadline,
          log,
        });
        ledger = sent.ledger;
        resent++;
      }
    }
  }

  const scheduled = await updateLedger(
    deps.ledgers,
    id,
    ledger,
    (current) =>
      current
        ? scheduleNextCheck(current, ruleContext(deps, RECONCILIATION))
        : { ledger: null, events: [], result: null },
    deps.conflicts,
  );
  const after = scheduled.ledger ?? ledger;
  const nowMs = deps.clock.now();
  const since = pendingSince(after);
  let overdue = 0;
  if (since !== null && nowMs - Date.parse(since) > deps.attentionAfterMs) {
    overdue = 1;
    putMetric(MetricName.RefundUnsettledTooLong);
    log.error(
      'pending work waiting for more than ATTENTION_AFTER_SECONDS: settle it by hand (GET /ops/attention)',
      {
        pendingSince: since,
        checks: after.schedule?.checks,
        nextCheckAt: after.schedule?.nextCheckAt,
      },
    );
  }
  const settled = Math.max(0, before - pendingCount(after));
  if (settled > 0 || resent > 0) log.info('ledger reconciled', { settled, resent });
  return { kind: 'checked', settled, resent, overdue, pendingSince: since };
};
