/**
 * A payment's (or order's) cancellation: the checks before asking Mercado Pago, the attempts with their key,
 * and what settles it. `cancelled` never changes again; `failed` only by a new request, which starts a new
 * sequence with a new Mercado Pago key. A call Mercado Pago certainly never received leaves no record.
 */

import { actorName } from '../actor.ts';
import { type Failure, RefusalCode } from '../codes.ts';
import { deterministicUuid } from '../ids.ts';
import { must } from '../invariant.ts';
import { isCancelledOrderStatus, isExpiredOrderStatus } from '../order.ts';
import { nowMsOf, type RuleContext } from '../settings.ts';
import { MAX_SEND_ATTEMPTS } from './attempts.ts';
import {
  type Draft,
  draftOf,
  finish,
  type LedgerChange,
  note,
  scheduleNewWork,
  unchanged,
} from './change.ts';
import { applyStatus } from './status.ts';
import { CallState, type CancellationRecord, CancellationStatus, type Ledger, LedgerKind } from './types.ts';

/** Mercado Pago cancels only these (NOTES.md); anything else answers 400 code 2018. */
export const CANCELLABLE_STATUSES: readonly string[] = ['pending', 'in_process', 'authorized'];
export const isCancellableStatus = (status: string): boolean => CANCELLABLE_STATUSES.includes(status);

/** Orders cancel only while `created` or `action_required` (NOTES-orders); else 409 `invalid_order_status`. */
const ORDER_CANCELLABLE_STATUSES: readonly string[] = ['created', 'action_required'];

/** Whether a payment's (or an order's) status still allows Mercado Pago to cancel it. */
export const isCancellableFor = (kind: LedgerKind, status: string): boolean =>
  kind === LedgerKind.Order ? ORDER_CANCELLABLE_STATUSES.includes(status) : isCancellableStatus(status);

/** `cancelled`; for orders both spellings (`canceled`, the PHP mock's `cancelled`). */
export const isCancelledFor = (kind: LedgerKind, status: string): boolean =>
  kind === LedgerKind.Order ? isCancelledOrderStatus(status) : status === 'cancelled';

export type OrderCancellationCheck =
  | CancellationCheck
  /** Expired unpaid: nothing to cancel (answered 200 `expired`, no call). */
  | { kind: 'already_expired' };

/** API.md's checks of an order cancellation: already cancelled, expired, then `created`/`action_required`. */
export const checkOrderCancellation = (order: { id: string; status: string }): OrderCancellationCheck => {
  if (isCancelledOrderStatus(order.status)) return { kind: 'already_cancelled' };
  if (isExpiredOrderStatus(order.status)) return { kind: 'already_expired' };
  if (isCancellableFor(LedgerKind.Order, order.status)) return { kind: 'cancellable' };
  return {
    kind: 'refused',
    failure: {
      code: RefusalCode.OrderNotCancellable,
      detail:
        order.status === 'processed'
          ? `The order is paid: it cannot be cancelled, refund it instead with POST /orders/${order.id}/refunds.`
          : `Only created or action_required orders can be cancelled; this one is ${order.status}.`,
    },
  };
};

export type CancellationCheck =
  | { kind: 'already_cancelled' }
  | { kind: 'refused'; failure: Failure }
  | { kind: 'cancellable' };

/** API.md's checks, in its order: already cancelled (any detail), in-person, then the status. */
export const checkCancellation = (payment: {
  id: string;
  status: string;
  inPerson: boolean;
}): CancellationCheck => {
  if (payment.status === 'cancelled') return { kind: 'already_cancelled' };
  const refundRoute = `POST /payments/${payment.id}/refunds`;
  if (payment.inPerson) {
    return {
      kind: 'refused',
      failure: {
        code: RefusalCode.InPersonPaymentNotCancellable,
        detail: `In-person (QR or Point) payments cannot be cancelled: refund it instead with ${refundRoute}.`,
      },
    };
  }
  if (!isCancellableStatus(payment.status)) {
    return {
      kind: 'refused',
      failure: {
        code: RefusalCode.PaymentNotCancellable,
        detail:
          payment.status === 'approved'
            ? `The payment is approved: it cannot be cancelled, refund it instead with ${refundRoute}.`
            : `Only pending, in_process or authorized payments can be cancelled; this one is ${payment.status}.`,
      },
    };
  }
  return { kind: 'cancellable' };
};

/**
 * The Mercado Pago key of a cancellation attempt: derived from the payment, the caller's key (or none) and
 * the sequence (a new one after each failure); or the key a migrated record was sent with.
 */
export const mercadoPagoCancellationKey = (
  ledgerId: string,
  record: Pick<CancellationRecord, 'idempotencyKey' | 'sequence' | 'mercadoPagoKey'>,
): string =>
  record.mercadoPagoKey ??
  // An unambiguous encoding: no caller's key and sequence can spell another pair's key.
  deterministicUuid(JSON.stringify(['cancel', ledgerId, record.idempotencyKey, record.sequence]));

