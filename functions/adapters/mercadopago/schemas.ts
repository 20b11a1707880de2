/**
 * Mercado Pago's response bodies, validated with zod/mini and normalized into types.ts. Objects are loose
 * (unknown fields pass) and only the fields the code uses are checked, in every form NOTES.md reports:
 * ids as numbers or digit strings, amounts as numbers or numeric strings, dates empty, null or with any
 * offset (`-04:00`, `-00:00`).
 */
import * as z from 'zod/mini';
import type { ChargebackFacts, OrderTransactionFact, RefundFact } from '../../model/facts.ts';
import { orderSiteOf } from '../../model/order.ts';
import type {
  CreateQrOrderInput,
  MpCancellation,
  MpMerchantOrder,
  MpOrder,
  MpOrderCancellation,
  MpOrderRefund,
  MpPayment,
  MpQrOrder,
  MpQrOrderItem,
  MpRefund,
} from '../../ports/mercadopago.ts';

/** An id: a non-negative safe integer or a string of digits, always handed on as the string. */
export const mpId = z.pipe(
  z.union([z.int().check(z.nonnegative()), z.string().check(z.regex(/^\d{1,30}$/))]),
  z.transform((value) => String(value)),
);

/** A JSON number or a numeric string (`"100.0"`), as a number. */
export const mpAmount = z.pipe(
  z.union([z.number(), z.string().check(z.regex(/^\s*-?\d+(\.\d+)?\s*$/))]),
  z.transform((value) => Number(value)),
);

/** A date as sent, or null when missing, null or empty. */
export const mpDate = z.pipe(
  z.nullish(z.string()),
  z.transform((value) => (value === undefined || value === null || value.trim() === '' ? null : value)),
);

/** Free text that may come as a number (e.g. `external_reference`), or null when missing or empty. */
const mpText = z.pipe(
  z.nullish(z.union([z.string(), z.number()])),
  z.transform((value) => (value === undefined || value === null || value === '' ? null : String(value))),
);

const nonEmptyString = z.string().check(z.minLength(1));

const optionalAmount = z.pipe(
  z.nullish(mpAmount),
  z.transform((value) => value ?? 0),
);

// ---- refunds ----

export const refundBody = z.looseObject({
  id: mpId,
  payment_id: z.nullish(mpId),
  amount: mpAmount,
  status: nonEmptyString,
  date_created: mpDate,
});
export type RefundBody = z.output<typeof refundBody>;

/**
 * `subjectId` is the payment the body names, or `nestedIn` for refunds listed inside a payment (which name
 * theirs implicitly); a created refund's answer that names none stays null (the caller decides).
 */
export const toRefund = (body: RefundBody, nestedIn: string | null): MpRefund => ({
  id: body.id,
  subjectId: body.payment_id ?? nestedIn,
  amount: body.amount,
  status: body.status,
  dateCreated: body.date_created,
});

export const refundListBody = z.array(refundBody);

// ---- payments ----

const IN_PERSON_SUB_UNITS = new Set(['qr', 'point']);

/**
 * A hint that is absent, null, or of an unexpected type counts as "not said" (null). What `z.catch` would
 * do, without it: zod/mini's `catch` keeps all of zod's util module in every bundle (+10 KB, bench/README.md).
 */
const hint = <T extends z.ZodMiniType>(schema: T) => {
  const said = z.nullish(schema);
  return z.optional(
    z.pipe(
      z.unknown(),
      z.transform((value): z.output<typeof said> | null => {
        const result = z.safeParse(said, value);
        return result.success ? result.data : null;
      }),
    ),
  );
};

const present = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

export const paymentBody = z.looseObject({
  id: mpId,
  status: nonEmptyString,
  status_detail: mpText,
  currency_id: nonEmptyString,
  transaction_amount: mpAmount,
  transaction_amount_refunded: optionalAmount,
  date_created: mpDate,
  date_approved: mpDate,
  date_last_updated: mpDate,
  collector_id: hint(mpId),
  collector: hint(z.looseObject({ id: hint(mpId) })),
  pos_id: z.optional(z.unknown()),
  store_id: z.optional(z.unknown()),
  point_of_interaction: hint(
    z.looseObject({
      type: hint(z.string()),
      business_info: hint(z.looseObject({ sub_unit: hint(z.string()) })),
    }),
  ),
  order: hint(z.looseObject({ type: hint(z.string()), id: hint(mpId) })),
  external_reference: mpText,
  refunds: z.pipe(
    z.nullish(refundListBody),
    z.transform((value) => value ?? []),
  ),
});
export type PaymentBody = z.output<typeof paymentBody>;

