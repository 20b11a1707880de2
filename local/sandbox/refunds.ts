/**
 * Refund rules, in the order the sandbox checks them: payment found (404 code 2000), amount well formed,
 * payment `approved` (400 code 2063), refund window from date_approved (404 code 2024: the reference lists
 * "too old" under 404), at most 20 refunds, amount not above what is left, in_process refunds only for
 * clients that send `X-Render-In-Process-Refunds: true`, seller balance. The last four have no documented
 * code: their answers carry an empty `cause` and only a message.
 */
import { decimalsOf, toMinorUnits } from '../../functions/model/money.ts';
import { MAX_REFUNDS_PER_PAYMENT, type SandboxContext } from './context.ts';
import { DAY_MS } from './dates.ts';
import { badRequest, mpError, paymentNotFound, SandboxControlError } from './mp-errors.ts';
import { announcePayment, applyRefundTotals, refundTotals, visiblePayment } from './payments.ts';
import type { BalanceLanguage, PaymentRecord, RefundOrigin, RefundRecord, RefundStatus } from './state.ts';

export interface RefundRequest {
  /** Major units; undefined = what is left. */
  amount: number | undefined;
  /** The client sent `X-Render-In-Process-Refunds: true`. */
  renderInProcess: boolean;
  origin: RefundOrigin;
}

const INSUFFICIENT_BALANCE: Record<BalanceLanguage, string> = {
  en: 'Insufficient balance to complete the refund',
  es: 'Saldo insuficiente para realizar la devolución',
  pt: 'Saldo insuficiente para realizar o reembolso',
};

const refundWindowDays = (ctx: SandboxContext, payment: PaymentRecord): number =>
  ctx.settings.refundWindowDaysBySite[payment.siteId] ?? ctx.settings.refundWindowDays;

export const createRefund = (
  ctx: SandboxContext,
  paymentId: string,
  request: RefundRequest,
): RefundRecord => {
  const now = ctx.now();
  const payment = visiblePayment(ctx, paymentId);
  if (!payment) throw paymentNotFound(now);

  let requestedMinor: number | undefined;
  if (request.amount !== undefined) {
    const minor = toMinorUnits(request.amount, decimalsOf(payment.currency));
    if (minor === null)
      throw badRequest(now, `Invalid amount: too many decimal places for ${payment.currency}`);
    if (minor <= 0) throw badRequest(now, 'Invalid amount: must be greater than zero');
    requestedMinor = minor;
  }
  if (payment.status !== 'approved') {
    throw badRequest(now, 'The action requested is not valid for the current payment state', 2063);
  }
  const approvedAt = payment.dateApproved ?? payment.dateCreated;
  if (now > approvedAt + refundWindowDays(ctx, payment) * DAY_MS) {
    throw mpError(now, 404, 'not_found', 'Payment too old to be refunded', 2024);
  }
  const totals = refundTotals(ctx, payment);
  if (totals.activeCount >= MAX_REFUNDS_PER_PAYMENT) {
    throw badRequest(now, `The payment has reached the maximum of ${MAX_REFUNDS_PER_PAYMENT} refunds`);
  }
  const leftMinor = payment.amountMinor - totals.approvedMinor - totals.heldMinor;
  const amountMinor = requestedMinor ?? leftMinor;
  if (amountMinor > leftMinor || amountMinor <= 0) {
    throw badRequest(now, 'The amount to refund is greater than the amount available for this payment');
  }
  const status: RefundStatus =
    request.origin === 'api' ? (ctx.store.nextRefundStatuses[0] ?? 'approved') : 'approved';
  if (status === 'in_process' && !request.renderInProcess) {
    throw badRequest(
      now,
      'The refund could not be processed synchronously. Send the header X-Render-In-Process-Refunds: true to receive in_process refunds',
    );
  }
  const balance = ctx.store.balances.get(payment.currency);
  if (status !== 'rejected' && balance !== undefined && balance < amountMinor) {
    throw badRequest(now, INSUFFICIENT_BALANCE[ctx.store.balanceLanguage]);
  }

  if (request.origin === 'api' && ctx.store.nextRefundStatuses.length > 0)
    ctx.store.nextRefundStatuses.shift();
  if (status !== 'rejected' && balance !== undefined)
    ctx.store.balances.set(payment.currency, balance - amountMinor);
  const refund: RefundRecord = {
    id: ctx.ids.refund.next(),
    paymentId: payment.id,
    amountMinor,
    status,
    origin: request.origin,
    dateCreated: now,
  };
  ctx.store.refunds.set(refund.id, refund);
  payment.refundIds.push(refund.id);
  payment.dateLastUpdated = now;
  applyRefundTotals(ctx, payment);
  ctx.log(`refund ${refund.id} of payment ${payment.id}: ${status} (${refund.origin})`);
  announcePayment(ctx, payment, 'payment.updated');
  return refund;
};

export type SettledRefundStatus = 'approved' | 'rejected' | 'cancelled';

/** Control API: an in_process refund settles (e.g. a Pix refund is confirmed or fails). */
export const settleRefund = (
  ctx: SandboxContext,
  refundId: string,
  status: SettledRefundStatus,
): RefundRecord => {
  const refund = ctx.store.refunds.get(refundId);
  if (!refund) throw new SandboxControlError(`no refund ${refundId}`);
  if (refund.status !== 'in_process') throw new SandboxControlError(`refund ${refundId} is ${refund.status}`);
  if (!['approved', 'rejected', 'cancelled'].includes(status))
    throw new SandboxControlError(`bad status ${status}`);
  const payment = ctx.store.payments.get(refund.paymentId)!;
  refund.status = status;
  if (status !== 'approved') {
    const balance = ctx.store.balances.get(payment.currency);
    if (balance !== undefined) ctx.store.balances.set(payment.currency, balance + refund.amountMinor);
  }
  payment.dateLastUpdated = ctx.now();
  applyRefundTotals(ctx, payment);
  ctx.log(`refund ${refund.id} of payment ${payment.id} settled: ${status}`);
  announcePayment(ctx, payment, 'payment.updated');
  return refund;
};
