/**
 * POST /payments/{paymentId}/refunds.
 *
 * 1. The Idempotency-Key protocol (operations/keyed-request.ts): a known key is replayed, answered 409 while
 *    its first request runs, or resumed once that request's lock expired.
 * 2. Under the claim: one read of the payment, applied to the ledger together with the reservation (or, on a
 *    resume, the next attempt) in one conditional write; API.md's checks run in its order.
 * 3. The refund is sent with its own Mercado Pago key (operations/send-refund.ts) and its outcome recorded
 *    under the settlement rules; the answer is its state: 201 succeeded, 202 pending, or why it failed.
 * Steps 2 (after the read) and 3 are the refund routes' one money path: http/claimed-refund.ts.
 * Nothing here can make a second refund for one key, nor report one that Mercado Pago did not make for it.
 */

import { refundWindowDaysFor } from '../config/fields.ts';
import { runClaimedRefund } from '../http/claimed-refund.ts';
import { keyedRefund } from '../http/keyed-refund.ts';
import { refundResponse } from '../http/refund-response.ts';
import { problemResponse } from '../http/response.ts';
import type { HttpResponse } from '../http/types.ts';
import { sha256Hex } from '../model/ids.ts';
import { must } from '../model/invariant.ts';
import { applyPaymentRead } from '../model/ledger/payment-read.ts';
import { isOurs, type Ledger } from '../model/ledger/types.ts';
import { isCurrency, isSiteId, siteOfCurrency } from '../model/money.ts';
import type { Logger } from '../observability/logger.ts';
import { readPayment } from '../operations/sync-payment.ts';
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

const runClaimed = async (
  deps: RefundDeps,
  input: CreateRefundInput,
  fingerprint: string,
  claim: IdempotencyRecord,
  known: Ledger | undefined,
): Promise<HttpResponse> => {
  const { paymentId } = input;
  const refundId = must(claim.refundId, 'a refund key reserves a refund id');
  const existing = known?.refunds.find((e) => e.id === refundId);

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
    await deps.idempotency.release(claim.key, claim.lockOwner);
    throw error;
  }
  const { payment } = read;
  const site = isCurrency(payment.currency) ? siteOfCurrency(payment.currency) : undefined;
  const readAt = { facts: payment, at: read.at, requestId: payment.mercadoPagoRequestId };
  return runClaimedRefund(deps, claim, known, {
    subject: { kind: 'payment', id: paymentId, currency: payment.currency },
    amount: input.amount,
    applyRead: (current, context) => applyPaymentRead(current, readAt, context),
    request: {
      idempotencyKey: input.idempotencyKey,
      fingerprint,
      reason: input.reason,
      externalReference: input.externalReference,
    },
    terms: {
      windowDays: refundWindowDaysFor(deps.refundWindow, site && isSiteId(site) ? site : undefined),
      approvedAt: payment.dateApproved ?? payment.dateCreated,
    },
    caller: input.caller,
    deadline: input.deadline,
    log: input.log,
  });
};
