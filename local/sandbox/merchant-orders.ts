/**
 * Merchant orders (GET /merchant_orders/{id}, shape of fixtures/merchant_order_opened.sdk-java.json):
 * `opened` while its QR order waits on a till, `closed` once paid, `expired` when the order outlived its
 * TTL or was removed or replaced.
 */
import { decimalsOf, fromMinorUnits } from '../../functions/model/money.ts';
import type { SandboxContext } from './context.ts';
import { MERCHANT_ORDER_OFFSET, mpDate } from './dates.ts';
import { refundsOfPayment } from './payments.ts';
import type { MerchantOrderRecord, MerchantOrderStatus, PaymentRecord } from './state.ts';

export type MerchantOrderInput = Omit<MerchantOrderRecord, 'id' | 'dateCreated' | 'lastUpdated'>;

export const addMerchantOrder = (ctx: SandboxContext, input: MerchantOrderInput): MerchantOrderRecord => {
  const now = ctx.now();
  const order: MerchantOrderRecord = {
    ...input,
    id: ctx.ids.merchantOrder.next(),
    dateCreated: now,
    lastUpdated: now,
  };
  ctx.store.merchantOrders.set(order.id, order);
  return order;
};

/** A QR payment made without a till order (control API, seed): its merchant order, already closed. */
export const addClosedMerchantOrderFor = (
  ctx: SandboxContext,
  payment: PaymentRecord,
): MerchantOrderRecord => {
  const total = fromMinorUnits(payment.amountMinor, decimalsOf(payment.currency));
  const order = addMerchantOrder(ctx, {
    status: 'closed',
    siteId: payment.siteId,
    currency: payment.currency,
    collectorId: payment.collectorId,
    externalReference: payment.externalReference,
    totalAmount: total,
    items: [
      {
        title: payment.description,
        unit_price: total,
        quantity: 1,
        unit_measure: 'unit',
        total_amount: total,
      },
    ],
    paymentIds: [payment.id],
    posId: payment.posId,
    storeId: payment.storeId,
    notificationUrl: null,
  });
  order.dateCreated = payment.dateCreated;
  order.lastUpdated = payment.dateApproved ?? payment.dateCreated;
  payment.merchantOrderId = order.id;
  return order;
};

export const setMerchantOrderStatus = (
  ctx: SandboxContext,
  order: MerchantOrderRecord,
  status: MerchantOrderStatus,
): void => {
  order.status = status;
  order.lastUpdated = ctx.now();
  ctx.changes.merchantOrderChanged(order.id);
};

export const visibleMerchantOrder = (ctx: SandboxContext, id: string): MerchantOrderRecord | undefined => {
  const order = ctx.store.merchantOrders.get(id);
  return order && order.collectorId === ctx.settings.userId ? order : undefined;
};

export const merchantOrderJson = (
  ctx: SandboxContext,
  order: MerchantOrderRecord,
): Record<string, unknown> => {
  const decimals = decimalsOf(order.currency);
  const payments = order.paymentIds
    .map((id) => ctx.store.payments.get(id))
    .filter((p): p is PaymentRecord => p !== undefined);
  let paidMinor = 0;
  let refundedMinor = 0;
  const paymentsJson = payments.map((payment) => {
    const refunded = refundsOfPayment(ctx, payment)
      .filter((r) => r.status === 'approved')
      .reduce((sum, r) => sum + r.amountMinor, 0);
    if (payment.dateApproved !== null) paidMinor += payment.amountMinor;
    refundedMinor += refunded;
    return {
      id: Number(payment.id),
      transaction_amount: fromMinorUnits(payment.amountMinor, decimals),
      total_paid_amount: fromMinorUnits(payment.amountMinor, decimals),
      shipping_cost: 0,
      currency_id: payment.currency,
      status: payment.status,
      status_detail: payment.statusDetail,
      operation_type: 'pos_payment',
      date_approved:
        payment.dateApproved === null ? null : mpDate(payment.dateApproved, MERCHANT_ORDER_OFFSET),
      date_created: mpDate(payment.dateCreated, MERCHANT_ORDER_OFFSET),
      last_modified: mpDate(payment.dateLastUpdated, MERCHANT_ORDER_OFFSET),
      amount_refunded: fromMinorUnits(refunded, decimals),
    };
  });
  const orderStatus =
    order.status === 'expired'
      ? 'expired'
      : paidMinor === 0
        ? 'payment_required'
        : refundedMinor >= paidMinor
          ? 'reverted'
          : refundedMinor > 0
            ? 'partially_reverted'
            : 'paid';
  return {
    id: Number(order.id),
    status: order.status,
    external_reference: order.externalReference,
    preference_id: null,
    payments: paymentsJson,
    shipments: [],
    payouts: [],
    collector: { id: Number(order.collectorId), email: '', nickname: 'TESTSANDBOX' },
    marketplace: 'NONE',
    notification_url: order.notificationUrl,
    date_created: mpDate(order.dateCreated, MERCHANT_ORDER_OFFSET),
    last_updated: mpDate(order.lastUpdated, MERCHANT_ORDER_OFFSET),
    sponsor_id: null,
    shipping_cost: 0,
    total_amount: order.totalAmount,
    site_id: order.siteId,
    paid_amount: fromMinorUnits(paidMinor, decimals),
    refunded_amount: fromMinorUnits(refundedMinor, decimals),
    payer: payments.length > 0 ? { id: 1283451234, email: '' } : null,
    items: order.items.map((item) => ({
      id: item.sku_number ?? null,
      category_id: item.category ?? null,
      currency_id: order.currency,
      description: item.description ?? null,
      picture_url: null,
      title: item.title,
      quantity: item.quantity,
      unit_price: item.unit_price,
    })),
    cancelled: false,
    additional_info: '',
    application_id: null,
    is_test: true,
    order_status: orderStatus,
  };
};
