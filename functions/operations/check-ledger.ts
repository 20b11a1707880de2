/**
 * A check of one ledger (a payment's or an order's, an open till order included), what reconciliation does to
 * each ledger due and what `POST .../recheck` does to one at once: re-read it at Mercado Pago and apply the read
 * (the notification path), re-send what may be re-sent with its own key (operations/send-refund.ts: the same
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
import type { MpPayment } from '../ports/mercadopago.ts';
import { type LedgerDeps, type MercadoPagoDeps, type OrderDefaults, ruleContext } from './deps.ts';
import { sendCancellation } from './send-cancellation.ts';
import { sendRefund } from './send-refund.ts';
import { syncOrder } from './sync-order.ts';
import { syncPayment } from './sync-payment.ts';
import { updateLedger } from './update-ledger.ts';

export interface CheckDeps extends LedgerDeps, MercadoPagoDeps, OrderDefaults {
  /** ATTENTION_AFTER_SECONDS, in ms: pending work older than this is reported for a person. */
  attentionAfterMs: number;
}

export interface LedgerReconciliation {
  kind: 'not_due' | 'checked';
  settled: number;
  resent: number;
  overdue: number;
  /** When its oldest pending work started, after the check (null: none left). */
  pendingSince: string | null;
  /** The ledger after the check (undefined: none is stored). */
  ledger?: Ledger;
  /** Mercado Pago's read of the payment, when it answered (undefined: an order, not read, or not found). */
  payment?: MpPayment;
}

/** A payment or an order re-read and applied: the ledger after it, and what a cancellation re-send needs. */
type SubjectSync =
  | { kind: 'synced'; ledger: Ledger; subject: { status: string; inPerson: boolean }; payment?: MpPayment }
  | { kind: 'not_found' }
  | { kind: 'other' };

const syncSubject = async (
  deps: CheckDeps,
  id: string,
  options: { by: Actor; log: Logger; deadline: number; known: { ledger: Ledger } },
): Promise<SubjectSync> => {
  if (ledgerKindOf(id) === LedgerKind.Order) {
    const sync = await syncOrder(deps, id, options);
    if (sync.kind === 'synced')
      return { kind: 'synced', ledger: sync.ledger, subject: { status: sync.order.status, inPerson: false } };
    return { kind: sync.kind === 'not_found' ? 'not_found' : 'other' };
  }
  const sync = await syncPayment(deps, id, options);
  if (sync.kind === 'synced')
    return { kind: 'synced', ledger: sync.ledger, subject: sync.payment, payment: sync.payment };
  return { kind: sync.kind === 'not_found' ? 'not_found' : 'other' };
};

const pendingCount = (ledger: Ledger | undefined): number =>
  (ledger?.refunds.filter((e) => e.status === RefundStatus.Pending).length ?? 0) +
  (ledger?.cancellation?.status === 'pending' ? 1 : 0);

export const checkLedger = async (
  deps: CheckDeps,
  id: string,
  options: {
    log: Logger;
    deadline: number;
    by?: Actor;
    whenDue?: boolean;
    /** The ledger as its caller just stored it (the sweep's hand-over): not read again. */
    stored?: Ledger;
  },
): Promise<LedgerReconciliation> => {
  const by = options.by ?? RECONCILIATION;
  const log = options.log.child({ subjectId: id });
  const stored = options.stored ?? (await deps.ledgers.get(id));
  if (!stored || ((options.whenDue ?? true) && !isDue(stored, deps.clock.now()))) {
    return {
      kind: 'not_due',
      settled: 0,
      resent: 0,
      overdue: 0,
      pendingSince: stored ? pendingSince(stored) : null,
      ledger: stored,
    };
  }
  const before = pendingCount(stored);
  let resent = 0;
  const sync = await syncSubject(deps, id, {
    by,
    log,
    deadline: options.deadline,
    known: { ledger: stored },
  });
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
                ruleContext(deps, by),
                by === RECONCILIATION ? 're-sent by reconciliation' : 're-sent by a recheck',
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
        by,
        deadline: options.deadline,
        log,
      });
      ledger = sent.ledger;
      resent++;
    }
    if (
      deps.clock.now() < options.deadline &&
      shouldResendCancellation(ledger, sync.subject, ruleContext(deps, by))
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
                ruleContext(deps, by),
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
          by,
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
        ? scheduleNextCheck(current, ruleContext(deps, by))
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
  return {
    kind: 'checked',
    settled,
    resent,
    overdue,
    pendingSince: since,
    ledger: after,
    payment: sync.kind === 'synced' ? sync.payment : undefined,
  };
};
