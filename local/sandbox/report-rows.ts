/**
 * The rows of a settlement report, built from the sandbox's own records whose date falls in the period:
 * `SETTLEMENT` (approved payments, by `date_approved`), `REFUND` (approved payment refunds, dashboard and
 * API; processed Orders refunds, with the order's numeric payment as `SOURCE_ID` and the `ORD` id as
 * `ORDER_ID`), `CHARGEBACK` (cases opened), `DISPUTE` (payments put `in_mediation`). Fees are 4.99 % of
 * approved payments; refund and chargeback rows carry no fee. A partial refund's id is in `METADATA`
 * (`[{"refund_id":"…"}]`), a chargeback's case id likewise (`chargeback_id`); other rows `[{}]`, as the sample.
 * Refund rows are negative unless `reportRefundSign` is `positive` (unsettled); chargeback and dispute rows
 * are negative.
 */
import { type Currency, decimalsOf } from '../../functions/model/money.ts';
import type { SandboxContext } from './context.ts';
import { mpDate } from './dates.ts';
import { orderRefundsOf } from './order-json.ts';
import { refundsOfPayment } from './payments.ts';
import type { PaymentRecord } from './state.ts';

export interface ReportRow {
  at: number;
  /** The refund's or chargeback's id (what METADATA names), else null. */
  refundId: string | null;
  values: Record<string, string>;
}

export const FEE_RATE = 0.0499;

/** Two decimals, `.` as decimal point, no thousands separator (CLP and COP too: `25990.00`). */
const money = (minor: number, currency: Currency): string => (minor / 10 ** decimalsOf(currency)).toFixed(2);

const feeOf = (payment: PaymentRecord): number => Math.round(payment.amountMinor * FEE_RATE);

interface RowInput {
  ctx: SandboxContext;
  payment: PaymentRecord;
  type: string;
  at: number;
  amountMinor: number;
  feeMinor: number;
  realMinor: number;
  metadata: Record<string, string>;
  orderId: string | null;
  externalReference: string | null;
  offset: string;
}

const row = (input: RowInput): Record<string, string> => {
  const { payment, ctx } = input;
  const c = payment.currency;
  const date = mpDate(input.at, input.offset);
  return {
    EXTERNAL_REFERENCE: input.externalReference ?? payment.externalReference ?? '',
    SOURCE_ID: payment.id,
    USER_ID: ctx.settings.userId,
    PAYMENT_METHOD_TYPE: payment.paymentTypeId,
    PAYMENT_METHOD: payment.paymentMethodId,
    SITE: payment.siteId,
    TRANSACTION_TYPE: input.type,
    TRANSACTION_AMOUNT: money(input.amountMinor, c),
    TRANSACTION_CURRENCY: c,
    TRANSACTION_DATE: date,
    FEE_AMOUNT: money(-input.feeMinor, c),
    SETTLEMENT_NET_AMOUNT: money(input.amountMinor - input.feeMinor, c),
    SETTLEMENT_CURRENCY: c,
    SETTLEMENT_DATE: date,
    REAL_AMOUNT: money(input.realMinor, c),
    COUPON_AMOUNT: money(0, c),
    METADATA: JSON.stringify([input.metadata]),
    MKP_FEE_AMOUNT: money(-input.feeMinor, c),
    FINANCING_FEE_AMOUNT: money(0, c),
    SHIPPING_FEE_AMOUNT: money(0, c),
    TAXES_AMOUNT: money(0, c),
    INSTALLMENTS: '1',
    ORDER_ID: input.orderId ?? payment.orderId ?? payment.merchantOrderId ?? '',
    SHIPPING_ID: '',
    SHIPMENT_MODE: '',
    PACK_ID: '',
    POS_ID: payment.posId ?? '',
    POS_NAME: payment.posId === null ? '' : `Caja ${payment.posId}`,
    EXTERNAL_POS_ID: payment.posId ?? '',
    STORE_ID: payment.storeId ?? '',
    STORE_NAME: payment.storeId === null ? '' : `Sucursal ${payment.storeId}`,
    EXTERNAL_STORE_ID: payment.storeId ?? '',
  };
};

