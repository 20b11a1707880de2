/**
 * Pure rules of the refund ledger: merging what Mercado Pago reports, reserving a refund, settling it.
 * No I/O here: the store applies the result with one conditional write, and retries on a concurrent change.
 */
import type { ProblemCode } from '../errors.ts';
import type { MpPayment, MpRefund } from '../mercadopago/types.ts';
import { decimalsOf, fromMinorUnits, roundToMinorUnits } from '../money.ts';
import {
  CallState,
  type Failure,
  type PaymentLedger,
  type RefundEntry,
  RefundOrigin,
  RefundStatus,
} from './types.ts';

/** Mercado Pago's limit, counted over refunds of any origin that did not fail. */
export const MAX_ACTIVE_REFUNDS = 20;

/** Failed attempts kept in the ledger item at most (the item must stay far below DynamoDB's 400 KB). */
export const MAX_LEDGER_ENTRIES = 120;

export const mapMercadoPagoRefundStatus = (status: string): RefundStatus => {
  switch (status) {
    case 'approved':
      return RefundStatus.Succeeded;
    case 'rejected':
    case 'cancelled':
      return RefundStatus.Failed;
    default:
      // in_process, authorized, and anything new: not settled yet.
      return RefundStatus.Pending;
  }
};

export interface LedgerTotals {
  succeededMinor: number;
  pendingMinor: number;
  /** Refunds of any origin that did not fail: what Mercado Pago's 20-refund limit counts. */
  activeCount: number;
  /** What is left to refund; never negative, even when external refunds over-commit the payment. */
  refundableMinor: number;
}

export const totals = (ledger: PaymentLedger): LedgerTotals => {
  let succeededMinor = 0;
  let pendingMinor = 0;
  let activeCount = 0;
  for (const refund of ledger.refunds) {
    if (refund.status === RefundStatus.Failed) continue;
    activeCount++;
    if (refund.status === RefundStatus.Succeeded) succeededMinor += refund.amountMinor;
    else pendingMinor += refund.amountMinor;
  }
  return {
    succeededMinor,
    pendingMinor,
    activeCount,
    refundableMinor: Math.max(0, ledger.totalMinor - succeededMinor - pendingMinor),
  };
};

/** Something that changed in a ledger, for events out and logs. */
export type LedgerEvent =
  | { type: 'refund.succeeded' | 'refund.failed' | 'refund.pending'; refund: RefundEntry }
  | { type: 'refund.external_recorded'; refund: RefundEntry }
  | { type: 'payment.status_changed'; status: string; statusDetail: string | null; previousStatus: string };

export interface LedgerChange {
  ledger: PaymentLedger;
  events: LedgerEvent[];
  changed: boolean;
}

const minorOf = (ledger: Pick<PaymentLedger, 'currency'>, amount: number) =>
  roundToMinorUnits(amount, decimalsOf(ledger.currency));

export const emptyLedger = (payment: MpPayment, now: string): PaymentLedger => ({
  paymentId: payment.id,
  currency: payment.currencyId,
  totalMinor: roundToMinorUnits(payment.transactionAmount, decimalsOf(payment.currencyId)),
  status: payment.status,
  statusDetail: payment.statusDetail,
  statusHistory: [],
  refunds: [],
  createdAt: now,
  updatedAt: now,
  version: 0,
});

const transition = (entry: RefundEntry, status: RefundStatus, now: string, by: string, note?: string) => {
  entry.status = status;
  entry.updatedAt = now;
  entry.history.push({ at: now, status, by, ...(note ? { note } : {}) });
  if (status !== RefundStatus.Pending) delete entry.callState;
};

const eventFor = (entry: RefundEntry): LedgerEvent => ({
  type:
    entry.status === RefundStatus.Succeeded
      ? 'refund.succeeded'
      : entry.status === RefundStatus.Failed
        ? 'refund.failed'
        : 'refund.pending',
  refund: entry,
});

/**
 * Applies Mercado Pago's word on one refund it reports to the entry linked to it. Mercado Pago is the source
 * of truth for money: its current state wins, so reading it again can only bring the entry up to date.
 */
