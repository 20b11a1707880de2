/** The in-process controls of Orders API orders (see sandbox-api.ts and README.md). */
import type { SandboxContext } from './context.ts';
import { SandboxControlError } from './mp-errors.ts';
import { orderJson, orderRefundJson } from './order-json.ts';
import {
  chargeBackOrder,
  expireOrderNow,
  forceOrderStatus,
  type OrderPaymentResult,
  payOrder,
  payTillQr,
  rejectOrderPayment,
} from './order-lifecycle.ts';
import type { ForceableOrderStatus, QrVia } from './order-records.ts';
import { type OrderRefundOutcome, settleOrderRefund } from './order-refunds.ts';

export interface OrderControls {
  /** The order as `GET /v1/orders/{id}` shows it (whatever its age). */
  getOrder(orderId: string): Record<string, unknown> | undefined;
  /** The buyer pays: order `processed`/`accredited`, a numeric payment in `/v1/payments`, `order.processed`. */
  payOrder(orderId: string, options?: { via?: QrVia }): OrderPaymentResult;
  /** The buyer scans the till's static QR: pays its latest open static or hybrid order. */
  payTillQr(externalPosId: string): OrderPaymentResult;
  /** A payment attempt is rejected (a rejected numeric payment); the order stays open for another try. */
  rejectOrderPayment(orderId: string, statusDetail?: string): OrderPaymentResult;
  /** Expires an open order now (`order.expired`). */
  expireOrder(orderId: string): void;
  /** What `POST /v1/orders/{id}/events` does: forces a status and its webhook. */
  forceOrderStatus(orderId: string, status: ForceableOrderStatus): void;
  /** Charges back a paid order: a chargeback case on its payment, order `charged_back`/`settled`. Returns the case id. */
  chargeBackOrder(orderId: string): string;
  /** Settles a `processing` order refund now. */
  settleOrderRefund(refundId: string, status: OrderRefundOutcome): Record<string, unknown>;
  /**
   * Per-order overrides: `partialRefunds` false refuses partial refunds of this order (null: the site's);
   * `tips` / `cashOut` true make it an order with a tip / a cash-out, whose partial refunds Mercado Pago
   * refuses (403 `partial_refund_forbidden_with_tips`, 400 `partial_refund_not_allowed_with_cashout`).
   */
  configureOrder(
    orderId: string,
    options: { partialRefunds?: boolean | null; tips?: boolean; cashOut?: boolean },
  ): void;
}

export const orderControls = (ctx: SandboxContext, swept: <T>(run: () => T) => T): OrderControls => ({
  getOrder: (orderId) =>
    swept(() => {
      const order = ctx.store.orders.get(orderId);
      return order ? orderJson(ctx, order) : undefined;
    }),
  payOrder: (orderId, options = {}) => swept(() => payOrder(ctx, orderId, options.via)),
  payTillQr: (externalPosId) => swept(() => payTillQr(ctx, externalPosId)),
  rejectOrderPayment: (orderId, statusDetail) => swept(() => rejectOrderPayment(ctx, orderId, statusDetail)),
  expireOrder: (orderId) => swept(() => expireOrderNow(ctx, orderId)),
  forceOrderStatus: (orderId, status) => swept(() => forceOrderStatus(ctx, orderId, status)),
  chargeBackOrder: (orderId) => swept(() => chargeBackOrder(ctx, orderId)),
  settleOrderRefund: (refundId, status) =>
    swept(() => {
      const refund = settleOrderRefund(ctx, refundId, status);
      return orderRefundJson(ctx.store.orders.get(refund.orderId)!, refund);
    }),
  configureOrder: (orderId, options) => {
    const order = ctx.store.orders.get(orderId);
    if (!order) throw new SandboxControlError(`no order ${orderId}`);
    if (options.partialRefunds !== undefined) order.partialRefunds = options.partialRefunds;
    if (options.tips !== undefined) order.tips = options.tips;
    if (options.cashOut !== undefined) order.cashOut = options.cashOut;
  },
});
