/**
 * `POST /v1/orders/{id}/refund`: no body (or `{}`) refunds everything left; `{"transactions":[{"id":"PAY…",
 * "amount":"10.00"}]}` a part (no `amount`: what is left of that transaction). Checked in this order: id
 * (400 `invalid_path_param`), order (404 `order_not_found`), body (400), status (`refunded`: 409
 * `order_already_refunded`; not `processed`: 409 `invalid_order_status`), refund window from the order's
 * creation (400 `in_store_payment_refund_order`), a refund of the order still `processing` (409
 * `refund_in_progress`, the sandbox's choice: the key stays free), transaction (404 `transaction_not_found`),
 * partial refunds allowed (403 `partial_refund_forbidden_with_tips`, 400
 * `partial_refund_not_allowed_with_cashout`, 400 `unsupported_partially_refunds`), amount (400
 * `refund_amount_exceeds`).
 * The refund is created `processing` and turns `processed` after `orderRefundDelayMs` (or when settled by a
 * control); then the order is `refunded`/`refunded` (all refunded) or `processed`/`partially_refunded`.
 */
import type { SandboxContext } from './context.ts';
import { DAY_MS } from './dates.ts';
import { orderStyleId } from './ids.ts';
import { SandboxControlError } from './mp-errors.ts';
import { orderAmountMinor } from './order-amounts.ts';
import { invalidField, OrdersHttpError } from './order-errors.ts';
import { orderRefundsOf } from './order-json.ts';
import type { OrderRecord, OrderRefundRecord } from './order-records.ts';
import { touchOrder, visibleOrder } from './orders.ts';
import type { OrderAction } from './topic-notifications.ts';