/** NOTES.md: any of the documented signals marks a QR or Point payment. */
export const isInPerson = (body: PaymentBody): boolean => {
  const interaction = body.point_of_interaction;
  const subUnit = interaction?.business_info?.sub_unit?.toLowerCase();
  return (
    interaction?.type?.toUpperCase() === 'INSTORE' ||
    present(body.pos_id) ||
    present(body.store_id) ||
    (subUnit !== undefined && IN_PERSON_SUB_UNITS.has(subUnit))
  );
};

export const toPayment = (body: PaymentBody): MpPayment => ({
  id: body.id,
  status: body.status,
  statusDetail: body.status_detail,
  currency: body.currency_id,
  amount: body.transaction_amount,
  dateCreated: body.date_created,
  dateApproved: body.date_approved,
  dateLastUpdated: body.date_last_updated,
  collectorId: body.collector_id ?? body.collector?.id ?? null,
  inPerson: isInPerson(body),
  merchantOrderId: body.order?.type === 'mercadopago' ? (body.order.id ?? null) : null,
  externalReference: body.external_reference,
  refunds: body.refunds.map((refund) => toRefund(refund, body.id)),
});

// ---- cancellation: the whole payment or only {id, status, status_detail} ----

export const cancellationBody = z.looseObject({
  id: mpId,
  status: nonEmptyString,
  status_detail: mpText,
});

export const toCancellation = (body: z.output<typeof cancellationBody>): MpCancellation => ({
  id: body.id,
  status: body.status,
  statusDetail: body.status_detail,
});

// ---- in-store QR orders ----

const optionalText = z.pipe(
  z.nullish(z.union([z.string(), z.number()])),
  z.transform((value) => (value === undefined || value === null || value === '' ? undefined : String(value))),
);

export const qrOrderItemBody = z.looseObject({
  sku_number: optionalText,
  category: optionalText,
  title: optionalText,
  description: optionalText,
  unit_price: mpAmount,
  quantity: mpAmount,
  unit_measure: optionalText,
  total_amount: mpAmount,
});

export const qrOrderBody = z.looseObject({
  external_reference: z.pipe(
    z.union([nonEmptyString, z.number()]),
    z.transform((value) => String(value)),
  ),
  title: optionalText,
  description: optionalText,
  total_amount: mpAmount,
  items: z.pipe(
    z.nullish(z.array(qrOrderItemBody)),
    z.transform((value) => value ?? []),
  ),
  expiration_date: mpDate,
  notification_url: optionalText,
});
export type QrOrderBody = z.output<typeof qrOrderBody>;

const toQrOrderItem = (item: z.output<typeof qrOrderItemBody>): MpQrOrderItem => ({
  skuNumber: item.sku_number,
  category: item.category,
  title: item.title ?? '',
  description: item.description,
  unitPrice: item.unit_price,
  quantity: item.quantity,
  unitMeasure: item.unit_measure ?? 'unit',
  totalAmount: item.total_amount,
});

export const toQrOrder = (body: QrOrderBody): MpQrOrder => ({
  externalReference: body.external_reference,
  title: body.title ?? '',
  description: body.description,
  totalAmount: body.total_amount,
  items: body.items.map(toQrOrderItem),
  ...(body.expiration_date !== null ? { expirationDate: body.expiration_date } : {}),
  notificationUrl: body.notification_url,
});

/** What `PUT .../orders` takes, in Mercado Pago's field names. */
export const toQrOrderRequestBody = (order: MpQrOrder): Record<string, unknown> => ({
  external_reference: order.externalReference,
  title: order.title,
  description: order.description,
  notification_url: order.notificationUrl,
  total_amount: order.totalAmount,
  expiration_date: order.expirationDate,
  items: order.items.map((item) => ({
    sku_number: item.skuNumber,
    category: item.category,
    title: item.title,
    description: item.description,
    unit_price: item.unitPrice,
    quantity: item.quantity,
    unit_measure: item.unitMeasure,
    total_amount: item.totalAmount,
  })),
});

// ---- merchant orders ----