const applyMercadoPagoRefund = (
  entry: RefundEntry,
  refund: MpRefund,
  now: string,
  by: string,
  events: LedgerEvent[],
): boolean => {
  let changed = false;
  const next = mapMercadoPagoRefundStatus(refund.status);
  // A settled refund never goes back to pending: a read older than the one that settled it says nothing new.
  const backwards = next === RefundStatus.Pending && entry.status !== RefundStatus.Pending;
  if (entry.mercadoPagoRefundId !== refund.id) {
    entry.mercadoPagoRefundId = refund.id;
    changed = true;
  }
  if (backwards) return changed;
  if (entry.mercadoPagoStatus !== refund.status) {
    entry.mercadoPagoStatus = refund.status;
    changed = true;
  }
  if (next !== entry.status) {
    if (next === RefundStatus.Failed)
      entry.failure = { code: 'REFUND_REJECTED', detail: `Mercado Pago ${refund.status} the refund` };
    else delete entry.failure;
    transition(entry, next, now, by, `Mercado Pago: ${refund.status}`);
    events.push(eventFor(entry));
    changed = true;
  } else if (next === RefundStatus.Pending && entry.callState !== CallState.Accepted) {
    entry.callState = CallState.Accepted;
    entry.updatedAt = now;
    changed = true;
  }
  return changed;
};

const byCreation = (a: { createdAt: string; id: string }, b: { createdAt: string; id: string }) =>
  a.createdAt === b.createdAt ? a.id.localeCompare(b.id) : a.createdAt.localeCompare(b.createdAt);

/**
 * Brings a ledger up to date with the payment as Mercado Pago reports it: status changes are recorded, and
 * each reported refund is matched to an entry by Mercado Pago refund id; one not matched yet goes to the oldest
 * pending entry of ours with the same amount and no Mercado Pago id; only otherwise is it recorded as made
 * elsewhere (origin external). External refunds are facts: recorded even when they over-commit the payment.
 */
export const syncWithPayment = (
  current: PaymentLedger | undefined,
  payment: MpPayment,
  now: string,
  by: string,
  newRefundId: () => string,
): LedgerChange => {
  const ledger: PaymentLedger = current ? structuredClone(current) : emptyLedger(payment, now);
  const events: LedgerEvent[] = [];
  let changed = current === undefined;

  const reportedAt = normalizeDate(payment.dateLastUpdated);
  const staleRead =
    reportedAt !== null &&
    ledger.mercadoPagoUpdatedAt !== undefined &&
    reportedAt < ledger.mercadoPagoUpdatedAt;
  if (reportedAt !== null && !staleRead && reportedAt !== ledger.mercadoPagoUpdatedAt) {
    ledger.mercadoPagoUpdatedAt = reportedAt;
    changed = true;
  }
  if (!staleRead && (ledger.status !== payment.status || ledger.statusDetail !== payment.statusDetail)) {
    const previousStatus = ledger.status;
    ledger.statusHistory.push({ status: payment.status, statusDetail: payment.statusDetail, at: now, by });
    ledger.status = payment.status;
    ledger.statusDetail = payment.statusDetail;
    if (current !== undefined && previousStatus !== payment.status) {
      events.push({
        type: 'payment.status_changed',
        status: payment.status,
        statusDetail: payment.statusDetail,
        previousStatus,
      });
    }
    changed = true;
  } else if (current === undefined) {
    ledger.statusHistory.push({ status: payment.status, statusDetail: payment.statusDetail, at: now, by });
  }

  const reported = [...payment.refunds].sort((a, b) =>
    (a.dateCreated ?? '') === (b.dateCreated ?? '')
      ? a.id.localeCompare(b.id, 'en', { numeric: true })
      : (a.dateCreated ?? '').localeCompare(b.dateCreated ?? ''),
  );
  for (const refund of reported) {
    const amountMinor = minorOf(ledger, refund.amount);
    let entry = ledger.refunds.find((e) => e.mercadoPagoRefundId === refund.id);
    if (!entry) {
      entry = ledger.refunds
        .filter(
          (e) =>
            e.origin === RefundOrigin.Api &&
            e.status === RefundStatus.Pending &&
            e.mercadoPagoRefundId === null &&
            e.amountMinor === amountMinor,
        )
        .sort(byCreation)[0];
    }
    if (entry) {
      if (applyMercadoPagoRefund(entry, refund, now, by, events)) changed = true;
      continue;
    }
    const createdAt = normalizeDate(refund.dateCreated) ?? now;
    const status = mapMercadoPagoRefundStatus(refund.status);
    const external: RefundEntry = {
      id: newRefundId(),
      origin: RefundOrigin.External,
      amountMinor,
      status,
      mercadoPagoRefundId: refund.id,
      mercadoPagoStatus: refund.status,
      ...(status === RefundStatus.Failed
        ? { failure: { code: 'REFUND_REJECTED', detail: `Mercado Pago ${refund.status} the refund` } }
        : {}),
      requestedBy: 'external',
      createdAt,
      updatedAt: now,
      history: [{ at: now, status, by, note: 'made outside this service' }],
    };
    ledger.refunds.push(external);
    events.push({ type: 'refund.external_recorded', refund: external });
    changed = true;
  }

  const totalMinor = roundToMinorUnits(payment.transactionAmount, decimalsOf(payment.currencyId));
  if (ledger.totalMinor !== totalMinor || ledger.currency !== payment.currencyId) {
    ledger.totalMinor = totalMinor;
    ledger.currency = payment.currencyId;
    changed = true;
  }
  if (changed) ledger.updatedAt = now;
  return { ledger, events, changed };
};

