/** Bodies of the `/__sandbox` HTTP controls (strict: a misspelt field is a 400, not a silent default). */
import * as z from 'zod/mini';
import { CURRENCY_DECIMALS, SITE_CURRENCY } from '../../functions/model/money.ts';
import { PAYMENT_STATUSES } from './state.ts';

const currency = z.enum(Object.keys(CURRENCY_DECIMALS) as [keyof typeof CURRENCY_DECIMALS]);
const siteId = z.enum(Object.keys(SITE_CURRENCY) as [keyof typeof SITE_CURRENCY]);
const digits = z.string().check(z.regex(/^\d{1,20}$/));
const dateInput = z.union([z.string(), z.number()]);
const times = z.optional(z.int().check(z.positive()));
const matchShape = { method: z.optional(z.string()), path: z.optional(z.string()), times };

export const createPaymentBody = z.strictObject({
  status: z.enum(PAYMENT_STATUSES),
  statusDetail: z.optional(z.string()),
  currency: z.optional(currency),
  siteId: z.optional(siteId),
  amount: z.number(),
  dateCreated: z.optional(dateInput),
  dateApproved: z.optional(dateInput),
  inPerson: z.optional(z.union([z.literal('qr'), z.literal('point'), z.literal(false)])),
  merchantOrderId: z.optional(digits),
  collectorId: z.optional(digits),
  minimalAnswers: z.optional(z.boolean()),
  paymentMethodId: z.optional(z.string()),
  externalReference: z.optional(z.string()),
  description: z.optional(z.string()),
  posId: z.optional(z.string()),
  storeId: z.optional(z.string()),
  refunds: z.optional(z.array(z.number())),
});

export const paymentStatusBody = z.strictObject({
  status: z.enum(PAYMENT_STATUSES),
  statusDetail: z.optional(z.string()),
});

export const dashboardRefundBody = z.strictObject({ amount: z.optional(z.number()) });

export const settleRefundBody = z.strictObject({ status: z.enum(['approved', 'rejected', 'cancelled']) });

export const balanceBody = z.strictObject({
  amount: z.nullable(z.number()),
  currency: z.optional(currency),
  language: z.optional(z.enum(['en', 'es', 'pt'])),
});

export const faultBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('latency'), ms: z.number().check(z.nonnegative()), ...matchShape }),
  z.strictObject({
    kind: z.literal('status'),
    status: z.int().check(z.gte(100), z.lte(599)),
    body: z.optional(z.unknown()),
    headers: z.optional(z.record(z.string(), z.string())),
    ...matchShape,
  }),
  z.strictObject({ kind: z.literal('drop'), ...matchShape }),
  z.strictObject({ kind: z.literal('loseAnswer'), ...matchShape }),
  z.strictObject({ kind: z.literal('refundStatus'), status: z.enum(['in_process', 'rejected']), times }),
]);

/** Over HTTP a refusal must end on its own: while refusing, the controls are unreachable too. */
export const refuseBody = z.strictObject({ forMs: z.int().check(z.positive(), z.lte(600_000)) });

const orderAction = z.enum([
  'order.processed',
  'order.canceled',
  'order.expired',
  'order.refunded',
  'order.charged_back',
  'order.action_required',
  'order.failed',
]);
const copies = { duplicate: z.optional(z.int().check(z.nonnegative())), url: z.optional(z.string()) };

export const notificationBody = z.union([
  z.strictObject({
    kind: z.literal('order'),
    orderId: z.string(),
    action: z.optional(orderAction),
    signing: z.optional(z.enum(['raw', 'lowercase', 'none'])),
    tsInMilliseconds: z.optional(z.boolean()),
    ...copies,
  }),
  z.strictObject({
    kind: z.literal('chargeback'),
    chargebackId: digits,
    tsInMilliseconds: z.optional(z.boolean()),
    ...copies,
  }),
  z.strictObject({ kind: z.literal('chargeback_ipn'), chargebackId: digits, ...copies }),
  z.strictObject({
    kind: z.enum(['signed', 'unsigned', 'forged', 'stale', 'ipn']),
    paymentId: digits,
    action: z.optional(z.enum(['payment.created', 'payment.updated'])),
    duplicate: z.optional(z.int().check(z.nonnegative())),
    tsInMilliseconds: z.optional(z.boolean()),
    url: z.optional(z.string()),
  }),
  z.strictObject({
    kind: z.literal('merchant_order'),
    merchantOrderId: digits,
    duplicate: z.optional(z.int().check(z.nonnegative())),
    url: z.optional(z.string()),
  }),
]);

export const settingsBody = z.strictObject({
  refundWindowDays: z.optional(z.int().check(z.positive())),
  refundWindowDaysBySite: z.optional(z.partialRecord(siteId, z.int().check(z.positive()))),
  qrOrderGetForm: z.optional(z.enum(['object', 'array'])),
  siteId: z.optional(siteId),
  notificationUrl: z.optional(z.nullable(z.string())),
  notificationsEnabled: z.optional(z.boolean()),
  orderRefundDelayMs: z.optional(z.nullable(z.number().check(z.nonnegative()))),
  orderRefundWindowDays: z.optional(z.int().check(z.positive())),
  orderRefundWindowDaysBySite: z.optional(z.partialRecord(siteId, z.int().check(z.positive()))),
  orderPartialRefundsBySite: z.optional(z.partialRecord(siteId, z.boolean())),
  orderWebhookSigning: z.optional(z.enum(['raw', 'lowercase', 'none'])),
  orderCanceledSpelling: z.optional(z.enum(['canceled', 'cancelled'])),
  orderPartialRefundAction: z.optional(z.enum(['order.refunded', 'order.processed'])),
  chargebackForm: z.optional(z.enum(['documented', 'sdk'])),
  chargebackNotifications: z.optional(z.enum(['webhook', 'ipn', 'both'])),
  reportDelayMs: z.optional(z.number().check(z.nonnegative())),
  reportListForm: z.optional(z.enum(['array', 'paging'])),
  reportRefundSign: z.optional(z.enum(['negative', 'positive'])),
});
