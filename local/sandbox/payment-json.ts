/**
 * A payment as GET /v1/payments/{id} answers it: the fields the project reads plus realistic extras
 * (shape of fixtures/payment_approved_credit_card.sdk-java.json), including the surprises NOTES.md warns of:
 * numeric strings in additional_info, `money_release_date: ""` while unreleased, `order: {}` without a
 * merchant order, `order.id` as a string, and `transaction_amount_refunded` summed as floats (as a
 * double-based backend would), so it can carry float noise such as 0.30000000000000004.
 */
import { decimalsOf, fromMinorUnits } from '../../functions/model/money.ts';
import type { SandboxContext } from './context.ts';
import { DAY_MS, mpDate } from './dates.ts';
import { refundsOfPayment } from './payments.ts';
import { type RefundJson, refundJson } from './refund-json.ts';
import type { PaymentRecord } from './state.ts';

export interface PaymentJson {
  id: number;
  status: string;
  status_detail: string;
  currency_id: string;
  transaction_amount: number;
  transaction_amount_refunded: number;
  date_created: string;
  date_approved: string | null;
  date_last_updated: string;
  date_of_expiration: string | null;
  collector_id: number;
  pos_id: string | null;
  store_id: string | null;
  point_of_interaction: Record<string, unknown>;
  order: { type?: string; id?: string };
  refunds: RefundJson[];
  [field: string]: unknown;
}

const IDENTIFICATION_TYPE: Record<string, string> = {
  MLA: 'DNI',
  MLB: 'CPF',
  MLM: 'RFC',
  MLC: 'RUT',
  MCO: 'CC',
  MPE: 'DNI',
  MLU: 'CI',
};

const pointOfInteraction = (payment: PaymentRecord): Record<string, unknown> => {
  // QR: every documented signal; Point: only business_info.sub_unit, so clients must check them all.
  if (payment.inPerson === 'qr')
    return { type: 'INSTORE', business_info: { unit: 'wallet', sub_unit: 'qr' } };
  if (payment.inPerson === 'point')
    return { type: 'POINT', business_info: { unit: 'point', sub_unit: 'point' } };
  return {};
};

export const paymentJson = (ctx: SandboxContext, payment: PaymentRecord): PaymentJson => {
  const decimals = decimalsOf(payment.currency);
  const amount = fromMinorUnits(payment.amountMinor, decimals);
  const refunds = refundsOfPayment(ctx, payment);
  let refunded = 0;
  for (const refund of refunds) {
    if (refund.status === 'approved') refunded += fromMinorUnits(refund.amountMinor, decimals);
  }
  const feeMinor = payment.dateApproved === null ? 0 : Math.round(payment.amountMinor * 0.0499);
  const isCard = payment.paymentTypeId === 'credit_card' || payment.paymentTypeId === 'debit_card';
  return {
    id: Number(payment.id),
    date_created: mpDate(payment.dateCreated),
    date_approved: payment.dateApproved === null ? null : mpDate(payment.dateApproved),
    date_last_updated: mpDate(payment.dateLastUpdated),
    date_of_expiration: payment.dateOfExpiration === null ? null : mpDate(payment.dateOfExpiration),
    money_release_date: payment.dateApproved === null ? '' : mpDate(payment.dateApproved + 14 * DAY_MS),
    money_release_status: payment.dateApproved === null ? null : 'pending',
    operation_type: payment.inPerson ? 'pos_payment' : 'regular_payment',
    issuer_id: isCard ? '24' : null,
    payment_method_id: payment.paymentMethodId,
    payment_type_id: payment.paymentTypeId,
    status: payment.status,
    status_detail: payment.statusDetail,
    currency_id: payment.currency,
    description: payment.description,
    live_mode: false,
    sponsor_id: null,
    authorization_code: isCard && payment.dateApproved !== null ? '301299' : null,
    money_release_schema: null,
    taxes_amount: 0,
    counter_currency: null,
    shipping_amount: 0,
    pos_id: payment.posId,
    store_id: payment.storeId,
    integrator_id: null,
    platform_id: null,
    corporation_id: null,
    collector_id: Number(payment.collectorId),
    payer: {
      type: null,
      id: '1283451234',
      operator_id: null,
      email: 'test_user_80507629@testuser.com',
      identification: { type: IDENTIFICATION_TYPE[payment.siteId] ?? 'DNI', number: '00000000' },
      phone: { area_code: null, number: null, extension: null },
      first_name: null,
      last_name: null,
      entity_type: null,
    },
    marketplace_owner: null,
    metadata: {},
    additional_info: {
      items: [
        {
          id: '1941',
          title: payment.description,
          description: null,
          picture_url: null,
          category_id: null,
          quantity: '1',
          unit_price: amount.toFixed(1),
        },
      ],
      available_balance: null,
      nsu_processadora: null,
      authentication_code: null,
    },
    order: payment.merchantOrderId === null ? {} : { type: 'mercadopago', id: payment.merchantOrderId },
    ...(payment.orderId === null ? {} : { references: [{ type: 'ORDER_MP', id: payment.orderId }] }),
    external_reference: payment.externalReference,
    transaction_amount: amount,
    transaction_amount_refunded: refunded,
    coupon_amount: 0,
    differential_pricing_id: null,
    deduction_schema: null,
    installments: 1,
    transaction_details: {
      payment_method_reference_id: null,
      net_received_amount: fromMinorUnits(payment.amountMinor - feeMinor, decimals),
      total_paid_amount: amount,
      overpaid_amount: 0,
      external_resource_url:
        payment.paymentTypeId === 'ticket' ? 'https://www.mercadopago.com/sandbox/ticket' : null,
      installment_amount: amount,
      financial_institution: null,
      payable_deferral_period: null,
      acquirer_reference: null,
    },
    fee_details:
      feeMinor === 0
        ? []
        : [{ type: 'mercadopago_fee', amount: fromMinorUnits(feeMinor, decimals), fee_payer: 'collector' }],
    charges_details: [],
    captured: payment.status !== 'authorized',
    binary_mode: false,
    call_for_authorize_id: null,
    statement_descriptor: 'Mercadopago*sandbox',
    card: isCard
      ? { id: null, first_six_digits: '503143', last_four_digits: '6351', cardholder: { name: 'APRO' } }
      : {},
    notification_url: null,
    refunds: refunds.map((refund) => refundJson(ctx, refund, payment)),
    processing_mode: 'aggregator',
    merchant_account_id: null,
    merchant_number: null,
    acquirer_reconciliation: [],
    point_of_interaction: pointOfInteraction(payment),
  };
};

/** Some cancellations answer only these three fields. */
export const minimalPaymentJson = (
  payment: PaymentRecord,
): { id: number; status: string; status_detail: string } => ({
  id: Number(payment.id),
  status: payment.status,
  status_detail: payment.statusDetail,
});
