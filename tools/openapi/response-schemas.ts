/**
 * The response bodies of API.md as zod/mini schemas, for the OpenAPI document only (the functions build
 * their answers from TypeScript types and never parse them). Each schema is checked against the type of
 * what the functions really answer (`Same` below, at typecheck), so neither can change without the other.
 */
import * as z from 'zod/mini';
import { amountSchema } from '../../functions/http/amount-schema.ts';
import { Problem, type ProblemBody, type ProblemCode } from '../../functions/http/problems.ts';
import { RefusalCode } from '../../functions/model/codes.ts';
import type { RefundsView, RefundView } from '../../functions/model/ledger/view.ts';
import type { QrOrderView } from '../../functions/qr-orders/order-view.ts';

/** True only when A and B are the same type (not merely assignable). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const same = <A, B>(proof: Same<A, B>): Same<A, B> => proof;

const PROBLEM_CODES = Object.keys(Problem) as [ProblemCode, ...ProblemCode[]];
const REFUSAL_CODES = Object.values(RefusalCode) as [RefusalCode, ...RefusalCode[]];

/** ISO-8601 UTC with milliseconds, e.g. `2026-01-31T12:00:00.000Z`. */
const timestampSchema = z.iso.datetime({ precision: 3 });
/** Sums in the payment's currency that may be 0 (what is refunded, pending, refundable). */
const totalSchema = z.number().check(z.gte(0));

export const fieldProblemSchema = z.object({ field: z.string(), message: z.string() });

export const problemSchema = z.object({
  type: z.url(),
  title: z.string(),
  status: z.int().check(z.gte(400), z.lte(599)),
  detail: z.string(),
  code: z.enum(PROBLEM_CODES),
  errors: z.optional(z.array(fieldProblemSchema)),
});

/** A refund names its payment (`paymentId`) or, for Orders API refunds, its order (`orderId`). */
export const refundSchema = z.object({
  id: z.string(),
  paymentId: z.optional(z.string()),
  orderId: z.optional(z.string()),
  amount: amountSchema,
  currency: z.string(),
  status: z.enum(['succeeded', 'pending', 'failed']),
  origin: z.enum(['api', 'external']),
  mercadoPagoRefundId: z.nullable(z.string()),
  /** The caller's Idempotency-Key; null for refunds made elsewhere. */
  idempotencyKey: z.nullable(z.string()),
  reason: z.optional(z.string()),
  externalReference: z.optional(z.string()),
  failure: z.optional(z.object({ code: z.enum(REFUSAL_CODES), detail: z.string() })),
  /** Present when a person settled the refund (operations routes). */
  resolution: z.optional(
    z.object({
      by: z.string(),
      note: z.string(),
      at: timestampSchema,
      /** A refund recorded as made elsewhere that the person found to be this one (withdrawn). */
      reattributedFrom: z.optional(z.string()),
    }),
  ),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});

/** A chargeback (card issuer) or dispute (buyer's claim) on the payment, as its ledger recorded it. */
export const chargebackSchema = z.object({
  id: z.string(),
  kind: z.enum(['chargeback', 'dispute']),
  amount: amountSchema,
  currency: z.string(),
  status: z.enum(['open', 'won', 'lost']),
  /** Mercado Pago's words: pending, review_pending, valid, invalid, not_supplied, not_applicable. */
  documentationStatus: z.nullable(z.string()),
  /** Evidence must reach Mercado Pago before this. */
  documentationDeadline: z.nullable(timestampSchema),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});

export const paymentRefundsSchema = z.object({
  paymentId: z.optional(z.string()),
  orderId: z.optional(z.string()),
  status: z.string(),
  statusDetail: z.nullable(z.string()),
  currency: z.string(),
  amount: amountSchema,
  refundedAmount: totalSchema,
  pendingAmount: totalSchema,
  refundableAmount: totalSchema,
  refunds: z.array(refundSchema),
  chargebacks: z.array(chargebackSchema),
});

/** 200 of GET /reports/refunds (reports/list-refunds.ts). */
export const reportedRefundsSchema = z.object({
  from: z.string(),
  to: z.string(),
  refunds: z.array(
    z.extend(refundSchema, {
      reconciliation: z.enum(['matched', 'awaiting_report', 'unmatched', 'not_applicable']),
    }),
  ),
  nextCursor: z.optional(z.string()),
});

/** 200 of GET /reports/reconciliations/{date} (operations/reports/run-reports.ts reconciliationView). */
export const reconciliationSchema = z.object({
  date: z.string(),
  status: z.enum(['running', 'completed', 'failed']),
  reason: z.optional(z.string()),
  /** Where the report file is kept (S3 URI in AWS, a path locally). */
  reportFile: z.optional(z.string()),
  counts: z.object({
    rows: z.int(),
    matched: z.int(),
    recordedExternal: z.int(),
    discrepancies: z.int(),
  }),
  discrepancies: z.array(
    z.object({
      kind: z.enum(['refund_missing_in_report', 'amount_mismatch', 'unknown_refund']),
      paymentId: z.optional(z.string()),
      orderId: z.optional(z.string()),
      refundId: z.optional(z.string()),
      mercadoPagoRefundId: z.optional(z.string()),
      amount: z.optional(z.number()),
      detail: z.string(),
    }),
  ),
  discrepanciesTruncated: z.optional(z.literal(true)),
});