/** Mercado Pago dates carry offsets (`-04:00`, `-00:00`); the contract's are UTC with milliseconds. */
export const normalizeDate = (value: string | null | undefined): string | null => {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
};

export interface RefundRequest {
  refundId: string;
  /** Minor units, or 'all' for everything left. */
  amount: number | 'all';
  idempotencyKey: string;
  mercadoPagoIdempotencyKey: string;
  reason?: string;
  externalReference?: string;
  by: string;
  now: string;
}

export interface Refusal {
  code: ProblemCode;
  detail: string;
}

export type ReserveResult =
  | { ok: true; ledger: PaymentLedger; entry: RefundEntry }
  | { ok: false; refusal: Refusal };

const DAY_MS = 86_400_000;

/**
 * The checks API.md lists, in its order, on a ledger already synced with the payment; then the reservation:
 * a pending entry that counts against the payment's amount and its 20 refunds at once.
 */
export const reserveRefund = (
  current: PaymentLedger,
  payment: Pick<MpPayment, 'status' | 'dateApproved' | 'dateCreated'>,
  request: RefundRequest,
  refundWindowDays: number,
): ReserveResult => {
  if (payment.status !== 'approved') {
    const detail =
      payment.status === 'refunded'
        ? 'The payment is already fully refunded.'
        : `Only approved payments can be refunded; this one is ${payment.status}.`;
    return { ok: false, refusal: { code: 'PAYMENT_NOT_REFUNDABLE', detail } };
  }
  const approvedAt = Date.parse(payment.dateApproved ?? payment.dateCreated ?? '');
  if (!Number.isNaN(approvedAt) && Date.parse(request.now) > approvedAt + refundWindowDays * DAY_MS) {
    return {
      ok: false,
      refusal: {
        code: 'REFUND_WINDOW_EXPIRED',
        detail: `Refunds are allowed for ${refundWindowDays} days after approval (${new Date(approvedAt).toISOString()}).`,
      },
    };
  }
  const sums = totals(current);
  if (sums.activeCount >= MAX_ACTIVE_REFUNDS) {
    return {
      ok: false,
      refusal: {
        code: 'REFUND_LIMIT_REACHED',
        detail: `The payment already has ${sums.activeCount} refunds; ${MAX_ACTIVE_REFUNDS} is the limit.`,
      },
    };
  }
  const amountMinor = request.amount === 'all' ? sums.refundableMinor : request.amount;
  if (amountMinor <= 0 || amountMinor > sums.refundableMinor) {
    const detail =
      sums.refundableMinor === 0
        ? sums.pendingMinor > 0
          ? 'Nothing is left to refund: the rest of the payment is in pending refunds.'
          : 'Nothing is left to refund.'
        : 'The amount is more than what is left to refund.';
    return { ok: false, refusal: { code: 'AMOUNT_EXCEEDS_REFUNDABLE', detail } };
  }
  if (current.refunds.length >= MAX_LEDGER_ENTRIES) {
    return {
      ok: false,
      refusal: {
        code: 'REFUND_LIMIT_REACHED',
        detail: 'Too many refund attempts on this payment; contact support.',
      },
    };
  }

  const ledger = structuredClone(current);
  const entry: RefundEntry = {
    id: request.refundId,
    origin: RefundOrigin.Api,
    amountMinor,
    status: RefundStatus.Pending,
    mercadoPagoRefundId: null,
    idempotencyKey: request.idempotencyKey,
    mercadoPagoIdempotencyKey: request.mercadoPagoIdempotencyKey,
    fullRefund: request.amount === 'all',
    sendsEmptyBody:
      request.amount === 'all' &&
      amountMinor === current.totalMinor &&
      current.refunds.every((e) => e.status === RefundStatus.Failed),
    callState: CallState.InFlight,
    attempts: 1,
    lastAttemptAt: request.now,
    ...(request.reason !== undefined ? { reason: request.reason } : {}),
    ...(request.externalReference !== undefined ? { externalReference: request.externalReference } : {}),
    requestedBy: request.by,
    createdAt: request.now,
    updatedAt: request.now,
    history: [{ at: request.now, status: RefundStatus.Pending, by: request.by, note: 'reserved' }],
  };
  ledger.refunds.push(entry);
  ledger.updatedAt = request.now;
  return { ok: true, ledger, entry };
};