const inFlight = (record: CancellationRecord, nowMs: number): boolean =>
  record.call.state === CallState.InFlight &&
  record.call.inFlightUntil !== undefined &&
  Date.parse(record.call.inFlightUntil) > nowMs;

export type CancellationStart =
  | { kind: 'ready'; record: CancellationRecord; attempt: number; mercadoPagoKey: string }
  | { kind: 'busy' }
  | { kind: 'cancelled' }
  /** Pending past its re-send window or its attempts: left to reads and reconciliation. */
  | { kind: 'too_late' };

/**
 * Starts an attempt: a new sequence (none yet, or the last one failed) or another attempt of the pending one
 * with the same key (a retry of the request, or a re-send), only while nothing is in flight.
 */
export const beginCancellation = (
  current: Ledger,
  request: { idempotencyKey: string | null; lockUntil: string },
  context: RuleContext,
): LedgerChange<CancellationStart> => {
  const previous = current.cancellation;
  const nowMs = nowMsOf(context);
  if (previous?.status === CancellationStatus.Cancelled) return unchanged({ kind: 'cancelled' });
  if (previous?.status === CancellationStatus.Pending) {
    if (inFlight(previous, nowMs)) return unchanged({ kind: 'busy' });
    if (
      nowMs - Date.parse(previous.createdAt) > context.settings.resendWindowMs ||
      previous.call.attempts >= MAX_SEND_ATTEMPTS
    )
      return unchanged({ kind: 'too_late' });
  }
  const draft = draftOf(current, context);
  const by = actorName(context.by);
  const call = { state: CallState.InFlight, lastAttemptAt: context.now, inFlightUntil: request.lockUntil };
  let record: CancellationRecord;
  if (previous?.status === CancellationStatus.Pending) {
    record = {
      ...structuredClone(previous),
      call: { ...call, attempts: previous.call.attempts + 1 },
      updatedAt: context.now,
    };
    note(draft, 'cancellation_resent', `attempt ${record.call.attempts} with its Mercado Pago key`);
  } else {
    record = {
      status: CancellationStatus.Pending,
      idempotencyKey: request.idempotencyKey,
      sequence: (previous?.sequence ?? 0) + 1,
      requestedBy: by,
      call: { ...call, attempts: 1 },
      ...(previous ? { prior: structuredClone({ ...previous, prior: undefined }) } : {}),
      createdAt: context.now,
      updatedAt: context.now,
    };
    note(draft, 'cancellation_requested', previous ? 'requested again after a failure' : 'requested');
    scheduleNewWork(draft);
  }
  draft.ledger.cancellation = record;
  return finish(draft, {
    kind: 'ready',
    record: structuredClone(record),
    attempt: record.call.attempts,
    mercadoPagoKey: mercadoPagoCancellationKey(current.id, record),
  });
};

/** What a cancellation call ended with (see RefundCallOutcome for the meanings). */
export type CancellationCallOutcome =
  /** A 2xx answer: the payment's status after it. */
  | { kind: 'answered'; status: string; statusDetail: string | null; requestId?: string }
  | { kind: 'refused'; failure: Failure; freesKey: boolean; requestId?: string }
  | { kind: 'not_sent'; detail: string }
  | { kind: 'unknown'; detail: string; requestId?: string };

export const settleRecord = (
  draft: Draft,
  status: typeof CancellationStatus.Cancelled | typeof CancellationStatus.Failed,
  why: string,
  failure?: Failure,
): void => {
  const record = must(draft.ledger.cancellation, 'a settled cancellation has its record');
  record.status = status;
  record.updatedAt = draft.context.now;
  if (failure) record.failure = failure;
  else delete record.failure;
  delete record.prior;
  draft.events.push({ kind: 'cancellation.settled', status, at: draft.context.now });
  note(draft, `cancellation_${status}`, why);
};

/** A pending cancellation settled by the payment's (order's) status as Mercado Pago reports it now. */
export const settleCancellationFromStatus = (
  draft: Draft,
  status: string,
  statusDetail: string | null,
): void => {
  if (draft.ledger.cancellation?.status !== CancellationStatus.Pending) return;
  const { kind } = draft.ledger;
  if (isCancelledFor(kind, status)) {
    settleRecord(
      draft,
      CancellationStatus.Cancelled,
      `Mercado Pago: ${status}${statusDetail ? `/${statusDetail}` : ''}`,
    );
  } else if (!isCancellableFor(kind, status)) {
    const subject = kind === LedgerKind.Order ? 'order' : 'payment';
    settleRecord(draft, CancellationStatus.Failed, `the ${subject} became ${status}`, {
      code: kind === LedgerKind.Order ? RefusalCode.OrderNotCancellable : RefusalCode.PaymentNotCancellable,
      detail: `The ${subject} became ${status} before it could be cancelled.`,
    });
  }
};

