/**
 * The one money path of a refund: an attempt already recorded in flight (a reservation, a resume or a
 * re-send) is sent to Mercado Pago with the refund's own key, and what it proves is recorded under the
 * settlement rules. Used by the refund route and by reconciliation; answers a domain outcome that each maps
 * to what it needs (an HTTP answer, a report line).
 */

import type { Actor } from '../model/actor.ts';
import { mercadoPagoRefundKey } from '../model/ledger/attempts.ts';
import type { LedgerEvent } from '../model/ledger/change.ts';
import { type RefundCallOutcome, recordRefundCall } from '../model/ledger/refund-call.ts';
import { type Ledger, type OurRefund, RefundStatus } from '../model/ledger/types.ts';
import { decimalsOf, fromMinorUnits } from '../model/money.ts';
import type { Logger } from '../observability/logger.ts';
import { MetricName, putMetric } from '../observability/metrics.ts';
import { refundRefusalCode } from '../ports/mercadopago-errors.ts';
import { classifyWriteFailure } from './classify-write.ts';
import { type LedgerDeps, type MercadoPagoDeps, ruleContext } from './deps.ts';
import { observeEvents } from './observe.ts';
import { updateLedger } from './update-ledger.ts';

export interface RefundAttempt {
  ledger: Ledger;
  entry: OurRefund;
  attempt: number;
  by: Actor;
  deadline: number;
  log: Logger;
}

export type SentRefund =
  | { kind: 'recorded'; ledger: Ledger; entry: OurRefund; events: readonly LedgerEvent[] }
  /** Mercado Pago certainly never received it: the reservation was withdrawn (503). */
  | { kind: 'not_sent'; ledger: Ledger; retryAfterSeconds: number };

const refusalDetail = (code: string): string => {
  switch (code) {
    case 'PAYMENT_NOT_FOUND':
      return 'Mercado Pago did not find the payment.';
    case 'REFUND_WINDOW_EXPIRED':
      return 'Mercado Pago says the payment is too old to refund.';
    case 'PARTIAL_REFUND_NOT_SUPPORTED':
      return 'This payment only accepts a refund of its whole amount.';
    case 'PAYMENT_NOT_REFUNDABLE':
      return 'Mercado Pago says the payment cannot be refunded in its current state.';
    case 'INSUFFICIENT_BALANCE':
      return 'The seller account does not have enough balance for this refund.';
    default:
      return 'Mercado Pago refused the refund.';
  }
};

/** The amount sent (major units), or undefined for `{}`: fixed at reservation, the same on every attempt. */
export const refundRequestAmount = (
  ledger: Pick<Ledger, 'currency'>,
  entry: OurRefund,
): number | undefined =>
  entry.sendsEmptyBody ? undefined : fromMinorUnits(entry.amountMinor, decimalsOf(ledger.currency));

export const sendRefund = async (
  deps: LedgerDeps & MercadoPagoDeps,
  input: RefundAttempt,
): Promise<SentRefund> => {
  const { ledger, entry, attempt, log } = input;
  const fields = { refundId: entry.id, subjectId: ledger.id, attempt };
  let outcome: RefundCallOutcome;
  let retryAfterSeconds = 0;
  try {
    const refund = await deps.mercadoPago.createRefund(ledger.id, refundRequestAmount(ledger, entry), {
      idempotencyKey: mercadoPagoRefundKey(entry),
      deadline: input.deadline,
      log,
    });
    outcome = {
      kind: 'answered',
      refund,
      requestId: refund.mercadoPagoRequestId,
    };
  } catch (error) {
    const failure = classifyWriteFailure(error, {
      attempt,
      refusalCode: refundRefusalCode,
      refusalDetail,
      verb: 'refunded',
      log,
      fields,
    });
    if (failure.kind === 'not_sent') retryAfterSeconds = failure.retryAfterSeconds;
    outcome = failure;
  }

  const recorded = await updateLedger(
    deps.ledgers,
    ledger.id,
    ledger,
    (current) =>
      current
        ? recordRefundCall(current, entry.id, attempt, outcome, ruleContext(deps, input.by))
        : { ledger: null, events: [], result: { kind: 'gone' as const } },
    deps.conflicts,
  );
  const stored = recorded.ledger ?? ledger;
  const result = recorded.result;
  if (result.kind === 'withdrawn') return { kind: 'not_sent', ledger: stored, retryAfterSeconds };
  const final = result.kind === 'recorded' ? result.entry : entry;
  if (final.status === RefundStatus.Succeeded) putMetric(MetricName.RefundSucceeded);
  else if (final.status === RefundStatus.Failed) putMetric(MetricName.RefundFailed);
  else putMetric(MetricName.RefundPending);
  observeEvents(recorded.events, log, { countSettlements: false, fields });
  return { kind: 'recorded', ledger: stored, entry: final, events: recorded.events };
};
