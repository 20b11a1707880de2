/**
 * An Orders API order as `GET /v1/orders/{id}` answers it (shape of fixtures/order_*.json): amounts as
 * decimal strings, `country_code` of the seller's site, `user_id` as a string, dates in UTC with
 * milliseconds, `transactions.payments[]` and, once refunded, `transactions.refunds[]`.
 */
import type { SiteId } from '../../functions/model/money.ts';
import type { SandboxContext } from './context.ts';
import { SANDBOX_APPLICATION_ID } from './ids.ts';
import { formatOrderAmount } from './order-amounts.ts';
import type { OrderRecord, OrderRefundRecord } from './order-records.ts';

export const COUNTRY_CODE: Record<SiteId, string> = {
  MLA: 'ARG',
  MLB: 'BRA',
  MLM: 'MEX',
  MLC: 'CHL',
  MCO: 'COL',
  MPE: 'PER',
  MLU: 'URY',
};

const isoDate = (ms: number): string => new Date(ms).toISOString();

const CANCELLED_DETAILS: Record<string, string> = {
  canceled: 'cancelled',
  canceled_by_api: 'cancelled_transaction',
};

/** Statuses in the spelling the sandbox is set to answer (`canceled`, or the PHP mock's `cancelled`). */
const spelt = (
  ctx: SandboxContext,
  status: string,
  detail: string,
): { status: string; status_detail: string } =>
  ctx.settings.orderCanceledSpelling === 'cancelled' && status === 'canceled'
    ? { status: 'cancelled', status_detail: CANCELLED_DETAILS[detail] ?? detail }
    : { status, status_detail: detail };

export const orderRefundsOf = (ctx: SandboxContext, order: OrderRecord): OrderRefundRecord[] =>
  order.refundIds
    .map((id) => ctx.store.orderRefunds.get(id))
    .filter((refund): refund is OrderRefundRecord => refund !== undefined);

export const orderRefundJson = (order: OrderRecord, refund: OrderRefundRecord): Record<string, unknown> => ({
  id: refund.id,
  transaction_id: refund.transactionId,
  reference_id: refund.referenceId,
  amount: formatOrderAmount(refund.amountMinor, order.currency),
  status: refund.status,
});

export const orderPaymentJson = (ctx: SandboxContext, order: OrderRecord): Record<string, unknown> => {
  const payment = order.payment;
  return {
    id: payment.id,
    amount: formatOrderAmount(payment.amountMinor, order.currency),
    ...(payment.paymentId === null ? {} : { reference_id: payment.paymentId }),
    ...spelt(ctx, payment.status, payment.statusDetail),
    ...(payment.attempts.length === 0
      ? {}
      : {
          attempts: payment.attempts.map((attempt) => ({
            id: attempt.paymentId,
            status: attempt.status,
            status_detail: attempt.statusDetail,
          })),
        }),
    ...(payment.paymentId === null
      ? {}
      : { payment_method: { id: 'account_money', type: 'account_money', installments: 1 } }),
  };
};

export const orderJson = (ctx: SandboxContext, order: OrderRecord): Record<string, unknown> => {
  const refunds = orderRefundsOf(ctx, order);
  return {
    id: order.id,
    type: 'qr',
    processing_mode: 'automatic',
    external_reference: order.externalReference,
    ...(order.description === null ? {} : { description: order.description }),
    total_amount: formatOrderAmount(order.totalMinor, order.currency),
    expiration_time: order.expirationTime,
    country_code: COUNTRY_CODE[order.siteId],
    user_id: order.userId,
    ...spelt(ctx, order.status, order.statusDetail),
    currency: order.currency,
    created_date: isoDate(order.createdAt),
    last_updated_date: isoDate(order.updatedAt),
    integration_data: { application_id: SANDBOX_APPLICATION_ID },
    transactions: {
      payments: [orderPaymentJson(ctx, order)],
      ...(refunds.length === 0 ? {} : { refunds: refunds.map((refund) => orderRefundJson(order, refund)) }),
    },
    config: { qr: { external_pos_id: order.externalPosId, mode: order.mode } },
    ...(order.items === null ? {} : { items: order.items }),
    ...(order.discounts === undefined ? {} : { discounts: order.discounts }),
    ...(order.qrData === null ? {} : { type_response: { qr_data: order.qrData } }),
  };
};

/** `data` of an `order` webhook: the order's state at the change. */
export const orderWebhookData = (ctx: SandboxContext, order: OrderRecord): Record<string, unknown> => ({
  id: order.id,
  external_reference: order.externalReference,
  ...spelt(ctx, order.status, order.statusDetail),
  total_amount: formatOrderAmount(order.totalMinor, order.currency),
  transactions: { payments: [orderPaymentJson(ctx, order)] },
  type: 'qr',
  version: order.version,
});
