/** Payments: creation (control API and QR), visibility per seller, refund totals and status changes. */
import {
  type Currency,
  decimalsOf,
  isCurrency,
  isSiteId,
  SITE_CURRENCY,
  type SiteId,
  siteOfCurrency,
  toMinorUnits,
} from '../../functions/model/money.ts';
import { PENDING_EXPIRY_DAYS, type SandboxContext } from './context.ts';
import { DAY_MS, type DateInput, toEpochMs } from './dates.ts';
import { SandboxControlError } from './mp-errors.ts';
import type { PaymentAction } from './notification-requests.ts';
import {
  type InPerson,
  PAYMENT_STATUSES,
  type PaymentRecord,
  type PaymentStatus,
  type RefundRecord,
} from './state.ts';

export interface CreatePaymentInput {
  status: PaymentStatus;
  statusDetail?: string;
  /** The payment's currency; or give `siteId` (its currency is the site's). */
  currency?: Currency;
  siteId?: SiteId;
  /** Major units, e.g. `10.5` (CLP and COP: whole numbers). */
  amount: number;
  dateCreated?: DateInput;
  /** Only kept for approved (and refunded, in_mediation, charged_back) payments. */
  dateApproved?: DateInput;
  inPerson?: InPerson;
  /** QR payments: the merchant order it belongs to (default: a new closed one). */
  merchantOrderId?: string;
  /** Default: the sandbox's user id. Another seller's payments answer 404 to this token. */
  collectorId?: string;
  /** Cancelling it answers only `{id,status,status_detail}`. */
  minimalAnswers?: boolean;
  paymentMethodId?: string;
  externalReference?: string;
  description?: string;
  posId?: string;
  storeId?: string;
  /** Refunds already made outside the project (approved), in major units. `refunded` status: default all. */
  refunds?: number[];
  /** The Orders API order it pays. */
  orderId?: string;
}

const DEFAULT_STATUS_DETAIL: Record<PaymentStatus, string> = {
  pending: 'pending_waiting_payment',
  approved: 'accredited',
  authorized: 'pending_capture',
  in_process: 'pending_contingency',
  in_mediation: 'pending',
  rejected: 'cc_rejected_other_reason',
  cancelled: 'by_collector',
  refunded: 'refunded',
  charged_back: 'settled',
};

/** Statuses of a payment that was approved at some point (so it has a `date_approved`). */
const WAS_APPROVED: readonly PaymentStatus[] = ['approved', 'refunded', 'in_mediation', 'charged_back'];

const TICKET_METHOD: Record<SiteId, string> = {
  MLA: 'rapipago',
  MLB: 'bolbradesco',
  MLM: 'oxxo',
  MLC: 'servipag',
  MCO: 'efecty',
  MPE: 'pagoefectivo_atm',
  MLU: 'abitab',
};

const methodFor = (input: CreatePaymentInput, siteId: SiteId): { id: string; type: string } => {
  const given = input.paymentMethodId;
  if (given !== undefined) {
    if (given === 'pix') return { id: given, type: 'bank_transfer' };
    if (given === 'account_money') return { id: given, type: 'account_money' };
    if (Object.values(TICKET_METHOD).includes(given)) return { id: given, type: 'ticket' };
    return { id: given, type: 'credit_card' };
  }
  if (input.inPerson === 'qr') return { id: 'account_money', type: 'account_money' };
  if (input.inPerson === 'point') return { id: 'debvisa', type: 'debit_card' };
  if (input.status === 'pending') return { id: TICKET_METHOD[siteId], type: 'ticket' };
  return { id: 'master', type: 'credit_card' };
};

const resolveSite = (input: CreatePaymentInput): { siteId: SiteId; currency: Currency } => {
  if (input.siteId !== undefined && !isSiteId(input.siteId)) {
    throw new SandboxControlError(`unknown site ${input.siteId}`);
  }
  if (input.currency !== undefined && !isCurrency(input.currency)) {
    throw new SandboxControlError(`unknown currency ${input.currency}`);
  }
  const siteId = input.siteId ?? (input.currency ? siteOfCurrency(input.currency) : undefined);
  if (siteId === undefined) throw new SandboxControlError('give currency or siteId');
  const currency = input.currency ?? SITE_CURRENCY[siteId];
  if (SITE_CURRENCY[siteId] !== currency)
    throw new SandboxControlError(`${currency} is not the currency of ${siteId}`);
  return { siteId, currency };
};

