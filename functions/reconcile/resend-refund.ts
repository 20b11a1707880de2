/**
 * Re-sending a refund whose outcome is unknown, with its Mercado Pago key (never a new one), only:
 * - shortly after the first attempt (RESEND_WINDOW_MS: Mercado Pago's memory of a key is not documented),
 * - when that attempt has certainly ended (older than any lock) and was not accepted by Mercado Pago,
 * - when Mercado Pago reports no refund that could be it (the payment was just re-read and synced).
 * Otherwise the refund stays pending until a read settles it, or a person does.
 */

import { isoAt } from '../shared/clock.ts';
import { publishLedgerEvents } from '../shared/events/ledger-events.ts';
import { markRetry, type RefundOutcome, refundRequestAmount, settleRefund } from '../shared/ledger/ledger.ts';
import { MAX_SEND_ATTEMPTS, RESEND_WINDOW_MS } from '../shared/ledger/resend.ts';
import {
  CallState,
  type PaymentLedger,
  type RefundEntry,
  RefundOrigin,
  RefundStatus,
} from '../shared/ledger/types.ts';
import type { Logger } from '../shared/logger.ts';
import { refundRefusalCode } from '../shared/mercadopago/errors.ts';
import type { MpPayment } from '../shared/mercadopago/types.ts';
import { classifyWriteFailure } from '../shared/mercadopago/write-failure.ts';
import { MetricName, putMetric } from '../shared/metrics.ts';
import { updateLedger } from '../shared/storage/ledger-store.ts';
import type { ReconcileDeps } from './deps.ts';
import { ATTEMPT_LOCK_MS, acquireResendLock } from './resend-lock.ts';

export const BY_RECONCILIATION = 'reconciliation';
/** Tries of one refund in all (the API's and ours): past it, only reads. */
/** A refund Mercado Pago reports from this long before ours was reserved could still be ours. */
const CANDIDATE_SLACK_MS = 60_000;

/** A refund at Mercado Pago that is not linked to another of ours, made around or after this one: maybe ours. */
const hasCandidate = (ledger: PaymentLedger, payment: MpPayment, entry: RefundEntry): boolean => {
  const linkedToOurs = new Set(
    ledger.refunds
      .filter((e) => e.origin === RefundOrigin.Api && e.id !== entry.id)
      .map((e) => e.mercadoPagoRefundId),
  );
  const since = Date.parse(entry.createdAt) - CANDIDATE_SLACK_MS;
  return payment.refunds.some((refund) => {
    if (linkedToOurs.has(refund.id)) return false;
    const created = refund.dateCreated === null ? Number.NaN : Date.parse(refund.dateCreated);
    return Number.isNaN(created) || created >= since;
  });
};

export const refundsToResend = (ledger: PaymentLedger, payment: MpPayment, nowMs: number): RefundEntry[] =>
  ledger.refunds.filter(
    (entry) =>
      entry.origin === RefundOrigin.Api &&
      entry.status === RefundStatus.Pending &&
      entry.mercadoPagoRefundId === null &&
      entry.mercadoPagoIdempotencyKey !== undefined &&
      (entry.callState === CallState.Unknown || entry.callState === CallState.InFlight) &&
      nowMs - Date.parse(entry.createdAt) <= RESEND_WINDOW_MS &&
      nowMs - Date.parse(entry.lastAttemptAt ?? entry.createdAt) > ATTEMPT_LOCK_MS &&
      (entry.attempts ?? 1) < MAX_SEND_ATTEMPTS &&
      !hasCandidate(ledger, payment, entry),
  );

const outcomeOf = async (
  deps: ReconcileDeps,
  ledger: PaymentLedger,
  entry: RefundEntry,
  options: { log: Logger; deadline: number },
): Promise<RefundOutcome> => {
  try {
    const refund = await deps.mercadoPago.createRefund(ledger.paymentId, refundRequestAmount(ledger, entry), {
      idempotencyKey: entry.mercadoPagoIdempotencyKey!,
      deadline: options.deadline,
      log: options.log,
    });
    return { kind: 'created', refund };
  } catch (error) {
    // A re-send: a refusal proves nothing (the first attempt may have refunded), so it stays pending.
    const failure = classifyWriteFailure(error, {
      firstAttempt: false,
      refusalCode: refundRefusalCode,
      refusalDetail: () => 'Mercado Pago refused the refund.',
      verb: 'refunded',
      log: options.log,
      fields: { refundId: entry.id, paymentId: ledger.paymentId },
    });
    return failure.kind === 'refused' ? { kind: 'refused', failure: failure.failure } : failure;
  }
};

export type ResendResult = 'locked' | 'gone' | RefundEntry['status'];

export const resendRefund = async (
  deps: ReconcileDeps,
  ledger: PaymentLedger,
  refundId: string,
  options: { log: Logger; deadline: number },
): Promise<ResendResult> => {
  const log = options.log.child({ refundId });
  const nowMs = deps.clock.now();
  const entry = ledger.refunds.find((e) => e.id === refundId);
  if (!entry) return 'gone';
  if (!(await acquireResendLock(deps, entry.idempotencyKey, ledger.paymentId, options.deadline)))
    return 'locked';
  const nowIso = isoAt(nowMs);
  const marked = await updateLedger<RefundEntry | null>(deps.ledgers, ledger.paymentId, ledger, (current) => {
    const fresh = current?.refunds.find((e) => e.id === refundId);
    if (
      !current ||
      !fresh ||
      fresh.status !== RefundStatus.Pending ||
      fresh.mercadoPagoRefundId !== null ||
      fresh.callState === CallState.Accepted
    ) {
      return { ledger: null, result: null };
    }
    const next = markRetry(current, refundId, nowIso);
    const nextEntry = next.refunds.find((e) => e.id === refundId)!;
    nextEntry.history.push({
      at: nowIso,
      status: RefundStatus.Pending,
      by: BY_RECONCILIATION,
      note: 're-sent with the same Mercado Pago key',
    });
    return { ledger: next, result: nextEntry };
  });
  if (!marked.result || !marked.ledger) return 'gone';
  log.warn('re-sending a refund whose outcome is unknown, with its Mercado Pago key', {
    paymentId: ledger.paymentId,
    attempts: marked.result.attempts,
  });

  const outcome = await outcomeOf(deps, marked.ledger, marked.result, { log, deadline: options.deadline });
  const settledAt = isoAt(deps.clock.now());
  const settled = await updateLedger(deps.ledgers, ledger.paymentId, marked.ledger, (current) => {
    if (!current) return { ledger: null, result: null };
    const change = settleRefund(current, refundId, outcome, settledAt, BY_RECONCILIATION, () =>
      deps.newId('rf'),
    );
    return { ledger: change.changed ? change.ledger : null, result: null, events: change.events };
  });
  const finalLedger = settled.ledger ?? marked.ledger;
  const finalEntry = finalLedger.refunds.find((e) => e.id === refundId) ?? marked.result;
  for (const event of settled.events) {
    if (event.type === 'refund.succeeded' && event.refund.id === refundId)
      putMetric(MetricName.RefundSucceeded);
    if (event.type === 'refund.failed' && event.refund.id === refundId) putMetric(MetricName.RefundFailed);
  }
  await publishLedgerEvents(deps.publisher, finalLedger, settled.events, settledAt, log);
  return finalEntry.status;
};
