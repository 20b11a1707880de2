/**
 * What happens to an order outside the seller's calls: the buyer pays (its own code, or the till's static QR
 * for static and hybrid orders: once one code is paid the other is disabled), a payment attempt is rejected
 * (the order stays open), the order expires, is charged back, or is forced to a status as
 * `POST /v1/orders/{id}/events` does with test credentials. Paying creates the numeric payment in
 * `/v1/payments` (approved, in-person QR, `references: [{type: "ORDER_MP", id}]`).
 */
import { decimalsOf, fromMinorUnits } from '../../functions/model/money.ts';
import { openChargeback } from './chargebacks.ts';
import type { SandboxContext } from './context.ts';
import { SandboxControlError } from './mp-errors.ts';
import { OrdersHttpError } from './order-errors.ts';
import type { ForceableOrderStatus, OrderRecord, QrVia } from './order-records.ts';
import { refundOrder, settleOrderRefund } from './order-refunds.ts';
import { cancelOrder, expireOrder, touchOrder, visibleOrder } from './orders.ts';
import { addPayment } from './payments.ts';

export interface OrderPaymentResult {
  orderId: string;
  /** The numeric payment in `/v1/payments`. */
  paymentId: string;
}

const isOpen = (order: OrderRecord): boolean =>
  order.status === 'created' || order.status === 'action_required';

const requireOpen = (order: OrderRecord): void => {
  if (!isOpen(order)) {
    throw new OrdersHttpError(409, 'invalid_order_status', `Order ${order.id} is ${order.status}, not open`);
  }
};

const numericPayment = (
  ctx: SandboxContext,
  order: OrderRecord,
  status: 'approved' | 'rejected',
  detail?: string,
) =>
  addPayment(ctx, {
    status,
    ...(detail === undefined ? {} : { statusDetail: detail }),
    siteId: order.siteId,
    amount: fromMinorUnits(order.payment.amountMinor, decimalsOf(order.currency)),
    inPerson: 'qr',
    externalReference: order.externalReference,
    description: order.description ?? 'QR order',
    posId: order.externalPosId,
    orderId: order.id,
  });

export const payOrder = (ctx: SandboxContext, orderId: string, via?: QrVia): OrderPaymentResult => {
  const order = visibleOrder(ctx, orderId);
  requireOpen(order);
  const code: QrVia = via ?? (order.mode === 'static' ? 'static' : 'dynamic');
  if (code === 'dynamic' && order.mode === 'static')
    throw new SandboxControlError(`order ${orderId} is static: it is paid on the till's QR`);
  if (code === 'static' && order.mode === 'dynamic')
    throw new SandboxControlError(`order ${orderId} is dynamic: it is not on the till's static QR`);
  const payment = numericPayment(ctx, order, 'approved');
  order.status = 'processed';
  order.statusDetail = 'accredited';
  order.payment.status = 'processed';
  order.payment.statusDetail = 'accredited';
  order.payment.paymentId = payment.id;
  order.paidVia = code;
  touchOrder(ctx, order, 'order.processed');
  ctx.log(`order ${orderId} paid (${code} QR): payment ${payment.id}`);
  return { orderId, paymentId: payment.id };
};

/** The buyer scans the till's static QR: it shows the till's latest open static or hybrid order. */
export const payTillQr = (ctx: SandboxContext, externalPosId: string): OrderPaymentResult => {
  const open = [...ctx.store.orders.values()]
    .filter((o) => o.externalPosId === externalPosId && o.mode !== 'dynamic' && isOpen(o))
    .filter((o) => o.userId === ctx.settings.userId)
    .sort((a, b) => b.createdAt - a.createdAt);
  const order = open[0];
  if (!order) throw new SandboxControlError(`till ${externalPosId} shows no open static or hybrid order`);
  return payOrder(ctx, order.id, 'static');
};

/** A payment attempt is rejected: a rejected numeric payment, the order stays open (no webhook). */
export const rejectOrderPayment = (
  ctx: SandboxContext,
  orderId: string,
  statusDetail = 'cc_rejected_other_reason',
): OrderPaymentResult => {
  const order = visibleOrder(ctx, orderId);
  requireOpen(order);
  const payment = numericPayment(ctx, order, 'rejected', statusDetail);
  order.payment.attempts.push({ paymentId: payment.id, status: 'rejected', statusDetail });
  touchOrder(ctx, order, null);
  return { orderId, paymentId: payment.id };
};

export const expireOrderNow = (ctx: SandboxContext, orderId: string): void => {
  const order = visibleOrder(ctx, orderId);
  requireOpen(order);
  expireOrder(ctx, order);
};

/** The order's payment is charged back: a chargeback case on it, order `charged_back`/`settled`. */
export const chargeBackOrder = (ctx: SandboxContext, orderId: string): string => {
  const order = visibleOrder(ctx, orderId);
  const paymentId = order.payment.paymentId;
  if (paymentId === null || (order.status !== 'processed' && order.status !== 'refunded')) {
    throw new OrdersHttpError(409, 'invalid_order_status', `Order ${orderId} is ${order.status}, not paid`);
  }
  const chargeback = openChargeback(ctx, paymentId, {});
  order.status = 'charged_back';
  order.statusDetail = 'settled';
  order.payment.status = 'charged_back';
  order.payment.statusDetail = 'settled';
  order.chargebackId = chargeback.id;
  touchOrder(ctx, order, 'order.charged_back');
  return chargeback.id;
};

/** `POST /v1/orders/{id}/events {"status"}`: forces a state and its webhook. */
export const forceOrderStatus = (
  ctx: SandboxContext,
  orderId: string,
  status: ForceableOrderStatus,
): void => {
  const order = visibleOrder(ctx, orderId);
  if (status === 'processed') {
    payOrder(ctx, orderId, order.mode === 'static' ? 'static' : 'dynamic');
  } else if (status === 'canceled') {
    cancelOrder(ctx, orderId);
  } else if (status === 'expired') {
    expireOrderNow(ctx, orderId);
  } else if (status === 'refunded') {
    const refund = refundOrder(ctx, orderId, undefined);
    settleOrderRefund(ctx, refund.id, 'processed');
  } else if (status === 'failed') {
    requireOpen(order);
    order.status = 'failed';
    order.statusDetail = 'failed';
    order.payment.status = 'failed';
    order.payment.statusDetail = 'rejected_by_issuer';
    touchOrder(ctx, order, 'order.failed');
  } else {
    requireOpen(order);
    order.status = 'action_required';
    order.statusDetail = 'action_required';
    touchOrder(ctx, order, 'order.action_required');
  }
};
