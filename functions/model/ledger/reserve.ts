/**
 * A new refund of ours: API.md's checks, in its order, on a ledger just brought up to date with a fresh read
 * of the payment; then the reservation, a pending refund that counts against the amount and the 20-refund
 * limit at once, with its first attempt in flight until `lockUntil`.
 */

import { actorName } from '../actor.ts';
import { type Failure, RefusalCode } from '../codes.ts';
import { decimalsOf, fromMinorUnits } from '../money.ts';
import { nowMsOf, type RuleContext } from '../settings.ts';
import { draftOf, finish, type LedgerChange, note, scheduleNewWork, unchanged } from './change.ts';
import { MAX_ACTIVE_REFUNDS, MAX_LEDGER_REFUNDS, totals } from './totals.ts';
import {
  CallState,
  ChargebackKind,
  ChargebackStatus,
  type Ledger,
  type OurRefund,
  RefundOrigin,
  RefundStatus,
} from './types.ts';

export interface RefundRequest {
  refundId: string;
  /** Minor units, or 'all' for everything left. */
  amount: number | 'all';
  idempotencyKey: string;
  fingerprint: string;
  reason?: string;
  externalReference?: string;
  transactionId?: string;
  /** When the first attempt will certainly have ended (its function's lock). */
  lockUntil: string;
}

export interface RefundTerms {
  /** REFUND_WINDOW_DAYS for the payment's site. */
  windowDays: number;
  /** ISO: `date_approved`, or `date_created` when that is null. */
  approvedAt: string | null;
}

export type Reservation = { kind: 'reserved'; entry: OurRefund } | { kind: 'refused'; failure: Failure };

const DAY_MS = 86_400_000;

/** The checks before any call, in API.md's order (the 404 is the caller's: it read the payment). */
export const refusalOf = (
  ledger: Ledger,
  request: Pick<RefundRequest, 'amount'>,
  terms: RefundTerms,
  nowMs: number,
): Failure | { amountMinor: number } => {
  const { status } = ledger;
  // A chargeback recorded open or lost refuses too, even when the payment's status has not caught up yet.
  const chargedBack = (ledger.chargebacks ?? []).find(
    (c) => c.kind === ChargebackKind.Chargeback && c.status !== ChargebackStatus.Won,
  );
  if (status === 'charged_back' || chargedBack !== undefined)
    return {
      code: RefusalCode.PaymentChargedBack,
      detail:
        'The payment was charged back: the issuer already returned the money, a refund would pay the buyer twice.',
    };
  if (status === 'in_mediation')
    return {
      code: RefusalCode.PaymentInMediation,
      detail: "The payment is in mediation: the buyer's claim decides, not a refund.",
    };
  const sums = totals(ledger);
  if (status !== 'approved') {
    const detail =
      status === 'refunded'
        ? 'The payment is already fully refunded.'
        : `Only approved payments can be refunded; this one is ${status}.`;
    return { code: RefusalCode.PaymentNotRefundable, detail };
  }
  const approvedMs = Date.parse(terms.approvedAt ?? '');
  if (!Number.isNaN(approvedMs) && nowMs > approvedMs + terms.windowDays * DAY_MS) {
    return {
      code: RefusalCode.RefundWindowExpired,
      detail: `Refunds are allowed for ${terms.windowDays} days after approval (${new Date(approvedMs).toISOString()}).`,
    };
  }
  if (sums.activeCount >= MAX_ACTIVE_REFUNDS) {
    return {
      code: RefusalCode.RefundLimitReached,
      detail: `The payment already has ${sums.activeCount} refunds; ${MAX_ACTIVE_REFUNDS} is the limit.`,
    };
  }
  const amountMinor = request.amount === 'all' ? sums.refundableMinor : request.amount;
  if (amountMinor <= 0 || amountMinor > sums.refundableMinor) {
    const left = fromMinorUnits(sums.refundableMinor, decimalsOf(ledger.currency));
    const detail =
      sums.refundableMinor === 0
        ? sums.pendingMinor > 0
          ? 'Nothing is left to refund: the rest of the payment is in pending refunds.'
          : 'Nothing is left to refund.'
        : `The amount is more than what is left to refund (${left} ${ledger.currency}).`;
    return { code: RefusalCode.AmountExceedsRefundable, detail };
  }
  if (ledger.refunds.length >= MAX_LEDGER_REFUNDS) {
    return {
      code: RefusalCode.RefundLimitReached,
      detail: 'Too many refund attempts on this payment; contact support.',
    };
  }
  return { amountMinor };
};

export const reserveRefund = (
  current: Ledger,
  request: RefundRequest,
  terms: RefundTerms,
  context: RuleContext,
): LedgerChange<Reservation> => {
  const checked = refusalOf(current, request, terms, nowMsOf(context));
  if ('code' in checked) return unchanged({ kind: 'refused', failure: checked });
  const draft = draftOf(current, context);
  const untouched = current.refunds.every((e) => e.status === RefundStatus.Failed);
  const entry: OurRefund = {
    id: request.refundId,
    origin: RefundOrigin.Api,
    amountMinor: checked.amountMinor,
    status: RefundStatus.Pending,
    mercadoPagoRefundId: null,
    idempotencyKey: request.idempotencyKey,
    fingerprint: request.fingerprint,
    requestedBy: actorName(context.by),
    fullRefund: request.amount === 'all',
    sendsEmptyBody: request.amount === 'all' && checked.amountMinor === current.totalMinor && untouched,
    reason: request.reason,
    externalReference: request.externalReference,
    transactionId: request.transactionId,
    call: {
      state: CallState.InFlight,
      attempts: 1,
      lastAttemptAt: context.now,
      inFlightUntil: request.lockUntil,
    },
    createdAt: context.now,
    updatedAt: context.now,
  };
  draft.ledger.refunds.push(entry);
  draft.events.push({ kind: 'refund.recorded', refund: structuredClone(entry) });
  note(
    draft,
    'refund_reserved',
    `${entry.id}: ${checked.amountMinor} minor units, key ${request.idempotencyKey}`,
  );
  scheduleNewWork(draft);
  return finish(draft, { kind: 'reserved', entry: structuredClone(entry) });
};
