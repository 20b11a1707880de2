/**
 * Pure rules of a payment's cancellation record (`ledger.cancellation`): the checks before asking Mercado
 * Pago, the start of an attempt, and its settlement. No I/O: the ledger store writes the result under the
 * ledger item's version. A cancelled record never changes again; a failed one only by a new attempt.
 */
import type { ProblemCode } from '../errors.ts';
import type { MpCancellation, MpPayment } from '../mercadopago/types.ts';
import { type LedgerEvent, syncWithPayment } from './ledger.ts';
import { type CancellationRecord, CancellationStatus, type Failure, type PaymentLedger } from './types.ts';

/** Mercado Pago cancels only these (NOTES.md); anything else answers 400 code 2018. */
export const CANCELLABLE_STATUSES: readonly string[] = ['pending', 'in_process', 'authorized'];

export const isCancellableStatus = (status: string): boolean => CANCELLABLE_STATUSES.includes(status);

export type CancellationCheck =
  | { kind: 'already_cancelled' }
  | { kind: 'refused'; code: ProblemCode; detail: string }
  | { kind: 'cancellable' };

/** API.md's checks, in its order: already cancelled (any detail), in-person, then the status. */
export const checkCancellation = (
  payment: Pick<MpPayment, 'id' | 'status' | 'inPerson'>,
): CancellationCheck => {
  if (payment.status === 'cancelled') return { kind: 'already_cancelled' };
  const refundRoute = `POST /payments/${payment.id}/refunds`;
  if (payment.inPerson) {
    return {
      kind: 'refused',
      code: 'IN_PERSON_PAYMENT_NOT_CANCELLABLE',
      detail: `In-person (QR or Point) payments cannot be cancelled: refund it instead with ${refundRoute}.`,
    };
  }
  if (!isCancellableStatus(payment.status)) {
    return {
      kind: 'refused',
      code: 'PAYMENT_NOT_CANCELLABLE',
      detail:
        payment.status === 'approved'
          ? `The payment is approved: it cannot be cancelled, refund it instead with ${refundRoute}.`
          : `Only pending, in_process or authorized payments can be cancelled; this one is ${payment.status}.`,
    };
  }
  return { kind: 'cancellable' };
};

export interface CancellationAttempt {
  /** The caller's Idempotency-Key, or null when it sent none. */
  idempotencyKey: string | null;
  /** The key sent to Mercado Pago for this attempt (derived, the same on every retry and resume). */
  mercadoPagoIdempotencyKey: string;
  by: string;
  now: string;
}

export interface CancellationChange {
  ledger: PaymentLedger;
  changed: boolean;
}

const push = (
  record: CancellationRecord,
  status: CancellationStatus,
  now: string,
  by: string,
  note?: string,
) => {
  record.status = status;
  record.updatedAt = now;
  record.history.push({ at: now, status, by, ...(note ? { note } : {}) });
};

/**
 * Starts an attempt: a new pending record, or a new attempt on a pending or failed one (its history kept).
 * `firstAttempt` is false when an earlier attempt's outcome is still unknown (the record was pending):
 * then a failure of this attempt cannot mean "not cancelled".
 */
export const beginCancellation = (
  current: PaymentLedger,
  attempt: CancellationAttempt,
): CancellationChange & { firstAttempt: boolean } => {
  const previous = current.cancellation;
  if (previous?.status === CancellationStatus.Cancelled)
    return { ledger: current, changed: false, firstAttempt: false };
  const ledger = structuredClone(current);
  const firstAttempt = previous?.status !== CancellationStatus.Pending;
  const record: CancellationRecord = ledger.cancellation ?? {
    status: CancellationStatus.Pending,
    idempotencyKey: attempt.idempotencyKey,
    mercadoPagoIdempotencyKey: attempt.mercadoPagoIdempotencyKey,
    requestedBy: attempt.by,
    attempts: 0,
    lastAttemptAt: attempt.now,
    createdAt: attempt.now,
    updatedAt: attempt.now,
    history: [],
  };
  record.idempotencyKey = attempt.idempotencyKey;
  record.mercadoPagoIdempotencyKey = attempt.mercadoPagoIdempotencyKey;
  record.attempts += 1;
  record.lastAttemptAt = attempt.now;
  delete record.failure;
  const note =
    previous === undefined
      ? 'requested'
      : previous.status === CancellationStatus.Failed
        ? 'requested again'
        : 'retried';
  push(record, CancellationStatus.Pending, attempt.now, attempt.by, note);
  ledger.cancellation = record;
  ledger.updatedAt = attempt.now;
  return { ledger, changed: true, firstAttempt };
};

