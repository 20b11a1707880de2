/**
 * A pending cancellation (its answer was lost): once the payment has been re-read, a payment still
 * cancellable gets the same PUT again with the same Mercado Pago key, only shortly after the first attempt
 * and once that attempt has certainly ended. Anything else waits for a read to settle it.
 */

import { isoAt } from '../shared/clock.ts';
import { publishLedgerEvents } from '../shared/events/ledger-events.ts';
import {
  beginCancellation,
  type CancellationOutcome,
  cancellationOutcomeOf,
  isCancellableStatus,
  recordCancellationCall,
} from '../shared/ledger/cancellation.ts';
import { MAX_SEND_ATTEMPTS, RESEND_WINDOW_MS } from '../shared/ledger/resend.ts';
import { CancellationStatus, type PaymentLedger } from '../shared/ledger/types.ts';
import type { Logger } from '../shared/logger.ts';
import { cancellationRefusalCode } from '../shared/mercadopago/errors.ts';
import type { MpCancellation, MpPayment } from '../shared/mercadopago/types.ts';
import { classifyWriteFailure } from '../shared/mercadopago/write-failure.ts';
import { MetricName, putMetric } from '../shared/metrics.ts';
import { updateLedger } from '../shared/storage/ledger-store.ts';
import type { ReconcileDeps } from './deps.ts';
import { ATTEMPT_LOCK_MS, acquireResendLock } from './resend-lock.ts';
import { BY_RECONCILIATION } from './resend-refund.ts';

export const shouldResendCancellation = (
  ledger: PaymentLedger,
  payment: MpPayment,
  nowMs: number,
): boolean => {
  const record = ledger.cancellation;
  return (
    record?.status === CancellationStatus.Pending &&
    isCancellableStatus(payment.status) &&
    !payment.inPerson &&
    nowMs - Date.parse(record.createdAt) <= RESEND_WINDOW_MS &&
    nowMs - Date.parse(record.lastAttemptAt) > ATTEMPT_LOCK_MS &&
    record.attempts < MAX_SEND_ATTEMPTS
  );
};

export const resendCancellation = async (
  deps: ReconcileDeps,
  ledger: PaymentLedger,
  payment: MpPayment,
  options: { log: Logger; deadline: number },
): Promise<CancellationStatus | 'locked' | 'gone'> => {
  const { log } = options;
  const record = ledger.cancellation;
  if (record?.status !== CancellationStatus.Pending) return 'gone';
  const nowMs = deps.clock.now();
  if (!(await acquireResendLock(deps, record.idempotencyKey, ledger.paymentId, options.deadline)))
    return 'locked';
  const nowIso = isoAt(nowMs);
  const begun = await updateLedger<boolean>(deps.ledgers, ledger.paymentId, ledger, (current) => {
    const fresh = current?.cancellation;
    if (!current || fresh?.status !== CancellationStatus.Pending) return { ledger: null, result: false };
    const next = beginCancellation(current, {
      idempotencyKey: fresh.idempotencyKey,
      mercadoPagoIdempotencyKey: fresh.mercadoPagoIdempotencyKey,
      by: BY_RECONCILIATION,
      now: nowIso,
    });
    return { ledger: next.ledger, result: true };
  });
  if (!begun.result || !begun.ledger) return 'gone';
  log.warn('re-sending a cancellation whose outcome is unknown, with its Mercado Pago key', {
    paymentId: ledger.paymentId,
  });

  let outcome: CancellationOutcome;
  let answer: MpCancellation | undefined;
  try {
    answer = await deps.mercadoPago.cancelPayment(ledger.paymentId, {
      idempotencyKey: record.mercadoPagoIdempotencyKey,
      deadline: options.deadline,
      log,
    });
    outcome = cancellationOutcomeOf(answer);
  } catch (error) {
    // A re-send: a refusal proves nothing (the first attempt may have cancelled), so it stays pending.
    const failure = classifyWriteFailure(error, {
      firstAttempt: false,
      refusalCode: cancellationRefusalCode,
      refusalDetail: () => 'Mercado Pago refused the cancellation.',
      verb: 'cancelled',
      log: options.log,
      fields: { paymentId: ledger.paymentId },
    });
    outcome = failure.kind === 'refused' ? { kind: 'refused', failure: failure.failure } : failure;
  }

  const settledAt = isoAt(deps.clock.now());
  const settled = await updateLedger(deps.ledgers, ledger.paymentId, begun.ledger, (current) => {
    if (!current) return { ledger: null, result: null };
    const recorded = recordCancellationCall(
      current,
      payment,
      answer,
      outcome,
      settledAt,
      BY_RECONCILIATION,
      () => deps.newId('rf'),
    );
    return { ledger: recorded.changed ? recorded.ledger : null, result: null, events: recorded.events };
  });
  const finalLedger = settled.ledger ?? begun.ledger;
  const status = finalLedger.cancellation?.status ?? CancellationStatus.Pending;
  if (status === CancellationStatus.Cancelled) putMetric(MetricName.CancellationSucceeded);
  await publishLedgerEvents(deps.publisher, finalLedger, settled.events, settledAt, log);
  return status;
};