/**
 * The amount sent to Mercado Pago for an entry (major units), or undefined for `{}`: only a full refund of an
 * untouched payment is sent as `{}`; otherwise the exact amount reserved, so Mercado Pago refunds what the
 * ledger holds. Fixed at reservation: a re-send with the same key sends the same body.
 */
export const refundRequestAmount = (
  ledger: Pick<PaymentLedger, 'currency'>,
  entry: RefundEntry,
): number | undefined =>
  entry.sendsEmptyBody ? undefined : fromMinorUnits(entry.amountMinor, decimalsOf(ledger.currency));

/** The Mercado Pago refund an entry was linked to by amount, recorded as made elsewhere. */
const externalCopy = (entry: RefundEntry, now: string, by: string, id: string): RefundEntry => ({
  id,
  origin: RefundOrigin.External,
  amountMinor: entry.amountMinor,
  status: entry.status,
  mercadoPagoRefundId: entry.mercadoPagoRefundId,
  ...(entry.mercadoPagoStatus ? { mercadoPagoStatus: entry.mercadoPagoStatus } : {}),
  requestedBy: 'external',
  createdAt: entry.createdAt,
  updatedAt: now,
  history: [{ at: now, status: entry.status, by, note: 'made outside this service' }],
});

/** What our call to Mercado Pago for a refund ended with. */
export type RefundOutcome =
  | { kind: 'created'; refund: MpRefund }
  | { kind: 'refused'; failure: Failure }
  | { kind: 'unknown'; note: string };

/**
 * Records the outcome of our call on the entry. Terminal states never move back; an outcome that arrives
 * after a notification already settled the entry changes nothing but the link to Mercado Pago's id.
 */
