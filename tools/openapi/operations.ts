/**
 * What the OpenAPI document says about each route of ROUTES beyond its schemas: names, words of API.md,
 * the answers it gives and the problem codes it may answer. Keyed by route key; document.ts refuses a
 * route without an entry here, and an entry without a route.
 */
import type { ProblemCode } from '../../functions/http/problems.ts';

/** Names of components.schemas (document.ts registers each one's zod schema). */
export type SchemaName =
  | 'CreateRefundRequest'
  | 'CreateOrderRefundRequest'
  | 'CancellationRequest'
  | 'OrderCancellationRequest'
  | 'PutQrOrderRequest'
  | 'QrOrderItemRequest'
  | 'WebhookNotification'
  | 'RefundResolutionRequest'
  | 'CancellationResolutionRequest'
  | 'RecheckRequest'
  | 'AttentionList'
  | 'History'
  | 'CancellationResolved'
  | 'Refund'
  | 'PaymentRefunds'
  | 'PaymentCancelled'
  | 'CancellationPending'
  | 'OrderCancelled'
  | 'OrderCancellationPending'
  | 'QrOrder'
  | 'WebhookAnswer'
  | 'Problem'
  | 'FieldProblem'
  | 'ReportedRefunds'
  | 'Reconciliation';

export interface Answer {
  status: number;
  description: string;
  /** JSON body; none for e.g. 204. */
  schema?: SchemaName;
}

export interface OperationSpec {
  operationId: string;
  summary: string;
  description: string;
  body?: { schema: SchemaName; required: boolean; description: string };
  idempotencyKey?: 'required' | 'optional';
  /** Query parameters (all optional strings), by name. */
  query?: Record<string, string>;
  /** Other request headers (optional strings), by name. */
  headers?: Record<string, string>;
  answers: Answer[];
  /** Problems of this route; document.ts adds those any route may answer (API.md). */
  problems: ProblemCode[];
}

/** API.md "Other codes any route may answer", but for 404/405, which are the path's, not an operation's. */
export const ANY_ROUTE_PROBLEMS: ProblemCode[] = ['INTERNAL_ERROR', 'UPSTREAM_ERROR', 'UPSTREAM_UNAVAILABLE'];
/** Answered for a request that matches no route (`$default` in AWS, the local server itself). */
export const NO_ROUTE_PROBLEMS: ProblemCode[] = ['NOT_FOUND', 'METHOD_NOT_ALLOWED'];
/** Answers of a JSON body refused before any route code runs (never stored under an idempotency key). */
const BODY_PROBLEMS: ProblemCode[] = ['VALIDATION_ERROR', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];
const IDEMPOTENCY_PROBLEMS: ProblemCode[] = ['REFUND_IN_PROGRESS', 'IDEMPOTENCY_KEY_REUSED'];

const RESOLUTION_PROBLEMS: ProblemCode[] = [
  ...BODY_PROBLEMS,
  'RESOLUTION_CONFLICT',
  'REFUND_ALREADY_SETTLED',
  'RESOLUTION_TOO_EARLY',
  ...IDEMPOTENCY_PROBLEMS,
];

const HISTORY: Omit<OperationSpec, 'operationId' | 'problems'> = {
  summary: "The ledger's story: every change, oldest first",
  description:
    'From the ledger (no call to Mercado Pago): `by` is the caller, `mercadopago` (what a read brought), ' +
    '`reconciliation`, or `person:<caller>` (a resolution). 100 a page; the ledger keeps its last 200 lines.',
  query: { cursor: 'The `nextCursor` of the previous page.' },
  answers: [{ status: 200, description: 'The changes.', schema: 'History' }],
};

const RECHECK: Omit<OperationSpec, 'operationId' | 'problems'> = {
  summary: 'Re-read now and settle what can be settled',
  description:
    'What reconciliation does for one payment, due or not: re-read at Mercado Pago, settle what the read ' +
    'settles, re-send with its own key a refund still within its window. Answers the refunds view.',
  body: { schema: 'RecheckRequest', required: false, description: 'No fields.' },
  answers: [{ status: 200, description: 'The refunds view after the check.', schema: 'PaymentRefunds' }],
};