export type CancellationOutcome =
  | { kind: 'cancelled'; statusDetail: string | null }
  | { kind: 'refused'; failure: Failure }
  | { kind: 'unknown'; note: string };

/** Records the outcome of our call. Only a pending record moves: cancelled is final, failed stays failed. */
export const settleCancellation = (
  current: PaymentLedger,
  outcome: CancellationOutcome,
  now: string,
  by: string,
): CancellationChange => {
  if (current.cancellation?.status !== CancellationStatus.Pending) return { ledger: current, changed: false };
  const ledger = structuredClone(current);
  const record = ledger.cancellation!;
  if (outcome.kind === 'cancelled') {
    push(
      record,
      CancellationStatus.Cancelled,
      now,
      by,
      `Mercado Pago: cancelled${outcome.statusDetail ? `/${outcome.statusDetail}` : ''}`,
    );
  } else if (outcome.kind === 'refused') {
    record.failure = outcome.failure;
    push(record, CancellationStatus.Failed, now, by, outcome.failure.code);
  } else {
    push(record, CancellationStatus.Pending, now, by, outcome.note);
  }
  ledger.updatedAt = now;
  return { ledger, changed: true };
};

/**
 * Settles a pending cancellation from the payment as Mercado Pago now reports it (notifications,
 * reconciliation, a later request): cancelled means done; a status that can no longer be cancelled
 * (approved, rejected...) means it failed; a cancellable status leaves it pending.
 */
export const settleCancellationWithPayment = (
  current: PaymentLedger,
  payment: Pick<MpPayment, 'status' | 'statusDetail'>,
  now: string,
  by: string,
): CancellationChange => {
  if (current.cancellation?.status !== CancellationStatus.Pending) return { ledger: current, changed: false };
  if (payment.status === 'cancelled') {
    return settleCancellation(current, { kind: 'cancelled', statusDetail: payment.statusDetail }, now, by);
  }
  if (isCancellableStatus(payment.status)) return { ledger: current, changed: false };
  return settleCancellation(
    current,
    {
      kind: 'refused',
      failure: {
        code: 'PAYMENT_NOT_CANCELLABLE',
        detail: `The payment became ${payment.status} before it could be cancelled.`,
      },
    },
    now,
    by,
  );
};

/** What a cancellation request answers from stored state: cancelled, failed (with why), or pending. */
export type CancellationState =
  | { status: 'cancelled'; statusDetail: string | null }
  | { status: 'failed'; failure: Failure }
  | { status: 'pending' };

export const cancellationState = (ledger: PaymentLedger | undefined): CancellationState => {
  if (ledger?.status === 'cancelled') return { status: 'cancelled', statusDetail: ledger.statusDetail };
  const record = ledger?.cancellation;
  if (record?.status === CancellationStatus.Cancelled)
    return { status: 'cancelled', statusDetail: ledger!.statusDetail };
  if (record?.status === CancellationStatus.Failed) {
    return {
      status: 'failed',
      failure: record.failure ?? { code: 'PAYMENT_NOT_CANCELLABLE', detail: 'The cancellation failed.' },
    };
  }
  return { status: 'pending' };
};

/** Mercado Pago's 2xx answer to a cancellation: `cancelled` is done, a status still cancellable is not known yet, any other is a refusal. */
export const cancellationOutcomeOf = (answer: MpCancellation): CancellationOutcome => {
  if (answer.status === 'cancelled') return { kind: 'cancelled', statusDetail: answer.statusDetail };
  if (isCancellableStatus(answer.status))
    return { kind: 'unknown', note: `Mercado Pago answered ${answer.status}` };
  return {
    kind: 'refused',
    failure: {
      code: 'PAYMENT_NOT_CANCELLABLE',
      detail: `Mercado Pago answered ${answer.status}: the payment was not cancelled.`,
    },
  };
};

/**
 * Records the outcome of a cancellation call: Mercado Pago's answer (when there was one) is the payment's new
 * status, recorded in its history like any other change; then the cancellation record settles.
 */
export const recordCancellationCall = (
  current: PaymentLedger,
  payment: MpPayment,
  answer: MpCancellation | undefined,
  outcome: CancellationOutcome,
  now: string,
  by: string,
  newRefundId: () => string,
): { ledger: PaymentLedger; changed: boolean; events: LedgerEvent[] } => {
  const synced = answer
    ? syncWithPayment(
        current,
        { ...payment, status: answer.status, statusDetail: answer.statusDetail },
        now,
        'mercadopago',
        newRefundId,
      )
    : { ledger: current, changed: false, events: [] };
  const settled = settleCancellation(synced.ledger, outcome, now, by);
  return { ledger: settled.ledger, changed: synced.changed || settled.changed, events: synced.events };
};