export type RecordedCancellation = {
  kind: 'recorded';
  record: CancellationRecord | undefined;
  withdrawn: boolean;
};

/** Records what attempt `attempt` of the pending cancellation ended with. */
export const recordCancellationCall = (
  current: Ledger,
  attempt: number,
  outcome: CancellationCallOutcome,
  context: RuleContext,
): LedgerChange<RecordedCancellation> => {
  const found = current.cancellation;
  if (found?.status !== CancellationStatus.Pending || found.call.attempts !== attempt)
    return unchanged({ kind: 'recorded', record: found, withdrawn: false });
  const draft = draftOf(current, context);
  const record = must(draft.ledger.cancellation, 'a recorded cancellation has its record');
  const endCall = () => {
    record.call = { ...record.call, state: CallState.Unknown, inFlightUntil: context.now };
    record.updatedAt = context.now;
    draft.changed = true;
  };
  let withdrawn = false;
  switch (outcome.kind) {
    case 'answered': {
      endCall();
      applyStatus(
        draft,
        { status: outcome.status, statusDetail: outcome.statusDetail, updatedAt: null },
        outcome.requestId,
      );
      if (isCancelledFor(current.kind, outcome.status) || !isCancellableFor(current.kind, outcome.status)) {
        settleCancellationFromStatus(draft, outcome.status, outcome.statusDetail);
      } else {
        note(
          draft,
          'cancellation_outcome_unknown',
          `Mercado Pago answered ${outcome.status}`,
          outcome.requestId,
        );
      }
      break;
    }
    case 'refused':
      endCall();
      settleRecord(
        draft,
        CancellationStatus.Failed,
        `Mercado Pago refused it: ${outcome.failure.code}`,
        outcome.failure,
      );
      if (outcome.freesKey) record.keyFreed = true;
      break;
    case 'not_sent':
      if (record.call.attempts !== 1) {
        endCall();
        break;
      }
      note(draft, 'cancellation_not_sent', `withdrawn: ${outcome.detail}`);
      // The request that was never sent leaves no trace but the history: the record before it comes back whole.
      if (record.prior !== undefined) {
        const { prior, ...rest } = record.prior;
        void prior;
        draft.ledger.cancellation = rest;
      } else {
        delete draft.ledger.cancellation;
      }
      withdrawn = true;
      break;
    case 'unknown':
      endCall();
      note(draft, 'cancellation_outcome_unknown', outcome.detail, outcome.requestId);
      break;
  }
  return finish(draft, { kind: 'recorded', record: structuredClone(draft.ledger.cancellation), withdrawn });
};

/** Pending cancellations reconciliation re-sends now (the payment still cancellable at Mercado Pago). */
export const shouldResendCancellation = (
  ledger: Ledger,
  payment: { status: string; inPerson: boolean },
  context: Pick<RuleContext, 'now' | 'settings'>,
): boolean => {
  const record = ledger.cancellation;
  const nowMs = nowMsOf(context);
  return (
    record?.status === CancellationStatus.Pending &&
    isCancellableFor(ledger.kind, payment.status) &&
    !payment.inPerson &&
    !inFlight(record, nowMs) &&
    nowMs - Date.parse(record.createdAt) <= context.settings.resendWindowMs &&
    record.call.attempts < MAX_SEND_ATTEMPTS
  );
};

/** What a cancellation request answers from stored state. */
export type CancellationState =
  | { status: 'cancelled'; statusDetail: string | null }
  | { status: 'failed'; failure: Failure }
  | { status: 'pending' };

/** What an order cancellation request answers from stored state: `expired` too (API.md). */
export type OrderCancellationState = CancellationState | { status: 'expired'; statusDetail: string | null };

export const orderCancellationState = (ledger: Ledger | undefined): OrderCancellationState => {
  if (ledger !== undefined && isCancelledOrderStatus(ledger.status))
    return { status: 'cancelled', statusDetail: ledger.statusDetail };
  if (ledger !== undefined && isExpiredOrderStatus(ledger.status))
    return { status: 'expired', statusDetail: ledger.statusDetail };
  return cancellationState(ledger);
};

export const cancellationState = (ledger: Ledger | undefined): CancellationState => {
  if (ledger?.status === 'cancelled') return { status: 'cancelled', statusDetail: ledger.statusDetail };
  const record = ledger?.cancellation;
  if (record?.status === CancellationStatus.Cancelled)
    return { status: 'cancelled', statusDetail: ledger?.statusDetail ?? null };
  if (record?.status === CancellationStatus.Failed)
    return {
      status: 'failed',
      failure: record.failure ?? {
        code: RefusalCode.PaymentNotCancellable,
        detail: 'The cancellation failed.',
      },
    };
  return { status: 'pending' };
};