const REFUND_RESOLUTION: Omit<OperationSpec, 'operationId' | 'problems'> = {
  summary: "A person's decision on a refund no rule can settle",
  description:
    'Only past its re-send window with no attempt running. Checked against a fresh read of Mercado Pago: ' +
    '`succeeded` needs a `mercadoPagoRefundId` Mercado Pago shows on this payment (order), done, of this ' +
    'amount, that no other refund of ours holds (a record of it as made elsewhere is withdrawn and named in ' +
    '`resolution.reattributedFrom`); `failed` is refused while Mercado Pago shows a refund that could be it. ' +
    'Published like any outcome, with `resolution`.',
  body: { schema: 'RefundResolutionRequest', required: true, description: 'The decision. Strict.' },
  idempotencyKey: 'required',
  answers: [{ status: 200, description: 'The refund, its `resolution` filled.', schema: 'Refund' }],
};

const CANCELLATION_RESOLUTION: Omit<OperationSpec, 'operationId' | 'problems'> = {
  summary: "A person's decision on a cancellation no rule can settle",
  description:
    "Only past its re-send window. Checked against the payment's (order's) status at Mercado Pago: " +
    '`cancelled` only when it shows cancelled, `not_cancelled` only when it does not.',
  body: { schema: 'CancellationResolutionRequest', required: true, description: 'The decision. Strict.' },
  idempotencyKey: 'required',
  answers: [
    {
      status: 200,
      description: "The payment's (order's) status at Mercado Pago and the decision.",
      schema: 'CancellationResolved',
    },
  ],
};