export const amountToMinor = (amount: number, currency: Currency): number => {
  const minor = typeof amount === 'number' ? toMinorUnits(amount, decimalsOf(currency)) : null;
  if (minor === null || minor <= 0) {
    throw new SandboxControlError(`amount ${String(amount)} is not a positive ${currency} amount`);
  }
  return minor;
};

/** Adds a payment (control API, seed, QR payment) and returns it; announces nothing. */
export const addPayment = (
  ctx: SandboxContext,
  input: CreatePaymentInput,
  fixedId?: string,
): PaymentRecord => {
  if (!PAYMENT_STATUSES.includes(input.status))
    throw new SandboxControlError(`unknown status ${input.status}`);
  const { siteId, currency } = resolveSite(input);
  const amountMinor = amountToMinor(input.amount, currency);
  const now = ctx.now();
  const approvedInput = input.dateApproved === undefined ? undefined : toEpochMs(input.dateApproved);
  const dateCreated =
    input.dateCreated !== undefined
      ? toEpochMs(input.dateCreated)
      : approvedInput !== undefined
        ? approvedInput - 1000
        : now;
  const dateApproved = WAS_APPROVED.includes(input.status) ? (approvedInput ?? dateCreated) : null;
  const method = methodFor(input, siteId);
  const id = fixedId ?? ctx.ids.payment.next();
  if (ctx.store.payments.has(id)) throw new SandboxControlError(`payment ${id} exists`);
  const payment: PaymentRecord = {
    id,
    siteId,
    currency,
    amountMinor,
    status: input.status,
    statusDetail: input.statusDetail ?? DEFAULT_STATUS_DETAIL[input.status],
    dateCreated,
    dateApproved,
    dateLastUpdated: Math.max(dateCreated, dateApproved ?? 0),
    dateOfExpiration: input.status === 'pending' ? dateCreated + PENDING_EXPIRY_DAYS * DAY_MS : null,
    collectorId: input.collectorId ?? ctx.settings.userId,
    inPerson: input.inPerson ?? false,
    merchantOrderId: input.inPerson === 'qr' ? (input.merchantOrderId ?? null) : null,
    posId: input.inPerson === 'qr' ? (input.posId ?? 'SANDBOXPOS1') : (input.posId ?? null),
    storeId: input.inPerson === 'qr' ? (input.storeId ?? 'SANDBOXSTORE1') : (input.storeId ?? null),
    minimalAnswers: input.minimalAnswers ?? false,
    paymentMethodId: method.id,
    paymentTypeId: method.type,
    description: input.description ?? 'Sandbox payment',
    externalReference: input.externalReference ?? null,
    refundIds: [],
    orderId: input.orderId ?? null,
  };
  const priorRefunds = input.refunds ?? (input.status === 'refunded' ? [input.amount] : []);
  let refundedMinor = 0;
  for (const [index, amount] of priorRefunds.entries()) {
    const refundMinor = amountToMinor(amount, currency);
    refundedMinor += refundMinor;
    if (refundedMinor > amountMinor) throw new SandboxControlError('refunds add up to more than the amount');
    const refund: RefundRecord = {
      id: ctx.ids.refund.next(),
      paymentId: id,
      amountMinor: refundMinor,
      status: 'approved',
      origin: 'dashboard',
      dateCreated: Math.min(now, (dateApproved ?? dateCreated) + DAY_MS + index * 60_000),
    };
    ctx.store.refunds.set(refund.id, refund);
    payment.refundIds.push(refund.id);
    payment.dateLastUpdated = Math.max(payment.dateLastUpdated, refund.dateCreated);
  }
  if (input.statusDetail === undefined) applyRefundTotals(ctx, payment);
  if (payment.dateOfExpiration !== null && payment.dateOfExpiration <= now) expire(payment);
  ctx.store.payments.set(id, payment);
  return payment;
};

