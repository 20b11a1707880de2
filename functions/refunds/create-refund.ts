/**
 * POST /payments/{paymentId}/refunds.
 *
 * 1. The Idempotency-Key protocol (operations/keyed-request.ts): a known key is replayed, answered 409 while
 *    its first request runs, or resumed once that request's lock expired.
 * 2. Under the claim: one read of the payment, applied to the ledger together with the reservation (or, on a
 *    resume, the next attempt) in one conditional write; API.md's checks run in its order.
 * 3. The refund is sent with its own Mercado Pago key (operations/send-refund.ts) and its outcome recorded
 *    under the settlement rules; the answer is its state: 201 succeeded, 202 pending, or why it failed.
 * Nothing here can make a second refund for one key, nor report one that Mercado Pago did not make for it.
 */

import { refundWindowDaysFor } from '../config/fields.ts';
import { lockUntil } from '../config/timing.ts';
import { keyedRefund } from '../http/keyed-refund.ts';
import { keyedResponse } from '../http/keyed-response.ts';
import { ProblemError, refusalProblem } from '../http/problems.ts';
import { refundResponse } from '../http/refund-response.ts';
import { problemResponse } from '../http/response.ts';
import type { HttpResponse } from '../http/types.ts';
import { caller } from '../model/actor.ts';
import { isoAt } from '../model/clock.ts';
import { sha256Hex } from '../model/ids.ts';
import { must } from '../model/invariant.ts';
import { andThen, type LedgerChange } from '../model/ledger/change.ts';
import { applyPaymentRead } from '../model/ledger/payment-read.ts';
import { type AttemptStart, beginAttempt } from '../model/ledger/refund-call.ts';
import { type Reservation, reserveRefund } from '../model/ledger/reserve.ts';
import { isOurs, type Ledger, type OurRefund, RefundStatus } from '../model/ledger/types.ts';
import { decimalsOf, isCurrency, isSiteId, siteOfCurrency, toMinorUnits } from '../model/money.ts';
import type { Logger } from '../observability/logger.ts';
import { ruleContext } from '../operations/deps.ts';
import { sendRefund } from '../operations/send-refund.ts';
import { readPayment } from '../operations/sync-payment.ts';
import { updateLedger } from '../operations/update-ledger.ts';
import type { IdempotencyRecord } from '../ports/idempotency-store.ts';
import type { MpPayment } from '../ports/mercadopago.ts';
import { isNotFound } from '../ports/mercadopago-errors.ts';
import type { RefundDeps } from './deps.ts';

export const CREATE_REFUND_ROUTE = 'POST /payments/{paymentId}/refunds';

export interface CreateRefundInput {
  paymentId: string;
  idempotencyKey: string;
  /** Major units with at most 2 decimals (checked against the currency here); undefined = everything left. */
  amount: number | undefined;
  reason?: string;
  externalReference?: string;
  caller: string;
  requestId: string;
  deadline: number;
  log: Logger;
}

/** route + paymentId + amount (canonical: 10 and 10.0 are one) + the other body fields. */
export const refundFingerprint = (
  input: Pick<CreateRefundInput, 'paymentId' | 'amount' | 'reason' | 'externalReference'>,
) =>
  sha256Hex(
    JSON.stringify([
      CREATE_REFUND_ROUTE,
      input.paymentId,
      input.amount === undefined ? 'all' : String(input.amount),
      input.reason ?? null,
      input.externalReference ?? null,
    ]),
  );

export const createRefund = async (deps: RefundDeps, input: CreateRefundInput): Promise<HttpResponse> => {
  const fingerprint = refundFingerprint(input);
  return keyedRefund(
    deps,
    {
      idempotencyKey: input.idempotencyKey,
      route: CREATE_REFUND_ROUTE,
      subjectId: input.paymentId,
      fingerprint,
      requestId: input.requestId,
      deadline: input.deadline,
      log: input.log,
    },
    (claim, ledger) => runClaimed(deps, input, fingerprint, claim, ledger),
  );
};

type Prepared = { kind: 'reservation'; reservation: Reservation } | { kind: 'attempt'; start: AttemptStart };