export const OPERATIONS: Record<string, OperationSpec> = {
  'POST /payments/{paymentId}/refunds': {
    operationId: 'createRefund',
    summary: 'Refund a payment, totally or partially',
    description:
      'No body or `{}` refunds everything left; `{"amount": 10.5}` refunds part. Checks, in order: payment ' +
      'found, refundable (`approved`), refund window, 20 refunds at most, amount left. A repeated request ' +
      'with the same `Idempotency-Key` and fingerprint answers the stored status and body ' +
      '(`Idempotent-Replayed: true`); a stored 202 is answered with the current state.',
    body: {
      schema: 'CreateRefundRequest',
      required: false,
      description: 'Optional: no body is `{}`. Strict: an unknown field is a 400 naming it.',
    },
    idempotencyKey: 'required',
    answers: [
      { status: 201, description: 'Refund done (Mercado Pago approved it).', schema: 'Refund' },
      {
        status: 202,
        description:
          'Not settled yet (in process at Mercado Pago, or outcome unknown): `status` is `pending`. ' +
          'It settles later and never becomes a second refund.',
        schema: 'Refund',
      },
    ],
    problems: [
      ...BODY_PROBLEMS,
      'PAYMENT_NOT_FOUND',
      'PAYMENT_CHARGED_BACK',
      'PAYMENT_IN_MEDIATION',
      'PAYMENT_NOT_REFUNDABLE',
      'REFUND_WINDOW_EXPIRED',
      'REFUND_LIMIT_REACHED',
      'AMOUNT_EXCEEDS_REFUNDABLE',
      'PARTIAL_REFUND_NOT_SUPPORTED',
      'INSUFFICIENT_BALANCE',
      'REFUND_REJECTED',
      ...IDEMPOTENCY_PROBLEMS,
    ],
  },
  'GET /payments/{paymentId}/refunds': {
    operationId: 'listRefunds',
    summary: "A payment's refunds, re-read at Mercado Pago and merged with the ledger",
    description:
      'Refunds made elsewhere appear with origin `external`. `refundableAmount` is amount - refunded - pending.',
    answers: [{ status: 200, description: 'The payment and its refunds.', schema: 'PaymentRefunds' }],
    problems: ['VALIDATION_ERROR', 'PAYMENT_NOT_FOUND'],
  },
  'GET /reports/refunds': {
    operationId: 'listReportedRefunds',
    summary: 'Refunds created in a range of UTC days, with their reconciliation state',
    description:
      'Refunds of every origin (ours and made elsewhere, payments and orders) created in the UTC days `from` to ' +
      '`to` inclusive (at most 31 days), oldest first, from the ledger (no call to Mercado Pago). ' +
      '`reconciliation`: `matched` (a settlement report row showed it), `awaiting_report` (pending, or succeeded ' +
      'and REPORT_GRACE_DAYS not over), `unmatched` (succeeded, past the grace, no row), `not_applicable` ' +
      '(failed). With `Accept: text/csv` the same page as CSV (header `id,paymentId,orderId,amount,currency,' +
      'status,origin,mercadoPagoRefundId,idempotencyKey,reason,externalReference,failureCode,createdAt,updatedAt,' +
      'reconciliation`), the next page in a `Link: <...>; rel="next"` header.',
    query: {
      from: 'First UTC day, YYYY-MM-DD (required).',
      to: 'Last UTC day, YYYY-MM-DD, at most 30 days after `from` (required).',
      cursor: 'The `nextCursor` of the previous page.',
      limit: 'Refunds per page, 1 to 1000 (default 100).',
    },
    headers: { Accept: '`text/csv` for CSV; JSON otherwise.' },
    answers: [{ status: 200, description: 'One page of refunds (JSON, or CSV).', schema: 'ReportedRefunds' }],
    problems: ['VALIDATION_ERROR'],
  },
  'GET /reports/reconciliations/{date}': {
    operationId: 'getReconciliation',
    summary: "One UTC day's reconciliation with Mercado Pago's settlement report",
    description:
      "`running` until the day's report file is downloaded and reconciled, `completed`, or `failed` (`reason`; " +
      'requested again by the next runs, up to 7 days back). `discrepancies` lists what a person must look at ' +
      '(README: "A day\'s reconciliation"); at most 1000, with `discrepanciesTruncated` when there are more.',
    answers: [{ status: 200, description: "The day's reconciliation.", schema: 'Reconciliation' }],
    problems: ['VALIDATION_ERROR', 'RECONCILIATION_NOT_FOUND'],
  },
  'GET /payments/{paymentId}/refunds/{refundId}': {
    operationId: 'getRefund',
    summary: 'One refund of this service, by id',
    description: 'From the ledger: no call to Mercado Pago.',
    answers: [{ status: 200, description: 'The refund.', schema: 'Refund' }],
    problems: ['VALIDATION_ERROR', 'REFUND_NOT_FOUND'],
  },
  'POST /payments/{paymentId}/cancellation': {
    operationId: 'cancelPayment',
    summary: 'Cancel a payment that is not yet charged',
    description:
      'Already cancelled: 200 with the current state and no call. In-person payments (QR, Point) and ' +
      'payments not pending / in_process / authorized cannot be cancelled (refund an approved one instead).',
    body: {
      schema: 'CancellationRequest',
      required: false,
      description: 'No fields: no body and `{}` are the same request.',
    },
    idempotencyKey: 'optional',
    answers: [
      { status: 200, description: 'The payment is cancelled.', schema: 'PaymentCancelled' },
      { status: 202, description: 'The outcome is not known yet.', schema: 'CancellationPending' },
    ],
    problems: [
      ...BODY_PROBLEMS,
      'PAYMENT_NOT_FOUND',
      'IN_PERSON_PAYMENT_NOT_CANCELLABLE',
      'PAYMENT_NOT_CANCELLABLE',
      ...IDEMPOTENCY_PROBLEMS,
    ],
  },
  'POST /orders/{orderId}/refunds': {
    operationId: 'createOrderRefund',
    summary: 'Refund an Orders API order (QR or online), totally or partially',
    description:
      'The payment refund rules, for one payment transaction of the order: no body or `{}` refunds ' +
      'everything left of it, `{"amount": 10.5}` a part; `transactionId` (`PAY...`) is required when the ' +
      'order has several. Checks, in order: order found, not charged back, `processed`, refund window from ' +
      "the order's creation (REFUND_WINDOW_DAYS of its country's site), 20 refunds, what is left. Mercado " +
      "Pago's refund starts `processing` (202) and settles `processed` (201 on a replay, Refund Succeeded).",
    body: {
      schema: 'CreateOrderRefundRequest',
      required: false,
      description: 'Optional: no body is `{}`. Strict: an unknown field is a 400 naming it.',
    },
    idempotencyKey: 'required',
    answers: [
      { status: 201, description: 'Refund done (Mercado Pago processed it).', schema: 'Refund' },
      {
        status: 202,
        description:
          'Not settled yet (`processing` at Mercado Pago, or outcome unknown): `status` is `pending`. ' +
          'It settles later and never becomes a second refund.',
        schema: 'Refund',
      },
    ],
    problems: [
      ...BODY_PROBLEMS,
      'ORDER_NOT_FOUND',
      'PAYMENT_CHARGED_BACK',
      'TRANSACTION_REQUIRED',
      'ORDER_NOT_REFUNDABLE',
      'REFUND_WINDOW_EXPIRED',
      'REFUND_LIMIT_REACHED',
      'AMOUNT_EXCEEDS_REFUNDABLE',
      'PARTIAL_REFUND_NOT_SUPPORTED',
      'REFUND_REJECTED',
      ...IDEMPOTENCY_PROBLEMS,
    ],
  },
  'GET /orders/{orderId}/refunds': {
    operationId: 'listOrderRefunds',
    summary: "An order's refunds, re-read at Mercado Pago and merged with the ledger",
    description:
      'The payment view with `orderId`: refunds made elsewhere appear with origin `external`. An order ' +
      'older than Mercado Pago serves (3 months) is answered from what this service recorded.',
    answers: [{ status: 200, description: 'The order and its refunds.', schema: 'PaymentRefunds' }],
    problems: ['VALIDATION_ERROR', 'ORDER_NOT_FOUND'],
  },
  'GET /orders/{orderId}/refunds/{refundId}': {
    operationId: 'getOrderRefund',
    summary: 'One refund of an order, by id',
    description: 'From the ledger: no call to Mercado Pago.',
    answers: [{ status: 200, description: 'The refund.', schema: 'Refund' }],
    problems: ['VALIDATION_ERROR', 'REFUND_NOT_FOUND'],
  },
  'POST /orders/{orderId}/cancellation': {
    operationId: 'cancelOrder',
    summary: 'Cancel an Orders API order not paid yet (created, action_required)',
    description:
      'Already cancelled or expired: 200 with that state and no call. A paid (processed) order cannot be ' +
      'cancelled: refund it instead.',
    body: {
      schema: 'OrderCancellationRequest',
      required: false,
      description: 'No fields: no body and `{}` are the same request.',
    },
    idempotencyKey: 'optional',
    answers: [
      { status: 200, description: 'The order is cancelled (or had expired).', schema: 'OrderCancelled' },
      { status: 202, description: 'The outcome is not known yet.', schema: 'OrderCancellationPending' },
    ],
    problems: [...BODY_PROBLEMS, 'ORDER_NOT_FOUND', 'ORDER_NOT_CANCELLABLE', ...IDEMPOTENCY_PROBLEMS],
  },
  'GET /pos/{externalPosId}/order': {
    operationId: 'getQrOrder',
    summary: 'The order currently on a till (in-store QR)',
    description: "`status` comes from this service's records of the orders it put, else `open`.",
    answers: [{ status: 200, description: "The till's order.", schema: 'QrOrder' }],
    problems: ['VALIDATION_ERROR', 'QR_ORDER_NOT_FOUND'],
  },
  'PUT /pos/{externalPosId}/order': {
    operationId: 'putQrOrder',
    summary: 'Put (or replace) the order on a till',
    description:
      "Each item's total is unitPrice x quantity and the items add up to totalAmount, in the site's " +
      "currency (`MP_SITE_ID`). `ttlSeconds` 30 to 86400, default 600. The order carries this service's " +
      'webhook as notification URL, so its payment is tracked.',
    body: {
      schema: 'PutQrOrderRequest',
      required: true,
      description: 'The order. Strict: no unknown field.',
    },
    answers: [{ status: 201, description: 'The order as GET shows it (a replace too).', schema: 'QrOrder' }],
    problems: [...BODY_PROBLEMS],
  },
  'DELETE /pos/{externalPosId}/order': {
    operationId: 'deleteQrOrder',
    summary: "Remove the till's order (e.g. the customer paid cash)",
    description: 'Nothing is answered on success.',
    answers: [{ status: 204, description: 'Removed.' }],
    problems: ['VALIDATION_ERROR', 'QR_ORDER_NOT_FOUND', 'QR_ORDER_ALREADY_PAID'],
  },
  'POST /webhooks/mercadopago': {
    operationId: 'receiveMercadoPagoNotification',
    summary: 'The notification URL given to Mercado Pago',
    description:
      'A webhook (query `data.id` and `type`) must carry a valid `x-signature` over query `data.id`, ' +
      "`x-request-id` and `ts`, within the tolerance, and a body `data.id` equal to the query's. A legacy " +
      'IPN (query `topic` and `id`) and merchant-order notices are only hints (one re-read per resource per ' +
      '10 s). Any Content-Type is accepted. Duplicates, unknown types and other sellers answer 200 too.',
    body: {
      schema: 'WebhookNotification',
      required: false,
      description: "Mercado Pago's notification; an IPN may have none.",
    },
    query: {
      'data.id': 'Webhook: the resource id (signed).',
      type: 'Webhook: the resource type, e.g. `payment`.',
      topic: 'IPN: the resource type, e.g. `payment` or `merchant_order`.',
      id: 'IPN: the resource id.',
    },
    headers: {
      'x-signature': 'Webhook: `ts=<seconds>,v1=<HMAC-SHA256 hex>`.',
    },
    answers: [
      {
        status: 200,
        description: 'Accepted: processed, queued, a duplicate, ignored or rate-limited.',
        schema: 'WebhookAnswer',
      },
    ],
    problems: ['VALIDATION_ERROR', 'INVALID_SIGNATURE', 'PAYLOAD_TOO_LARGE'],
  },
  // Operations (API.md): the operator routes.
  'GET /ops/attention': {
    operationId: 'listAttention',
    summary: 'Everything waiting on a person, oldest first',
    description:
      'Refunds and cancellations pending longer than ATTENTION_AFTER_SECONDS, contradictions and status ' +
      'words without a rule the rules listed, and (AWS) notifications in the dead-letter queue; each with ' +
      'since when, what is known, and what to do. 100 a page.',
    query: { cursor: 'The `nextCursor` of the previous page.' },
    answers: [{ status: 200, description: 'A page of items.', schema: 'AttentionList' }],
    problems: ['VALIDATION_ERROR'],
  },
  'GET /payments/{paymentId}/history': {
    ...HISTORY,
    operationId: 'paymentHistory',
    problems: ['VALIDATION_ERROR', 'PAYMENT_NOT_FOUND'],
  },
  'GET /orders/{orderId}/history': {
    ...HISTORY,
    operationId: 'orderHistory',
    problems: ['VALIDATION_ERROR', 'ORDER_NOT_FOUND'],
  },
  'POST /payments/{paymentId}/recheck': {
    ...RECHECK,
    operationId: 'recheckPayment',
    problems: [...BODY_PROBLEMS, 'PAYMENT_NOT_FOUND'],
  },
  'POST /orders/{orderId}/recheck': {
    ...RECHECK,
    operationId: 'recheckOrder',
    problems: [...BODY_PROBLEMS, 'ORDER_NOT_FOUND'],
  },
  'POST /payments/{paymentId}/refunds/{refundId}/resolution': {
    ...REFUND_RESOLUTION,
    operationId: 'resolvePaymentRefund',
    problems: [...RESOLUTION_PROBLEMS, 'PAYMENT_NOT_FOUND', 'REFUND_NOT_FOUND'],
  },
  'POST /orders/{orderId}/refunds/{refundId}/resolution': {
    ...REFUND_RESOLUTION,
    operationId: 'resolveOrderRefund',
    problems: [...RESOLUTION_PROBLEMS, 'ORDER_NOT_FOUND', 'REFUND_NOT_FOUND'],
  },
  'POST /payments/{paymentId}/cancellation/resolution': {
    ...CANCELLATION_RESOLUTION,
    operationId: 'resolvePaymentCancellation',
    problems: [...RESOLUTION_PROBLEMS, 'PAYMENT_NOT_FOUND'],
  },
  'POST /orders/{orderId}/cancellation/resolution': {
    ...CANCELLATION_RESOLUTION,
    operationId: 'resolveOrderCancellation',
    problems: [...RESOLUTION_PROBLEMS, 'ORDER_NOT_FOUND'],
  },
};
