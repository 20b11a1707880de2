/**
 * Orders API orders (QR): create, read (only orders under 3 months old), search, cancel (while `created` or
 * `action_required`, else 409 `invalid_order_status`), expiry at the end of `expiration_time`. Every change
 * bumps the order's `version` and announces an `order` webhook. One open order per till is not enforced
 * (Mercado Pago does not): the service keeps its own till map.
 */
import { SITE_CURRENCY } from '../../functions/model/money.ts';
import type { SandboxContext } from './context.ts';
import { emvQrData } from './emv-qr.ts';
import { isOrdersId, orderStyleId } from './ids.ts';
import { formatOrderAmount } from './order-amounts.ts';
import { OrdersHttpError, orderNotFound } from './order-errors.ts';
import { orderWebhookData } from './order-json.ts';
import type { OrderRecord } from './order-records.ts';
import { parseCreateOrder } from './order-request.ts';
import type { OrderAction } from './topic-notifications.ts';

/** Records a change (version, last update) and announces it when an action is given. */
export const touchOrder = (ctx: SandboxContext, order: OrderRecord, action: OrderAction | null): void => {
  order.version += 1;
  order.updatedAt = Math.max(order.updatedAt, ctx.now());
  if (action !== null && order.userId === ctx.settings.userId) {
    ctx.changes.orderChanged({ orderId: order.id, action, data: orderWebhookData(ctx, order) });
  }
};

export const createOrder = (ctx: SandboxContext, body: unknown): OrderRecord => {
  const siteId = ctx.settings.siteId;
  const currency = SITE_CURRENCY[siteId];
  const request = parseCreateOrder(body, currency);
  const now = ctx.now();
  const id = orderStyleId('ORD', now);
  const order: OrderRecord = {
    id,
    userId: ctx.settings.userId,
    siteId,
    currency,
    externalReference: request.externalReference,
    description: request.description,
    totalMinor: request.totalMinor,
    expirationTime: request.expirationTime,
    expiresAt: now + request.expirationMs,
    mode: request.mode,
    externalPosId: request.externalPosId,
    items: request.items,
    discounts: request.discounts,
    status: 'created',
    statusDetail: 'created',
    payment: {
      id: orderStyleId('PAY', now),
      amountMinor: request.totalMinor,
      status: 'created',
      statusDetail: 'ready_to_process',
      paymentId: null,
      attempts: [],
    },
    refundIds: [],
    qrData:
      request.mode === 'static'
        ? null
        : emvQrData({
            orderId: id,
            siteId,
            currency,
            amount: formatOrderAmount(request.totalMinor, currency),
          }),
    partialRefunds: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
    paidVia: null,
    chargebackId: null,
  };
  ctx.store.orders.set(id, order);
  ctx.log(`order ${id} (${order.mode}) on till ${order.externalPosId}: ${order.externalReference}`);
  return order;
};

/** 400 `invalid_path_param` for an id that is not `ORD` + letters and digits. */
export const checkOrderId = (id: string): void => {
  if (!isOrdersId('ORD', id)) {
    throw new OrdersHttpError(
      400,
      'invalid_path_param',
      `${id} is not an order id (ORD followed by 26 characters)`,
    );
  }
};

/** The order as this token sees it (another seller's: not found). */
export const visibleOrder = (ctx: SandboxContext, id: string): OrderRecord => {
  checkOrderId(id);
  const order = ctx.store.orders.get(id);
  if (!order || order.userId !== ctx.settings.userId) throw orderNotFound(id);
  return order;
};

/** The date three calendar months after `ms` (UTC). */
export const threeMonthsAfter = (ms: number): number => {
  const date = new Date(ms);
  date.setUTCMonth(date.getUTCMonth() + 3);
  return date.getTime();
};

/** GET /v1/orders/{id}: orders created three months ago or more are not served (404). */
export const readableOrder = (ctx: SandboxContext, id: string): OrderRecord => {
  const order = visibleOrder(ctx, id);
  if (ctx.now() >= threeMonthsAfter(order.createdAt)) throw orderNotFound(id);
  return order;
};

export const cancelOrder = (ctx: SandboxContext, id: string): OrderRecord => {
  const order = visibleOrder(ctx, id);
  if (order.status !== 'created' && order.status !== 'action_required') {
    throw new OrdersHttpError(
      409,
      'invalid_order_status',
      `Order ${id} is ${order.status}: it cannot be canceled`,
    );
  }
  order.status = 'canceled';
  order.statusDetail = 'canceled';
  order.payment.status = 'canceled';
  order.payment.statusDetail = 'canceled_by_api';
  touchOrder(ctx, order, 'order.canceled');
  ctx.log(`order ${id} canceled`);
  return order;
};

export const expireOrder = (ctx: SandboxContext, order: OrderRecord): void => {
  order.status = 'expired';
  order.statusDetail = 'expired';
  order.payment.status = 'expired';
  order.payment.statusDetail = 'expired';
  touchOrder(ctx, order, 'order.expired');
  ctx.log(`order ${order.id} expired`);
};

/** Unpaid orders past their `expiration_time` expire (applied on each call and by the sweeper). */
export const expireOrders = (ctx: SandboxContext): void => {
  const now = ctx.now();
  for (const order of ctx.store.orders.values()) {
    if ((order.status === 'created' || order.status === 'action_required') && order.expiresAt <= now) {
      expireOrder(ctx, order);
    }
  }
};