/** Everything refunded, charged back (and not won) of a payment, for its REAL_AMOUNT. */
const takenBackMinor = (ctx: SandboxContext, payment: PaymentRecord): number => {
  let minor = refundsOfPayment(ctx, payment)
    .filter((r) => r.status === 'approved')
    .reduce((sum, r) => sum + r.amountMinor, 0);
  const order = payment.orderId === null ? undefined : ctx.store.orders.get(payment.orderId);
  if (order) {
    minor += orderRefundsOf(ctx, order)
      .filter((r) => r.status === 'processed')
      .reduce((sum, r) => sum + r.amountMinor, 0);
  }
  for (const chargeback of ctx.store.chargebacks.values()) {
    if (chargeback.paymentId === payment.id && chargeback.coverageApplied !== true)
      minor += chargeback.amountMinor;
  }
  return minor;
};

export const buildReportRows = (
  ctx: SandboxContext,
  beginMs: number,
  endMs: number,
  offset: string,
): ReportRow[] => {
  const rows: ReportRow[] = [];
  const inPeriod = (at: number) => at >= beginMs && at <= endMs;
  const sign = ctx.settings.reportRefundSign === 'positive' ? 1 : -1;
  const mine = (payment: PaymentRecord | undefined): payment is PaymentRecord =>
    payment !== undefined && payment.collectorId === ctx.settings.userId;
  const add = (input: Omit<RowInput, 'ctx' | 'offset'>, refundId: string | null) =>
    rows.push({ at: input.at, refundId, values: row({ ...input, ctx, offset }) });

  for (const payment of ctx.store.payments.values()) {
    if (!mine(payment)) continue;
    if (payment.dateApproved !== null && inPeriod(payment.dateApproved)) {
      const fee = feeOf(payment);
      const base = {
        payment,
        type: 'SETTLEMENT',
        at: payment.dateApproved,
        amountMinor: payment.amountMinor,
      };
      const real = payment.amountMinor - fee - takenBackMinor(ctx, payment);
      add(
        { ...base, feeMinor: fee, realMinor: real, metadata: {}, orderId: null, externalReference: null },
        null,
      );
    }
    for (const refund of refundsOfPayment(ctx, payment)) {
      if (refund.status !== 'approved' || !inPeriod(refund.dateCreated)) continue;
      const partial = refund.amountMinor < payment.amountMinor;
      const amount = sign * refund.amountMinor;
      add(
        {
          payment,
          type: 'REFUND',
          at: refund.dateCreated,
          amountMinor: amount,
          feeMinor: 0,
          realMinor: amount,
          metadata: partial ? { refund_id: refund.id } : {},
          orderId: null,
          externalReference: null,
        },
        refund.id,
      );
    }
  }
  for (const order of ctx.store.orders.values()) {
    const payment =
      order.payment.paymentId === null ? undefined : ctx.store.payments.get(order.payment.paymentId);
    if (!mine(payment)) continue;
    for (const refund of orderRefundsOf(ctx, order)) {
      if (refund.status !== 'processed' || !inPeriod(refund.dateCreated)) continue;
      const partial = refund.amountMinor < order.payment.amountMinor;
      const amount = sign * refund.amountMinor;
      add(
        {
          payment,
          type: 'REFUND',
          at: refund.dateCreated,
          amountMinor: amount,
          feeMinor: 0,
          realMinor: amount,
          metadata: partial ? { refund_id: refund.id } : {},
          orderId: order.id,
          externalReference: order.externalReference,
        },
        refund.id,
      );
    }
  }
  for (const chargeback of ctx.store.chargebacks.values()) {
    const payment = ctx.store.payments.get(chargeback.paymentId);
    if (!mine(payment) || !inPeriod(chargeback.dateCreated)) continue;
    add(
      {
        payment,
        type: 'CHARGEBACK',
        at: chargeback.dateCreated,
        amountMinor: -chargeback.amountMinor,
        feeMinor: 0,
        realMinor: -chargeback.amountMinor,
        metadata: { chargeback_id: chargeback.id },
        orderId: null,
        externalReference: null,
      },
      chargeback.id,
    );
  }
  for (const dispute of ctx.store.disputes) {
    const payment = ctx.store.payments.get(dispute.paymentId);
    if (!mine(payment) || !inPeriod(dispute.dateCreated)) continue;
    add(
      {
        payment,
        type: 'DISPUTE',
        at: dispute.dateCreated,
        amountMinor: -dispute.amountMinor,
        feeMinor: 0,
        realMinor: -dispute.amountMinor,
        metadata: {},
        orderId: null,
        externalReference: null,
      },
      null,
    );
  }
  return rows.sort((a, b) => a.at - b.at);
};