/** The payment as the sandbox's token sees it: another seller's payment is not found. */
export const visiblePayment = (ctx: SandboxContext, paymentId: string): PaymentRecord | undefined => {
  const payment = ctx.store.payments.get(paymentId);
  return payment && payment.collectorId === ctx.settings.userId ? payment : undefined;
};

export const paymentOrThrow = (ctx: SandboxContext, paymentId: string): PaymentRecord => {
  const payment = ctx.store.payments.get(paymentId);
  if (!payment) throw new SandboxControlError(`no payment ${paymentId}`);
  return payment;
};

export const refundsOfPayment = (ctx: SandboxContext, payment: PaymentRecord): RefundRecord[] =>
  payment.refundIds.map((id) => ctx.store.refunds.get(id)).filter((r): r is RefundRecord => r !== undefined);

export interface RefundTotals {
  approvedMinor: number;
  /** in_process refunds: not yet refunded, but no longer available either. */
  heldMinor: number;
  /** Refunds that count towards the limit (all but rejected and cancelled ones). */
  activeCount: number;
}

export const refundTotals = (ctx: SandboxContext, payment: PaymentRecord): RefundTotals => {
  const totals: RefundTotals = { approvedMinor: 0, heldMinor: 0, activeCount: 0 };
  for (const refund of refundsOfPayment(ctx, payment)) {
    if (refund.status === 'approved') totals.approvedMinor += refund.amountMinor;
    if (refund.status === 'in_process') totals.heldMinor += refund.amountMinor;
    if (refund.status === 'approved' || refund.status === 'in_process') totals.activeCount += 1;
  }
  return totals;
};

/** After refunds change: fully refunded -> refunded/refunded; partly -> approved/partially_refunded. */
export const applyRefundTotals = (ctx: SandboxContext, payment: PaymentRecord): void => {
  if (payment.status !== 'approved' && payment.status !== 'refunded') return;
  const { approvedMinor } = refundTotals(ctx, payment);
  if (approvedMinor >= payment.amountMinor) {
    payment.status = 'refunded';
    payment.statusDetail = 'refunded';
  } else if (approvedMinor > 0) {
    payment.status = 'approved';
    payment.statusDetail = 'partially_refunded';
  }
};

/** Control API: moves a payment to another status (e.g. a ticket gets paid), and announces it. */
export const setPaymentStatus = (
  ctx: SandboxContext,
  paymentId: string,
  status: PaymentStatus,
  statusDetail?: string,
): PaymentRecord => {
  if (!PAYMENT_STATUSES.includes(status)) throw new SandboxControlError(`unknown status ${status}`);
  const payment = paymentOrThrow(ctx, paymentId);
  const now = ctx.now();
  if (status === 'in_mediation' && payment.status !== 'in_mediation') {
    // A buyer's claim: a DISPUTE row in settlement reports.
    ctx.store.disputes.push({
      paymentId,
      amountMinor: payment.amountMinor,
      currency: payment.currency,
      dateCreated: now,
    });
  }
  payment.status = status;
  payment.statusDetail = statusDetail ?? DEFAULT_STATUS_DETAIL[status];
  if (WAS_APPROVED.includes(status)) payment.dateApproved ??= now;
  else payment.dateApproved = null;
  if (status !== 'pending') payment.dateOfExpiration = null;
  payment.dateLastUpdated = now;
  announcePayment(ctx, payment, 'payment.updated');
  return payment;
};

export const announcePayment = (ctx: SandboxContext, payment: PaymentRecord, action: PaymentAction): void => {
  if (payment.collectorId === ctx.settings.userId) ctx.changes.paymentChanged(payment.id, action);
};

const expire = (payment: PaymentRecord): void => {
  payment.status = 'cancelled';
  payment.statusDetail = 'expired';
  payment.dateLastUpdated = Math.max(payment.dateLastUpdated, payment.dateOfExpiration ?? 0);
};

/** Unpaid pending payments older than 30 days read as cancelled/expired (applied lazily, on each call). */
export const expireStalePayments = (ctx: SandboxContext): void => {
  const now = ctx.now();
  for (const payment of ctx.store.payments.values()) {
    if (payment.status !== 'pending' || payment.dateOfExpiration === null || now < payment.dateOfExpiration)
      continue;
    expire(payment);
    announcePayment(ctx, payment, 'payment.updated');
  }
};