interface RefundAsk {
  transactionId: string | null;
  amountMinor: number | null;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const parseRefundBody = (order: OrderRecord, body: unknown): RefundAsk => {
  if (body === undefined || body === null) return { transactionId: null, amountMinor: null };
  if (!isObject(body)) throw invalidField('body', 'The body must be a JSON object');
  if (body.transactions === undefined) return { transactionId: null, amountMinor: null };
  const entries = body.transactions;
  if (!Array.isArray(entries) || entries.length !== 1 || !isObject(entries[0])) {
    throw invalidField('transactions', 'transactions must hold one {id, amount} entry');
  }
  const [entry] = entries as [Record<string, unknown>];
  if (typeof entry.id !== 'string' || entry.id === '')
    throw invalidField('transactions', 'transactions[0].id is required');
  if (entry.amount === undefined) return { transactionId: entry.id, amountMinor: null };
  const amountMinor = orderAmountMinor(entry.amount, order.currency);
  if (amountMinor === null)
    throw invalidField('amount', 'transactions[0].amount must be a positive amount (two decimals or none)');
  return { transactionId: entry.id, amountMinor };
};

const refundWindowDays = (ctx: SandboxContext, order: OrderRecord): number =>
  ctx.settings.orderRefundWindowDaysBySite[order.siteId] ?? ctx.settings.orderRefundWindowDays;

export const partialRefundsAllowed = (ctx: SandboxContext, order: OrderRecord): boolean =>
  order.partialRefunds ?? ctx.settings.orderPartialRefundsBySite[order.siteId] ?? true;

/** Amount processed so far, and whether a refund is still processing. */
export const orderRefundState = (ctx: SandboxContext, order: OrderRecord) => {
  const refunds = orderRefundsOf(ctx, order);
  return {
    processedMinor: refunds
      .filter((r) => r.status === 'processed')
      .reduce((sum, r) => sum + r.amountMinor, 0),
    processing: refunds.some((r) => r.status === 'processing'),
  };
};

export const refundOrder = (ctx: SandboxContext, id: string, body: unknown): OrderRefundRecord => {
  const order = visibleOrder(ctx, id);
  const ask = parseRefundBody(order, body);
  const now = ctx.now();
  if (order.status === 'refunded')
    throw new OrdersHttpError(409, 'order_already_refunded', `Order ${id} is already refunded`);
  if (order.status !== 'processed')
    throw new OrdersHttpError(
      409,
      'invalid_order_status',
      `Order ${id} is ${order.status}: it cannot be refunded`,
    );
  if (now > order.createdAt + refundWindowDays(ctx, order) * DAY_MS) {
    throw new OrdersHttpError(400, 'in_store_payment_refund_order', 'The order is too old to be refunded');
  }
  const state = orderRefundState(ctx, order);
  if (state.processing) {
    throw new OrdersHttpError(409, 'refund_in_progress', `A refund of order ${id} is still processing`, true);
  }
  if (ask.transactionId !== null && ask.transactionId !== order.payment.id) {
    throw new OrdersHttpError(404, 'transaction_not_found', `Transaction ${ask.transactionId} not found`);
  }
  const leftMinor = order.payment.amountMinor - state.processedMinor;
  if (leftMinor <= 0)
    throw new OrdersHttpError(409, 'order_already_refunded', `Order ${id} is already refunded`);
  const amountMinor = ask.amountMinor ?? leftMinor;
  if (amountMinor > leftMinor) {
    throw new OrdersHttpError(400, 'refund_amount_exceeds', 'The amount exceeds what is left to refund');
  }
  if (amountMinor < leftMinor && order.tips) {
    throw new OrdersHttpError(
      403,
      'partial_refund_forbidden_with_tips',
      'An order with a tip is refunded in full',
    );
  }
  if (amountMinor < leftMinor && order.cashOut) {
    throw new OrdersHttpError(
      400,
      'partial_refund_not_allowed_with_cashout',
      'An order with a cash-out is refunded in full',
    );
  }
  if (amountMinor < leftMinor && !partialRefundsAllowed(ctx, order)) {
    throw new OrdersHttpError(
      400,
      'unsupported_partially_refunds',
      'Partial refunds are not supported for this order',
    );
  }
  const delay = ctx.settings.orderRefundDelayMs;
  const refund: OrderRefundRecord = {
    id: orderStyleId('REF', now),
    orderId: order.id,
    transactionId: order.payment.id,
    referenceId: orderStyleId('REF', now).slice(3),
    amountMinor,
    status: 'processing',
    dateCreated: now,
    settleAt: delay === null ? null : now + delay,
    dateSettled: null,
  };
  ctx.store.orderRefunds.set(refund.id, refund);
  order.refundIds.push(refund.id);
  touchOrder(ctx, order, null);
  if (delay !== null) ctx.wake(delay);
  ctx.log(`order refund ${refund.id} of ${order.id}: processing`);
  return refund;
};

/** After a refund settles: the order's status from what is refunded, and its webhook. */
const applyOrderRefunds = (ctx: SandboxContext, order: OrderRecord, refund: OrderRefundRecord): void => {
  if (order.status !== 'processed' && order.status !== 'refunded') {
    touchOrder(ctx, order, null);
    return;
  }
  const { processedMinor } = orderRefundState(ctx, order);
  let action: OrderAction = 'order.processed';
  if (processedMinor >= order.payment.amountMinor) {
    order.status = 'refunded';
    order.statusDetail = 'refunded';
    order.payment.status = 'refunded';
    order.payment.statusDetail = 'refunded';
    action = 'order.refunded';
  } else if (processedMinor > 0) {
    order.statusDetail = 'partially_refunded';
    order.payment.statusDetail = 'partially_refunded';
    if (refund.status === 'processed') action = ctx.settings.orderPartialRefundAction;
  }
  touchOrder(ctx, order, action);
};

export type OrderRefundOutcome = 'processed' | 'failed';

export const settleOrderRefund = (
  ctx: SandboxContext,
  refundId: string,
  status: OrderRefundOutcome,
): OrderRefundRecord => {
  const refund = ctx.store.orderRefunds.get(refundId);
  if (!refund) throw new SandboxControlError(`no order refund ${refundId}`);
  if (refund.status !== 'processing')
    throw new SandboxControlError(`order refund ${refundId} is ${refund.status}`);
  if (status !== 'processed' && status !== 'failed') throw new SandboxControlError(`bad status ${status}`);
  refund.status = status;
  refund.dateSettled = ctx.now();
  const order = ctx.store.orders.get(refund.orderId)!;
  ctx.log(`order refund ${refund.id} of ${order.id}: ${status}`);
  applyOrderRefunds(ctx, order, refund);
  return refund;
};

/** Refunds whose delay has passed turn `processed` (applied on each call and by the sweeper). */
export const settleDueOrderRefunds = (ctx: SandboxContext): void => {
  const now = ctx.now();
  for (const refund of ctx.store.orderRefunds.values()) {
    if (refund.status === 'processing' && refund.settleAt !== null && refund.settleAt <= now) {
      settleOrderRefund(ctx, refund.id, 'processed');
    }
  }
};
