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
  LedgerKind,
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
  /** REFUND_WINDOW_DAYS for the payment's (or order's) site. */
  windowDays: number;
  /** ISO: `date_approved`, or `date_created` when that is null; an order's creation date. */
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

/** The refund an order's checks allow: its amount, the payment transaction it refunds, the body sent. */
interface OrderRefundAllowed {
  amountMinor: number;
  transactionId: string;
  sendsEmptyBody: boolean;
}

/**
 * API.md's checks of an order refund, in its order (the 404 is the caller's: it read the order): charged
 * back (the order or the refunded transaction), the transaction (named, or the only one), processed,
 * refund window from the order's creation, 20 refunds, and what is left of that transaction.
 */
export const orderRefusalOf = (
  ledger: Ledger,
  request: Pick<RefundRequest, 'amount' | 'transactionId'>,
  terms: RefundTerms,
  nowMs: number,
): Failure | OrderRefundAllowed => {
  const chargedBack = (what: string): Failure => ({
    code: RefusalCode.PaymentChargedBack,
    detail: `${what} was charged back: the issuer already returned the money, a refund would pay the buyer twice.`,
  });
  if (ledger.status === 'charged_back') return chargedBack('The order');
  const transactions = ledger.order?.transactions ?? [];
  let transaction = transactions[0];
  if (request.transactionId !== undefined) {
    transaction = transactions.find((t) => t.id === request.transactionId);
    if (transaction === undefined)
      return {
        code: RefusalCode.OrderNotFound,
        detail: `Order ${ledger.id} has no payment transaction ${request.transactionId}.`,
      };
  } else if (transactions.length > 1) {
    return {
      code: RefusalCode.TransactionRequired,
      detail: `Order ${ledger.id} has ${transactions.length} payment transactions: name one with transactionId (${transactions.map((t) => t.id).join(', ')}).`,
    };
  }
  if (transaction?.status === 'charged_back') return chargedBack(`Payment transaction ${transaction.id}`);
  if (ledger.status !== 'processed') {
    return {
      code: RefusalCode.OrderNotRefundable,
      detail:
        ledger.status === 'refunded'
          ? 'The order is already fully refunded.'
          : `Only processed (paid) orders can be refunded; this one is ${ledger.status}.`,
    };
  }
  if (transaction === undefined)
    return {
      code: RefusalCode.OrderNotRefundable,
      detail: 'The order has no payment transaction to refund.',
    };
  const createdMs = Date.parse(terms.approvedAt ?? '');
  if (!Number.isNaN(createdMs) && nowMs > createdMs + terms.windowDays * DAY_MS) {
    return {
      code: RefusalCode.RefundWindowExpired,
      detail: `Orders can be refunded for ${terms.windowDays} days after their creation (${new Date(createdMs).toISOString()}).`,
    };
  }
  const sums = totals(ledger);
  if (sums.activeCount >= MAX_ACTIVE_REFUNDS) {
    return {
      code: RefusalCode.RefundLimitReached,
      detail: `The order already has ${sums.activeCount} refunds; ${MAX_ACTIVE_REFUNDS} is the limit.`,
    };
  }
  // A refund that names no transaction counts against each one: what is left is never overstated.
  const ofTransaction = ledger.refunds.filter(
    (e) =>
      e.status !== RefundStatus.Failed &&
      (transactions.length === 1 || e.transactionId === undefined || e.transactionId === transaction.id),
  );
  const transactionLeft = transaction.amountMinor - ofTransaction.reduce((sum, e) => sum + e.amountMinor, 0);
  const leftMinor = Math.max(0, Math.min(transactionLeft, sums.refundableMinor));
  const amountMinor = request.amount === 'all' ? leftMinor : request.amount;
  if (amountMinor <= 0 || amountMinor > leftMinor) {
    const left = fromMinorUnits(leftMinor, decimalsOf(ledger.currency));
    const detail =
      leftMinor === 0
        ? sums.pendingMinor > 0
          ? 'Nothing is left to refund: the rest of the order is in pending refunds.'
          : 'Nothing is left to refund.'
        : `The amount is more than what is left to refund (${left} ${ledger.currency}).`;
    return { code: RefusalCode.AmountExceedsRefundable, detail };
  }
  if (ledger.refunds.length >= MAX_LEDGER_REFUNDS) {
    return {
      code: RefusalCode.RefundLimitReached,
      detail: 'Too many refund attempts on this order; contact support.',
    };
  }
  return {
    amountMinor,
    transactionId: transaction.id,
    // No body refunds the whole order: only for all of its only transaction, untouched.
    sendsEmptyBody:
      request.amount === 'all' &&
      transactions.length === 1 &&
      ofTransaction.length === 0 &&
      amountMinor === transaction.amountMinor,
  };
};

const checksOf = (
  current: Ledger,
  request: RefundRequest,
  terms: RefundTerms,
  nowMs: number,
):
  | Failure
  | OrderRefundAllowed
  | { amountMinor: number; transactionId: undefined; sendsEmptyBody: boolean } => {
  if (current.kind === LedgerKind.Order) return orderRefusalOf(current, request, terms, nowMs);
  const checked = refusalOf(current, request, terms, nowMs);
  if ('code' in checked) return checked;
  const untouched = current.refunds.every((e) => e.status === RefundStatus.Failed);
  return {
    amountMinor: checked.amountMinor,
    transactionId: undefined,
    sendsEmptyBody: request.amount === 'all' && checked.amountMinor === current.totalMinor && untouched,
  };
};

export const reserveRefund = (
  current: Ledger,
  request: RefundRequest,
  terms: RefundTerms,
  context: RuleContext,
): LedgerChange<Reservation> => {
  const checked = checksOf(current, request, terms, nowMsOf(context));
  if ('code' in checked) return unchanged({ kind: 'refused', failure: checked });
  const draft = draftOf(current, context);
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
    sendsEmptyBody: checked.sendsEmptyBody,
    reason: request.reason,
    externalReference: request.externalReference,
    transactionId: checked.transactionId,
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
