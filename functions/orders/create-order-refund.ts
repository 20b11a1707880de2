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
 * Steps 2 (after the read) and 3 are the refund routes' one money path: http/claimed-refund.ts.
 */

import { refundWindowDaysFor } from '../config/fields.ts';
import { runClaimedRefund } from '../http/claimed-refund.ts';
import { keyedRefund } from '../http/keyed-refund.ts';
import { refundResponse } from '../http/refund-response.ts';
import { problemResponse } from '../http/response.ts';
import type { HttpResponse } from '../http/types.ts';
import { sha256Hex } from '../model/ids.ts';
import { must } from '../model/invariant.ts';
import { orderCurrencyOf } from '../model/ledger/order-read.ts';
import { normalizeDate } from '../model/ledger/statuses.ts';
import { isOurs, type Ledger } from '../model/ledger/types.ts';
import { isSiteId, SITE_CURRENCY } from '../model/money.ts';
import type { Logger } from '../observability/logger.ts';
import { type OrderRead, orderReadChange, readOrder } from '../operations/sync-order.ts';
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

  // The order's read; undefined for an order older than Mercado Pago serves that this service recorded.
  let read: OrderRead | undefined;
  try {
    read = await readOrder(deps, orderId, input);
  } catch (error) {
    // A resume: its refund may have been made; the key stays taken and the answer is its current state.
    if (existing && isOurs(existing) && known) return refundResponse(known, existing);
    if (!isNotFound(error)) {
      await deps.idempotency.release(claim.key, claim.lockOwner);
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

  const currency = read
    ? orderCurrencyOf(read.order, SITE_CURRENCY[deps.siteId])
    : must(known, 'a recorded order').currency;
  const site = read?.order.siteId ?? known?.order?.siteId ?? deps.siteId;
  return runClaimedRefund(deps, claim, known, {
    subject: { kind: 'order', id: orderId, currency },
    amount: input.amount,
    applyRead: (current, context) => orderReadChange(current, read, context, deps.siteId),
    request: {
      idempotencyKey: input.idempotencyKey,
      fingerprint,
      reason: input.reason,
      externalReference: input.externalReference,
      transactionId: input.transactionId,
    },
    terms: {
      windowDays: refundWindowDaysFor(deps.refundWindow, isSiteId(site) ? site : deps.siteId),
      approvedAt: (read ? normalizeDate(read.order.createdDate) : null) ?? known?.order?.createdAt ?? null,
    },
    caller: input.caller,
    deadline: input.deadline,
    log,
  });
};