export const settleRefund = (
  current: PaymentLedger,
  refundId: string,
  outcome: RefundOutcome,
  now: string,
  by: string,
  newRefundId: () => string,
): LedgerChange => {
  const ledger = structuredClone(current);
  const events: LedgerEvent[] = [];
  const entry = ledger.refunds.find((e) => e.id === refundId);
  if (!entry) return { ledger: current, events, changed: false };

  if (outcome.kind === 'created') {
    // A sync may have linked this Mercado Pago refund to another entry of the same amount: it is ours.
    const other = ledger.refunds.find((e) => e !== entry && e.mercadoPagoRefundId === outcome.refund.id);
    if (other) {
      const otherWasExternal = other.origin === RefundOrigin.External;
      if (otherWasExternal) {
        ledger.refunds.splice(ledger.refunds.indexOf(other), 1);
      } else {
        other.mercadoPagoRefundId = null;
        delete other.mercadoPagoStatus;
        if (other.status !== RefundStatus.Pending)
          transition(
            other,
            RefundStatus.Pending,
            now,
            by,
            'unlinked: Mercado Pago id belongs to another refund',
          );
        other.callState = CallState.Unknown;
      }
    }
    if (entry.mercadoPagoRefundId !== null && entry.mercadoPagoRefundId !== outcome.refund.id) {
      // The entry was matched by amount to a refund that is not ours: that one was made elsewhere.
      const external = externalCopy(entry, now, by, newRefundId());
      ledger.refunds.push(external);
      events.push({ type: 'refund.external_recorded', refund: external });
      entry.status = RefundStatus.Pending;
    }
    const amountMinor = minorOf(ledger, outcome.refund.amount);
    if (amountMinor > 0 && amountMinor !== entry.amountMinor) {
      // Mercado Pago refunded a different amount than reserved (a `{}` raced with a refund made elsewhere).
      entry.amountMinor = amountMinor;
    }
    applyMercadoPagoRefund(entry, outcome.refund, now, by, events);
    entry.updatedAt = now;
    return { ledger, events, changed: true };
  }

  if (outcome.kind === 'refused' && entry.origin === RefundOrigin.Api && entry.mercadoPagoRefundId !== null) {
    // A sync linked this entry by amount to a refund Mercado Pago reported; our own key was then refused, so
    // that refund is not ours: it becomes a refund made elsewhere, and the refusal stands.
    const external = externalCopy(entry, now, by, newRefundId());
    ledger.refunds.push(external);
    events.push({ type: 'refund.external_recorded', refund: external });
    entry.mercadoPagoRefundId = null;
    delete entry.mercadoPagoStatus;
    entry.failure = outcome.failure;
    transition(
      entry,
      RefundStatus.Failed,
      now,
      by,
      `${outcome.failure.code} (unlinked from a refund made elsewhere)`,
    );
    events.push(eventFor(entry));
    ledger.updatedAt = now;
    return { ledger, events, changed: true };
  }
  if (entry.status !== RefundStatus.Pending || entry.mercadoPagoRefundId !== null) {
    return { ledger: current, events, changed: false };
  }
  if (outcome.kind === 'refused') {
    entry.failure = outcome.failure;
    transition(entry, RefundStatus.Failed, now, by, outcome.failure.code);
    events.push(eventFor(entry));
  } else {
    entry.callState = CallState.Unknown;
    entry.updatedAt = now;
    entry.history.push({ at: now, status: RefundStatus.Pending, by, note: outcome.note });
    events.push(eventFor(entry));
  }
  ledger.updatedAt = now;
  return { ledger, events, changed: true };
};

/** Marks a new attempt at the same Mercado Pago call (same key) on a pending entry. */
export const markRetry = (current: PaymentLedger, refundId: string, now: string): PaymentLedger => {
  const ledger = structuredClone(current);
  const entry = ledger.refunds.find((e) => e.id === refundId);
  if (entry && entry.status === RefundStatus.Pending) {
    entry.attempts = (entry.attempts ?? 1) + 1;
    entry.lastAttemptAt = now;
    entry.callState = CallState.InFlight;
    entry.updatedAt = now;
  }
  return ledger;
};

/** The oldest time at which something of this payment became pending, for the reconciliation index. */
export const oldestPendingSince = (ledger: PaymentLedger): string | null => {
  let oldest: string | null = null;
  for (const refund of ledger.refunds) {
    if (refund.status === RefundStatus.Pending && (oldest === null || refund.createdAt < oldest))
      oldest = refund.createdAt;
  }
  const cancellation = ledger.cancellation;
  if (cancellation?.status === 'pending' && (oldest === null || cancellation.createdAt < oldest))
    oldest = cancellation.createdAt;
  return oldest;
};