export const merchantOrderBody = z.looseObject({
  id: mpId,
  status: nonEmptyString,
  order_status: mpText,
  external_reference: mpText,
  total_amount: mpAmount,
  paid_amount: optionalAmount,
  payments: z.pipe(
    z.nullish(
      z.array(
        z.looseObject({
          id: mpId,
          status: nonEmptyString,
          transaction_amount: mpAmount,
        }),
      ),
    ),
    z.transform((value) => value ?? []),
  ),
});

export const toMerchantOrder = (body: z.output<typeof merchantOrderBody>): MpMerchantOrder => ({
  id: body.id,
  status: body.status,
  orderStatus: body.order_status,
  externalReference: body.external_reference,
  totalAmount: body.total_amount,
  paidAmount: body.paid_amount,
  payments: body.payments.map((payment) => ({
    id: payment.id,
    status: payment.status,
    transactionAmount: payment.transaction_amount,
  })),
});

// ---- chargebacks ----

/** A case id: digits (18 of them, kept as written: see model/json.ts) or the SDK mocks' `CB-001-2022`. */
export const chargebackId = z.pipe(
  z.union([z.int().check(z.nonnegative()), z.string().check(z.regex(/^[A-Za-z0-9_.:-]{1,64}$/))]),
  z.transform((value) => String(value)),
);

const optionalWord = hint(z.string());

/** Every form NOTES §3 reports (documented, SDK mocks, openapi fixture): only `id` is required. */
export const chargebackBody = z.looseObject({
  id: chargebackId,
  payments: hint(z.array(mpId)),
  payment_id: hint(mpId),
  resource: hint(z.looseObject({ id: hint(mpId) })),
  currency: optionalWord,
  currency_id: optionalWord,
  amount: hint(mpAmount),
  coverage_applied: hint(z.boolean()),
  status: optionalWord,
  documentation_status: optionalWord,
  date_documentation_deadline: optionalWord,
  date_created: optionalWord,
  date_last_updated: optionalWord,
  last_modified: optionalWord,
  last_updated: optionalWord,
});

const nonEmpty = (value: string | null | undefined): string | null =>
  value === undefined || value === null || value.trim() === '' ? null : value;

export const toChargeback = (body: z.output<typeof chargebackBody>): ChargebackFacts => {
  const paymentIds = new Set<string>(body.payments ?? []);
  if (body.payment_id) paymentIds.add(body.payment_id);
  if (body.resource?.id) paymentIds.add(body.resource.id);
  return {
    id: body.id,
    paymentIds: [...paymentIds],
    currency: nonEmpty(body.currency) ?? nonEmpty(body.currency_id),
    amount: body.amount ?? null,
    coverageApplied: body.coverage_applied ?? null,
    status: nonEmpty(body.status)?.toLowerCase() ?? null,
    documentationStatus: nonEmpty(body.documentation_status),
    documentationDeadline: nonEmpty(body.date_documentation_deadline),
    dateCreated: nonEmpty(body.date_created),
    dateLastUpdated:
      nonEmpty(body.date_last_updated) ?? nonEmpty(body.last_modified) ?? nonEmpty(body.last_updated),
  };
};

// ---- Orders API orders (`/v1/orders`) ----

/**
 * An Orders id: opaque (`ORD01...`, `PAY01...`, SDK mocks' bare ULIDs, `pay_...`, `123`), as a string; a number
 * is taken as its digits.
 */
const opaqueId = z.pipe(
  z.union([z.string().check(z.minLength(1), z.maxLength(128)), z.int().check(z.nonnegative())]),
  z.transform((value) => String(value)),
);

/** A list that may be missing or null (read as none); an element that does not fit fails the whole body. */
const listOf = <T extends z.ZodMiniType>(item: T) =>
  z.pipe(
    z.nullish(z.array(item)),
    z.transform((value) => value ?? []),
  );

export const orderRefundBody = z.looseObject({
  id: opaqueId,
  transaction_id: hint(opaqueId),
  amount: mpAmount,
  status: nonEmptyString,
  date_created: hint(mpDate),
});

const toOrderRefund = (body: z.output<typeof orderRefundBody>, orderId: string | null): RefundFact => ({
  id: body.id,
  subjectId: orderId,
  amount: body.amount,
  status: body.status,
  dateCreated: body.date_created ?? null,
  transactionId: body.transaction_id ?? null,
});

const orderPaymentBody = z.looseObject({
  id: opaqueId,
  amount: mpAmount,
  status: nonEmptyString,
  status_detail: mpText,
});

const toOrderPayment = (body: z.output<typeof orderPaymentBody>): OrderTransactionFact => ({
  id: body.id,
  amount: body.amount,
  status: body.status,
  statusDetail: body.status_detail,
});

