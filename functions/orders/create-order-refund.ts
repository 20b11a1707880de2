/**
 * POST /orders/{orderId}/refunds: a refund of an Orders API order, on the payment refund's conventions.
 *
 * 1. The Idempotency-Key protocol (operations/keyed-request.ts): replayed, 409 while running, resumed after
 *    its lock.
 * 2. Under the claim: one read of the order (`GET /v1/orders/{id}`), applied to the order's ledger together
 *    with the reservation (or, on a resume, the next attempt) in one conditional write, API.md's checks in
 *    its order. Mercado Pago serves orders under 3 months old only: an older order this service recorded is
 *    checked on its recorded state (Mercado Pago's refund answer decides); one never seen is 404.
 * 3. The refund is sent with its own Mercado Pago key (operations/send-refund.ts, the Orders call) and its
 *    outcome recorded under the settlement rules: 201 processed, 202 processing or unknown, or why it failed.
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
import { orderCurrencyOf } from '../model/ledger/order-read.ts';
import { type AttemptStart, beginAttempt } from '../model/ledger/refund-call.ts';
import { type Reservation, reserveRefund } from '../model/ledger/reserve.ts';
import { normalizeDate } from '../model/ledger/statuses.ts';
import { isOurs, type Ledger, type OurRefund, RefundStatus } from '../model/ledger/types.ts';
import { decimalsOf, isSiteId, SITE_CURRENCY, toMinorUnits } from '../model/money.ts';
import type { Logger } from '../observability/logger.ts';
import { ruleContext } from '../operations/deps.ts';
import { sendRefund } from '../operations/send-refund.ts';
import { type OrderRead, orderReadChange, readOrder } from '../operations/sync-order.ts';
import { updateLedger } from '../operations/update-ledger.ts';
import type { IdempotencyRecord } from '../ports/idempotency-store.ts';
import { isNotFound } from '../ports/mercadopago-errors.ts';
import type { OrderDeps } from './deps.ts';

export const CREATE_ORDER_REFUND_ROUTE = 'POST /orders/{orderId}/refunds';

export interface CreateOrderRefundInput {
  /** Upper case. */
  orderId: string;
  idempotencyKey: string;
  /** Major units; undefined = everything left (of the transaction). */
  amount: number | undefined;
  reason?: string;
  externalReference?: string;
  transactionId?: string;
  caller: string;
  requestId: string;
  deadline: number;
  log: Logger;
}

/** route + orderId + amount (canonical: 10 and 10.0 are one) + the other body fields. */
export const orderRefundFingerprint = (
  input: Pick<
    CreateOrderRefundInput,
    'orderId' | 'amount' | 'reason' | 'externalReference' | 'transactionId'
  >,
) =>
  sha256Hex(
    JSON.stringify([
      CREATE_ORDER_REFUND_ROUTE,
      input.orderId,
      input.amount === undefined ? 'all' : String(input.amount),
      input.reason ?? null,
      input.externalReference ?? null,
      input.transactionId ?? null,
    ]),
  );

export const createOrderRefund = async (
  deps: OrderDeps,
  input: CreateOrderRefundInput,
): Promise<HttpResponse> => {
  const fingerprint = orderRefundFingerprint(input);
  return keyedRefund(
    deps,
    {
      idempotencyKey: input.idempotencyKey,
      route: CREATE_ORDER_REFUND_ROUTE,
      subjectId: input.orderId,
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
  deps: OrderDeps,
  input: CreateOrderRefundInput,
  fingerprint: string,
  claim: IdempotencyRecord,
  known: Ledger | undefined,
): Promise<HttpResponse> => {
  const { log, orderId } = input;
  const refundId = must(claim.refundId, 'a refund key reserves a refund id');
  const existing = known?.refunds.find((e) => e.id === refundId);
  const release = () => deps.idempotency.release(claim.key, claim.lockOwner);

  // The order's read; undefined for an order older than Mercado Pago serves that this service recorded.
  let read: OrderRead | undefined;
  try {
    read = await readOrder(deps, orderId, input);
  } catch (error) {
    // A resume: its refund may have been made; the key stays taken and the answer is its current state.
    if (existing && isOurs(existing) && known) return refundResponse(known, existing);
    if (!isNotFound(error)) {
      await release();
      throw error;
    }
    if (!known) {
      const response = problemResponse('ORDER_NOT_FOUND', `Order ${orderId} was not found.`);
      await deps.idempotency.complete(claim.key, claim.lockOwner, response);
      return response;
    }
    log.warn('order not served by Mercado Pago (over 3 months old?): checked on its recorded state', {
      orderId,
    });
  }

  const fallbackCurrency = SITE_CURRENCY[deps.siteId];
  const currency = read
    ? orderCurrencyOf(read.order, fallbackCurrency)
    : must(known, 'a recorded order').currency;
  let amount: number | 'all' = 'all';
  if (input.amount !== undefined) {
    const decimals = decimalsOf(currency);
    const minor = toMinorUnits(input.amount, decimals);
    if (minor === null || minor <= 0) {
      await release();
      throw new ProblemError('VALIDATION_ERROR', 'The amount is not valid for the order currency.', {
        errors: [
          {
            field: 'amount',
            message:
              decimals === 0
                ? `must be a positive whole amount in ${currency}`
                : `must be positive with at most ${decimals} decimals in ${currency}`,
          },
        ],
      });
    }
    amount = minor;
  }

  const site = read?.order.siteId ?? known?.order?.siteId ?? deps.siteId;
  const windowDays = refundWindowDaysFor(deps.refundWindow, isSiteId(site) ? site : deps.siteId);
  const createdAt = (read ? normalizeDate(read.order.createdDate) : null) ?? known?.order?.createdAt ?? null;
  const lock = isoAt(lockUntil(input.deadline));
  const by = caller(input.caller);
  const context = ruleContext(deps, by);

  const prepared = await updateLedger<Prepared>(
    deps.ledgers,
    orderId,
    known,
    (current): LedgerChange<Prepared> => {
      const synced = orderReadChange(current, read, context, deps.siteId);
      const base = synced.ledger ?? must(current, 'an order read (or its record) leaves a ledger');
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
            transactionId: input.transactionId,
            lockUntil: lock,
          },
          { windowDays, approvedAt: createdAt },
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
    log.info('order refund refused before calling Mercado Pago', { orderId, code: failure.code });
    return response;
  }

  let entry: OurRefund;
  let attempt = 1;
  if (result.kind === 'reservation') {
    entry = must(
      result.reservation.kind === 'reserved' ? result.reservation.entry : undefined,
      'a reservation holds its refund',
    );
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
        throw new Error(`refund ${refundId} of order ${orderId} vanished while its key was held`);
      case 'too_late':
        log.warn('order refund still unknown and past its re-send window: left to reconciliation', {
          refundId,
          orderId,
        });
        return refundResponse(ledger, start.entry);
      case 'known':
        return refundResponse(ledger, start.entry);
    }
  }

  const sent = await sendRefund(deps, { ledger, entry, attempt, by, deadline: input.deadline, log });
  if (sent.kind === 'not_sent') {
    await release();
    throw new ProblemError(
      'UPSTREAM_UNAVAILABLE',
      'Mercado Pago is unavailable; nothing was refunded. Retry later.',
      { headers: { 'retry-after': String(sent.retryAfterSeconds) } },
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
