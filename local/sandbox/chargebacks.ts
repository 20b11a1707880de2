/**
 * Chargebacks (NOTES-orders-reports-chargebacks.md §3): a case opened on an approved payment makes it
 * `charged_back`/`in_process` (documentation `pending`, deadline 10 days later unless given); the seller wins
 * (`coverage_applied: true`, payment `charged_back`/`reimbursed`) or loses (`false`, `settled`). Each change
 * announces a chargeback notification (and a payment one). Case ids have 18 digits.
 */
import { decimalsOf, toMinorUnits } from '../../functions/model/money.ts';
import type { SandboxContext } from './context.ts';
import { DAY_MS, type DateInput, toEpochMs } from './dates.ts';
import { SandboxControlError } from './mp-errors.ts';
import { paymentOrThrow, setPaymentStatus } from './payments.ts';
import type { ChargebackRecord } from './state.ts';

export const DOCUMENTATION_DAYS = 10;

export interface OpenChargebackInput {
  /** Major units; default the payment's amount. */
  amount?: number;
  reason?: string;
  /** Documentation deadline; default 10 days from now; null: none. */
  deadline?: DateInput | null;
}

export type ChargebackOutcome = 'won' | 'lost';

const announce = (ctx: SandboxContext, chargeback: ChargebackRecord): void => {
  const payment = paymentOrThrow(ctx, chargeback.paymentId);
  if (payment.collectorId !== ctx.settings.userId) return;
  ctx.changes.chargebackChanged({
    chargebackId: chargeback.id,
    paymentId: chargeback.paymentId,
    siteId: chargeback.siteId,
  });
};

export const openChargeback = (
  ctx: SandboxContext,
  paymentId: string,
  input: OpenChargebackInput,
): ChargebackRecord => {
  const payment = paymentOrThrow(ctx, paymentId);
  if (payment.dateApproved === null || payment.status === 'charged_back') {
    throw new SandboxControlError(`payment ${paymentId} is ${payment.status}: it cannot be charged back`);
  }
  let amountMinor = payment.amountMinor;
  if (input.amount !== undefined) {
    const minor = toMinorUnits(input.amount, decimalsOf(payment.currency));
    if (minor === null || minor <= 0 || minor > payment.amountMinor)
      throw new SandboxControlError(
        `chargeback amount ${input.amount} is not valid for payment ${paymentId}`,
      );
    amountMinor = minor;
  }
  const now = ctx.now();
  const chargeback: ChargebackRecord = {
    id: ctx.ids.chargeback.next(),
    paymentId,
    siteId: payment.siteId,
    currency: payment.currency,
    amountMinor,
    reason: input.reason ?? 'general',
    coverageApplied: null,
    documentationRequired: true,
    documentationStatus: 'pending',
    deadline:
      input.deadline === null
        ? null
        : input.deadline === undefined
          ? now + DOCUMENTATION_DAYS * DAY_MS
          : toEpochMs(input.deadline),
    dateCreated: now,
    dateLastUpdated: now,
  };
  ctx.store.chargebacks.set(chargeback.id, chargeback);
  setPaymentStatus(ctx, paymentId, 'charged_back', 'in_process');
  ctx.log(`chargeback ${chargeback.id} opened on payment ${paymentId}`);
  announce(ctx, chargeback);
  return chargeback;
};

export const chargebackOrThrow = (ctx: SandboxContext, id: string): ChargebackRecord => {
  const chargeback = ctx.store.chargebacks.get(id);
  if (!chargeback) throw new SandboxControlError(`no chargeback ${id}`);
  return chargeback;
};

export const resolveChargeback = (
  ctx: SandboxContext,
  id: string,
  outcome: ChargebackOutcome,
): ChargebackRecord => {
  const chargeback = chargebackOrThrow(ctx, id);
  if (chargeback.coverageApplied !== null)
    throw new SandboxControlError(`chargeback ${id} is already decided`);
  if (outcome !== 'won' && outcome !== 'lost') throw new SandboxControlError(`bad outcome ${outcome}`);
  chargeback.coverageApplied = outcome === 'won';
  chargeback.documentationStatus = outcome === 'won' ? 'valid' : 'invalid';
  chargeback.dateLastUpdated = ctx.now();
  setPaymentStatus(ctx, chargeback.paymentId, 'charged_back', outcome === 'won' ? 'reimbursed' : 'settled');
  ctx.log(`chargeback ${id} ${outcome}`);
  announce(ctx, chargeback);
  return chargeback;
};

export const setChargebackDeadline = (
  ctx: SandboxContext,
  id: string,
  deadline: DateInput | null,
): ChargebackRecord => {
  const chargeback = chargebackOrThrow(ctx, id);
  chargeback.deadline = deadline === null ? null : toEpochMs(deadline);
  chargeback.dateLastUpdated = ctx.now();
  announce(ctx, chargeback);
  return chargeback;
};

/** The case as this token sees it: one on another seller's payment is not found. */
export const visibleChargeback = (ctx: SandboxContext, id: string): ChargebackRecord | undefined => {
  const chargeback = ctx.store.chargebacks.get(id);
  const payment = chargeback && ctx.store.payments.get(chargeback.paymentId);
  return payment && payment.collectorId === ctx.settings.userId ? chargeback : undefined;
};