export const orderBody = z.looseObject({
  id: opaqueId,
  type: mpText,
  status: nonEmptyString,
  status_detail: mpText,
  currency: hint(z.string().check(z.regex(/^[A-Z]{3}$/))),
  site_id: hint(z.string()),
  country_code: hint(z.string()),
  total_amount: z.nullish(mpAmount),
  created_date: mpDate,
  date_created: mpDate,
  last_updated_date: mpDate,
  date_last_updated: mpDate,
  user_id: hint(opaqueId),
  collector_id: hint(opaqueId),
  external_reference: mpText,
  config: hint(
    z.looseObject({
      qr: hint(z.looseObject({ external_pos_id: hint(z.string()), mode: hint(z.string()) })),
    }),
  ),
  type_response: hint(z.looseObject({ qr_data: hint(z.string()) })),
  transactions: z.pipe(
    z.nullish(
      z.looseObject({
        payments: listOf(orderPaymentBody),
        refunds: listOf(orderRefundBody),
      }),
    ),
    z.transform((value) => value ?? { payments: [], refunds: [] }),
  ),
});
export type OrderBody = z.output<typeof orderBody>;

export const toOrder = (body: OrderBody): MpOrder => {
  const siteId = orderSiteOf(body.site_id ?? null, body.country_code ?? null);
  const payments = body.transactions.payments.map(toOrderPayment);
  const qr = body.config?.qr;
  return {
    id: body.id,
    type: body.type,
    status: body.status,
    statusDetail: body.status_detail,
    currency: body.currency ?? null,
    siteId,
    // Missing in some answers: then what its payments add up to.
    totalAmount: body.total_amount ?? payments.reduce((sum, p) => sum + p.amount, 0),
    createdDate: body.created_date ?? body.date_created,
    lastUpdatedDate: body.last_updated_date ?? body.date_last_updated,
    userId: body.user_id ?? body.collector_id ?? null,
    externalReference: body.external_reference,
    qr:
      qr?.external_pos_id !== undefined && qr.external_pos_id !== null
        ? { externalPosId: qr.external_pos_id, mode: qr.mode ?? 'static' }
        : null,
    qrData: body.type_response?.qr_data ?? null,
    payments,
    refunds: body.transactions.refunds.map((refund) => toOrderRefund(refund, body.id)),
  };
};

/** A cancellation's answer: the whole order, or only `{id, status, status_detail, ...}` (SDK mocks). */
export const orderCancellationBody = z.looseObject({
  id: opaqueId,
  status: nonEmptyString,
  status_detail: mpText,
});

export const toOrderCancellation = (body: z.output<typeof orderCancellationBody>): MpOrderCancellation => ({
  id: body.id,
  status: body.status,
  statusDetail: body.status_detail,
});

/** A refund's answer: `{id, status, status_detail, transactions: {refunds: [...]}}`; other shapes list none. */
export const orderRefundAnswerBody = z.looseObject({
  id: opaqueId,
  status: mpText,
  transactions: z.pipe(
    z.nullish(z.looseObject({ refunds: listOf(orderRefundBody) })),
    z.transform((value) => value ?? { refunds: [] }),
  ),
});

export const toOrderRefundAnswer = (body: z.output<typeof orderRefundAnswerBody>): MpOrderRefund => ({
  orderId: body.id,
  status: body.status,
  refunds: body.transactions.refunds.map((refund) => toOrderRefund(refund, body.id)),
});

/** What `POST /v1/orders` takes for a QR order, in Mercado Pago's field names (amounts as strings). */
export const toCreateOrderBody = (input: CreateQrOrderInput): Record<string, unknown> => ({
  type: 'qr',
  external_reference: input.externalReference,
  description: input.description,
  total_amount: input.totalAmount,
  expiration_time: input.expirationTime,
  config: { qr: { external_pos_id: input.externalPosId, mode: input.mode } },
  transactions: { payments: [{ amount: input.totalAmount }] },
  items: input.items.map((item) => ({
    title: item.title,
    unit_price: item.unitPrice,
    quantity: item.quantity,
    unit_measure: item.unitMeasure,
    ...(item.description === undefined ? {} : { description: item.description }),
    ...(item.category === undefined ? {} : { category_id: item.category }),
    ...(item.skuNumber === undefined ? {} : { external_code: item.skuNumber }),
  })),
});