const runClaimed = async (
  deps: RefundDeps,
  input: CreateRefundInput,
  fingerprint: string,
  claim: IdempotencyRecord,
  known: Ledger | undefined,
): Promise<HttpResponse> => {
  const { log, paymentId } = input;
  const refundId = must(claim.refundId, 'a refund key reserves a refund id');
  const existing = known?.refunds.find((e) => e.id === refundId);
  const release = () => deps.idempotency.release(claim.key, claim.lockOwner);

  let read: { payment: MpPayment; at: string };
  try {
    read = await readPayment(deps, paymentId, input);
  } catch (error) {
    // A resume: its refund may have been made; the key stays taken and the answer is its current state
    // (never a stored 404: a read that fails once must not answer for a refund that exists).
    if (existing && isOurs(existing) && known) return refundResponse(known, existing);
    if (isNotFound(error)) {
      const response = problemResponse('PAYMENT_NOT_FOUND', `Payment ${paymentId} was not found.`);
      await deps.idempotency.complete(claim.key, claim.lockOwner, response);
      return response;
    }
    await release();
    throw error;
  }
  const { payment } = read;

  let amount: number | 'all' = 'all';
  if (input.amount !== undefined) {
    const minor = toMinorUnits(input.amount, decimalsOf(payment.currency));
    if (minor === null || minor <= 0) {
      await release();
      const decimals = decimalsOf(payment.currency);
      throw new ProblemError('VALIDATION_ERROR', 'The amount is not valid for the payment currency.', {
        errors: [
          {
            field: 'amount',
            message:
              decimals === 0
                ? `must be a positive whole amount in ${payment.currency}`
                : `must be positive with at most ${decimals} decimals in ${payment.currency}`,
          },
        ],
      });
    }
    amount = minor;
  }

  const site = isCurrency(payment.currency) ? siteOfCurrency(payment.currency) : undefined;
  const windowDays = refundWindowDaysFor(deps.refundWindow, site && isSiteId(site) ? site : undefined);
  const lock = isoAt(lockUntil(input.deadline));
  const by = caller(input.caller);
  const context = ruleContext(deps, by);
  const readAt = {
    facts: payment,
    at: read.at,
    requestId: payment.mercadoPagoRequestId,
  };

  const prepared = await updateLedger<Prepared>(
    deps.ledgers,
    paymentId,
    known,
    (current): LedgerChange<Prepared> => {
      const synced = applyPaymentRead(current, readAt, context);
      const base = synced.ledger ?? must(current, 'a payment read leaves a ledger');
      return andThen(synced, base, (ledger): LedgerChange<Prepared> => {
        if (ledger.refunds.some((e) => e.id === refundId)) {
          const start = beginAttempt(ledger, refundId, lock, context, 'resumed by a retry of its request');
          return { ...start, result: { kind: 'attempt', start: start.result } };
        }
        const reservation = reserveRefund(
          ledger,
          {
            refundId,
            amount,
            idempotencyKey: input.idempotencyKey,
            fingerprint,
            reason: input.reason,
            externalReference: input.externalReference,
            lockUntil: lock,
          },
          { windowDays, approvedAt: payment.dateApproved ?? payment.dateCreated },
          context,
        );
        return { ...reservation, result: { kind: 'reservation', reservation: reservation.result } };
      });
    },
    deps.conflicts,
  );
  const ledger = must(prepared.ledger, 'a started attempt was stored');
  const result = prepared.result;

  if (result.kind === 'reservation' && result.reservation.kind === 'refused') {
    const { failure } = result.reservation;
    const response = problemResponse(refusalProblem(failure.code), failure.detail);
    await deps.idempotency.complete(claim.key, claim.lockOwner, response);
    log.info('refund refused before calling Mercado Pago', { paymentId, code: failure.code });
    return response;
  }

  let entry: OurRefund | undefined;
  let attempt = 1;
  if (result.kind === 'reservation') {
    entry = result.reservation.kind === 'reserved' ? result.reservation.entry : undefined;
  } else {
    const { start } = result;
    switch (start.kind) {
      case 'ready':
        entry = start.entry;
        attempt = start.attempt;
        break;
      case 'busy':
        return keyedResponse({ kind: 'in_progress' });
      case 'gone':
        throw new Error(`refund ${refundId} of payment ${paymentId} vanished while its key was held`);
      case 'too_late':
        log.warn('refund still unknown and past its re-send window: left to reconciliation', {
          refundId,
          paymentId,
        });
        return refundResponse(ledger, start.entry);
      case 'known':
        return refundResponse(ledger, start.entry);
    }
  }
  if (!entry) throw new Error('reservation without a refund');

  const sent = await sendRefund(deps, { ledger, entry, attempt, by, deadline: input.deadline, log });
  if (sent.kind === 'not_sent') {
    await release();
    throw new ProblemError(
      'UPSTREAM_UNAVAILABLE',
      'Mercado Pago is unavailable; nothing was refunded. Retry later.',
      {
        headers: { 'retry-after': String(sent.retryAfterSeconds) },
      },
    );
  }
  if (sent.entry.status === RefundStatus.Failed && sent.entry.keyFreed) {
    await release();
    throw new ProblemError(
      'UPSTREAM_ERROR',
      sent.entry.failure?.detail ?? 'Mercado Pago answered unexpectedly.',
    );
  }
  return refundResponse(sent.ledger, sent.entry);
};
