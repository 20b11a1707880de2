/**
 * The answer to an Orders refund call (`POST /v1/orders/{id}/refund`): the order and `transactions.refunds[]`,
 * which may list refunds other than the one this call made. API.md: ours is the one refund entry of the
 * answer not linked to another refund of ours, for the transaction we asked for, with our amount; none or
 * several is no evidence (the outcome stays unknown, settled later by a re-read or a re-send). An answer
 * about another order is no evidence either. Decided on the ledger as it is when the outcome is recorded.
 */

import type { RefundFact } from '../facts.ts';
import { decimalsOf, roundToMinorUnits } from '../money.ts';
import type { RuleContext } from '../settings.ts';
import { type LedgerChange, unchanged } from './change.ts';
import { type RecordedCall, recordRefundCall } from './refund-call.ts';
import { isOurs, type Ledger, type OurRefund, RefundOrigin } from './types.ts';

export interface OrderRefundAnswer {
  /** The order the answer is about (its `id`). */
  orderId: string;
  refunds: readonly RefundFact[];
  requestId?: string;
}

/** The refund of `answer` that is `entry`'s, or null when the answer does not single one out. */
export const ourRefundInAnswer = (
  ledger: Ledger,
  entry: OurRefund,
  answer: OrderRefundAnswer,
): RefundFact | null => {
  const linked = entry.mercadoPagoRefundId;
  if (linked !== null) return answer.refunds.find((fact) => fact.id === linked) ?? null;
  const decimals = decimalsOf(ledger.currency);
  const heldElsewhere = (id: string): boolean =>
    ledger.refunds.some(
      (other) =>
        other.id !== entry.id &&
        other.mercadoPagoRefundId === id &&
        // A record made while a refund of ours could still be it is not another refund's.
        !(other.origin === RefundOrigin.External && other.provisional),
    );
  const ofOurAmount = (fact: RefundFact): boolean => {
    const minor = roundToMinorUnits(fact.amount, decimals);
    // A full refund sent without a body refunds what was left then: up to what it reserved.
    return entry.sendsEmptyBody ? minor > 0 && minor <= entry.amountMinor : minor === entry.amountMinor;
  };
  const candidates = answer.refunds.filter(
    (fact) =>
      !heldElsewhere(fact.id) &&
      (!fact.transactionId ||
        entry.transactionId === undefined ||
        fact.transactionId === entry.transactionId) &&
      ofOurAmount(fact),
  );
  return candidates.length === 1 ? (candidates[0] ?? null) : null;
};

/** Records what attempt `attempt` of an order refund's call was answered, under the evidence rules. */
export const recordOrderRefundAnswer = (
  current: Ledger,
  refundId: string,
  attempt: number,
  answer: OrderRefundAnswer,
  context: RuleContext,
): LedgerChange<RecordedCall> => {
  const entry = current.refunds.find((e) => e.id === refundId);
  if (!entry || !isOurs(entry)) return unchanged<RecordedCall>({ kind: 'gone' });
  const requestId = answer.requestId === undefined ? {} : { requestId: answer.requestId };
  if (answer.orderId !== current.id) {
    // Not evidence: any fact naming the other order makes recordRefundCall keep the outcome unknown.
    const about: RefundFact = {
      id: answer.refunds[0]?.id ?? '(none)',
      subjectId: answer.orderId,
      amount: 0,
      status: '',
      dateCreated: null,
    };
    return recordRefundCall(
      current,
      refundId,
      attempt,
      { kind: 'answered', refund: about, ...requestId },
      context,
    );
  }
  const ours = ourRefundInAnswer(current, entry, answer);
  if (ours === null) {
    return recordRefundCall(
      current,
      refundId,
      attempt,
      {
        kind: 'unknown',
        detail: `the answer lists ${answer.refunds.length} refund(s), none singled out as this one`,
        ...requestId,
      },
      context,
    );
  }
  return recordRefundCall(
    current,
    refundId,
    attempt,
    { kind: 'answered', refund: { ...ours, subjectId: current.id }, ...requestId },
    context,
  );
};