/** 200 of the cancellation (cancellation/responses.ts builds it from Mercado Pago's word or the ledger). */
export const paymentCancelledSchema = z.object({
  paymentId: z.string(),
  status: z.literal('cancelled'),
  statusDetail: z.nullable(z.string()),
});

/** 202 of the cancellation: the outcome is not known yet. */
export const cancellationPendingSchema = z.object({
  paymentId: z.string(),
  status: z.literal('pending'),
});

/** 200 of an order cancellation: cancelled now or before, or it had expired unpaid (no call). */
export const orderCancelledSchema = z.object({
  orderId: z.string(),
  status: z.enum(['cancelled', 'expired']),
  statusDetail: z.nullable(z.string()),
});

/** 202 of an order cancellation: the outcome is not known yet. */
export const orderCancellationPendingSchema = z.object({
  orderId: z.string(),
  status: z.literal('pending'),
});

export const qrOrderSchema = z.object({
  externalPosId: z.string(),
  externalStoreId: z.optional(z.string()),
  externalReference: z.string(),
  title: z.string(),
  description: z.optional(z.string()),
  totalAmount: amountSchema,
  items: z.array(
    z.object({
      skuNumber: z.optional(z.string()),
      category: z.optional(z.string()),
      title: z.string(),
      description: z.optional(z.string()),
      unitPrice: amountSchema,
      quantity: z.int(),
      // What Mercado Pago shows: `unit` or `pack` for orders put here, its own word for others.
      unitMeasure: z.string(),
      totalAmount: amountSchema,
    }),
  ),
  expiresAt: z.optional(timestampSchema),
  status: z.enum(['open', 'paid', 'expired']),
  /** QR_API=orders: the order (`ORD...`), its mode, and the EMVCo string of a dynamic or hybrid order. */
  orderId: z.optional(z.string()),
  mode: z.optional(z.enum(['static', 'dynamic', 'hybrid'])),
  qrData: z.optional(z.string()),
});

/** GET /ops/attention: everything waiting on a person, oldest first. */
export const attentionListSchema = z.object({
  items: z.array(
    z.object({
      kind: z.enum([
        'refund_pending_too_long',
        'cancellation_pending_too_long',
        'settlement_contradiction',
        'refund_status_unknown',
        'chargeback_deadline',
        'reconciliation_discrepancy',
        'reconciliation_failed',
        'dead_letters',
      ]),
      paymentId: z.optional(z.string()),
      orderId: z.optional(z.string()),
      /** dead_letters: the queue's name. */
      queue: z.optional(z.string()),
      /** reconciliation_*: the report's UTC day. */
      date: z.optional(z.string()),
      refundId: z.optional(z.string()),
      since: timestampSchema,
      detail: z.string(),
      suggestedAction: z.string(),
    }),
  ),
  nextCursor: z.optional(z.string()),
});

/** GET .../history: the ledger's story, oldest first. */
export const historySchema = z.object({
  paymentId: z.optional(z.string()),
  orderId: z.optional(z.string()),
  changes: z.array(
    z.object({
      at: timestampSchema,
      /** The caller, `mercadopago`, `reconciliation`, or `person:<caller>` who resolved. */
      by: z.string(),
      change: z.string(),
      detail: z.string(),
      mercadoPagoRequestId: z.optional(z.string()),
    }),
  ),
  nextCursor: z.optional(z.string()),
});

/** 200 of a cancellation's resolution: the payment's (order's) status at Mercado Pago and the decision. */
export const cancellationResolvedSchema = z.object({
  paymentId: z.optional(z.string()),
  orderId: z.optional(z.string()),
  status: z.string(),
  statusDetail: z.nullable(z.string()),
  resolution: z.object({ by: z.string(), note: z.string(), at: timestampSchema }),
});

/** What Mercado Pago sends; only `type`, `action` and `data.id` are read, anything else is allowed. */
export const webhookNotificationSchema = z.looseObject({
  id: z.optional(z.union([z.string(), z.number()])),
  type: z.optional(z.string()),
  action: z.optional(z.string()),
  user_id: z.optional(z.union([z.string(), z.number()])),
  data: z.optional(z.looseObject({ id: z.optional(z.union([z.string(), z.number()])) })),
});

/** 200 of the webhook: what became of the notification. */
export const webhookAnswerSchema = z.object({
  status: z.string(),
});

/** Checked by `npm run typecheck`: a `false` here means a schema and its type have drifted apart. */
export const SCHEMAS_MATCH_TYPES = [
  same<z.infer<typeof problemSchema>, ProblemBody>(true),
  same<z.infer<typeof refundSchema>, RefundView>(true),
  same<z.infer<typeof paymentRefundsSchema>, RefundsView>(true),
  same<z.infer<typeof qrOrderSchema>, QrOrderView>(true),
] as const;
