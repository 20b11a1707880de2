/**
 * The one money path of a refund: an attempt already recorded in flight (a reservation, a resume or a
 * re-send) is sent to Mercado Pago with the refund's own key, and what it proves is recorded under the
 * settlement rules. Used by the refund routes (payments and orders) and by reconciliation; answers a domain
 * outcome that each maps to what it needs (an HTTP answer, a report line). A payment's refund is a Payments
 * call, an order's an Orders call (`transactions.refunds[]` answered: order-refund-answer.ts picks ours).
 */

import type { Actor } from '../model/actor.ts';
import { must } from '../model/invariant.ts';
import { mercadoPagoRefundKey } from '../model/ledger/attempts.ts';
import type { LedgerChange, LedgerEvent } from '../model/ledger/change.ts';
import { type OrderRefundAnswer, recordOrderRefundAnswer } from '../model/ledger/order-refund-answer.ts';
import { type RecordedCall, type RefundCallOutcome, recordRefundCall } from '../model/ledger/refund-call.ts';
import { type Ledger, LedgerKind, type OurRefund, RefundStatus } from '../model/ledger/types.ts';
import { decimalsOf, fromMinorUnits, toDecimalString } from '../model/money.ts';
import type { RuleContext } from '../model/settings.ts';
import type { Logger } from '../observability/logger.ts';
import { MetricName, putMetric } from '../observability/metrics.ts';
import type { OrderRefundPart } from '../ports/mercadopago.ts';
import { orderRefundRefusalCode, refundRefusalCode } from '../ports/mercadopago-errors.ts';
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
    case 'ORDER_NOT_FOUND':
      return 'Mercado Pago did not find the order or its payment transaction.';
    case 'ORDER_NOT_REFUNDABLE':
      return 'Mercado Pago says the order cannot be refunded in its current state (or is already refunded).';
    case 'AMOUNT_EXCEEDS_REFUNDABLE':
      return 'Mercado Pago says the amount exceeds what is left to refund.';
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

/** An order refund's part (one transaction and an amount), or undefined for no body: fixed at reservation. */
export const orderRefundPart = (
  ledger: Pick<Ledger, 'currency'>,
  entry: OurRefund,
): OrderRefundPart | undefined =>
  entry.sendsEmptyBody
    ? undefined
    : {
        transactionId: must(entry.transactionId, 'an order refund names its transaction'),
        amount: toDecimalString(entry.amountMinor, decimalsOf(ledger.currency)),
      };

/** What a refund's call ended with, recorded on the ledger as it is then (its rule, with its outcome). */
type Recording = (current: Ledger, context: RuleContext) => LedgerChange<RecordedCall>;

/** The call itself: Payments `POST /v1/payments/{id}/refunds`, or Orders `POST /v1/orders/{id}/refund`. */
const callMercadoPago = async (
  deps: MercadoPagoDeps,
  input: RefundAttempt,
): Promise<{ record: Recording; retryAfterSeconds: number }> => {
  const { ledger, entry, attempt, log } = input;
  const call = { idempotencyKey: mercadoPagoRefundKey(entry), deadline: input.deadline, log };
  const ofOutcome =
    (outcome: RefundCallOutcome): Recording =>
    (current, context) =>
      recordRefundCall(current, entry.id, attempt, outcome, context);
  const isOrder = ledger.kind === LedgerKind.Order;
  try {
    if (isOrder) {
      const answer = await deps.mercadoPago.refundOrder(ledger.id, orderRefundPart(ledger, entry), call);
      const orderAnswer: OrderRefundAnswer = {
        // Ids are compared upper case, as this service stores them.
        orderId: answer.orderId.toUpperCase(),
        refunds: answer.refunds,
        requestId: answer.mercadoPagoRequestId,
      };
      return {
        record: (current, context) =>
          recordOrderRefundAnswer(current, entry.id, attempt, orderAnswer, context),
        retryAfterSeconds: 0,
      };
    }
    const refund = await deps.mercadoPago.createRefund(ledger.id, refundRequestAmount(ledger, entry), call);
    return {
      record: ofOutcome({ kind: 'answered', refund, requestId: refund.mercadoPagoRequestId }),
      retryAfterSeconds: 0,
    };
  } catch (error) {
    const failure = classifyWriteFailure(error, {
      attempt,
      refusalCode: isOrder ? orderRefundRefusalCode : refundRefusalCode,
      refusalDetail,
      verb: 'refunded',
      log,
      fields: { refundId: entry.id, subjectId: ledger.id, attempt },
    });
    return {
      record: ofOutcome(failure),
      retryAfterSeconds: failure.kind === 'not_sent' ? failure.retryAfterSeconds : 0,
    };
  }
};

export const sendRefund = async (
  deps: LedgerDeps & MercadoPagoDeps,
  input: RefundAttempt,
): Promise<SentRefund> => {
  const { ledger, entry, attempt, log } = input;
  const fields = { refundId: entry.id, subjectId: ledger.id, attempt };
  const { record, retryAfterSeconds } = await callMercadoPago(deps, input);

  const recorded = await updateLedger(
    deps.ledgers,
    ledger.id,
    ledger,
    (current) =>
      current
        ? record(current, ruleContext(deps, input.by))
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
