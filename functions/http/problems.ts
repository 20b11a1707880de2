import type { RefusalCode } from '../model/codes.ts';

/**
 * Every problem code this service answers, with its HTTP status and title (RFC 9457 problem details).
 * Clients branch on `code`; `status` and `title` follow from it.
 */
export const Problem = {
  VALIDATION_ERROR: { status: 400, title: 'The request is not valid' },
  INVALID_SIGNATURE: { status: 401, title: 'The notification signature is not valid' },
  NOT_FOUND: { status: 404, title: 'No such route' },
  PAYMENT_NOT_FOUND: { status: 404, title: 'Payment not found' },
  REFUND_NOT_FOUND: { status: 404, title: 'Refund not found' },
  ORDER_NOT_FOUND: { status: 404, title: 'Order not found' },
  QR_ORDER_NOT_FOUND: { status: 404, title: 'No order on this till' },
  RECONCILIATION_NOT_FOUND: { status: 404, title: 'That day was never reconciled' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed on this route' },
  PAYMENT_CHARGED_BACK: { status: 409, title: 'The payment was charged back' },
  PAYMENT_IN_MEDIATION: { status: 409, title: 'The payment is in mediation' },
  PAYMENT_NOT_REFUNDABLE: { status: 409, title: 'The payment cannot be refunded' },
  REFUND_WINDOW_EXPIRED: { status: 409, title: 'The refund window has expired' },
  REFUND_LIMIT_REACHED: { status: 409, title: 'The payment has reached its refund limit' },
  AMOUNT_EXCEEDS_REFUNDABLE: { status: 409, title: 'The amount exceeds what is left to refund' },
  PARTIAL_REFUND_NOT_SUPPORTED: { status: 409, title: 'This payment only accepts a full refund' },
  INSUFFICIENT_BALANCE: { status: 409, title: 'Insufficient balance to refund' },
  REFUND_REJECTED: { status: 409, title: 'Mercado Pago rejected the refund' },
  REFUND_IN_PROGRESS: { status: 409, title: 'A request with this idempotency key is in progress' },
  IN_PERSON_PAYMENT_NOT_CANCELLABLE: { status: 409, title: 'In-person payments cannot be cancelled' },
  PAYMENT_NOT_CANCELLABLE: { status: 409, title: 'The payment cannot be cancelled' },
  RESOLUTION_CONFLICT: { status: 409, title: "Mercado Pago's records contradict the decision" },
  REFUND_ALREADY_SETTLED: { status: 409, title: 'Already settled' },
  RESOLUTION_TOO_EARLY: { status: 409, title: 'Evidence may still settle it: too early to decide' },
  ORDER_NOT_REFUNDABLE: { status: 409, title: 'The order cannot be refunded' },
  ORDER_NOT_CANCELLABLE: { status: 409, title: 'The order cannot be cancelled' },
  TRANSACTION_REQUIRED: { status: 409, title: 'The order has several payments: name the transaction' },
  QR_ORDER_ALREADY_PAID: { status: 409, title: "The till's order was already paid" },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The request body must be JSON' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'The idempotency key was used for another request' },
  INTERNAL_ERROR: { status: 500, title: 'Internal error' },
  UPSTREAM_ERROR: { status: 502, title: 'Mercado Pago answered unexpectedly' },
  UPSTREAM_UNAVAILABLE: { status: 503, title: 'Mercado Pago is unavailable' },
} as const;

export type ProblemCode = keyof typeof Problem;

/** Every refusal the model names is answered with the problem of the same code (checked here, at compile time). */
export const refusalProblem = (code: RefusalCode): ProblemCode => code;

export interface FieldProblem {
  /** JSON pointer-like path of the field, e.g. `amount` or `items.0.quantity`. */
  field: string;
  message: string;
}

export interface ProblemErrorOptions {
  errors?: FieldProblem[];
  headers?: Record<string, string>;
  cause?: unknown;
}

/** An error that becomes a problem+json response with its code's status. */
export class ProblemError extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldProblem[] | undefined;
  readonly headers: Record<string, string>;

  constructor(code: ProblemCode, detail: string, options: ProblemErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProblemError';
    this.code = code;
    this.status = Problem[code].status;
    this.title = Problem[code].title;
    this.detail = detail;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

export const isProblemError = (value: unknown): value is ProblemError => value instanceof ProblemError;

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  errors?: FieldProblem[];
}

/** `type` is a stable URI per code, so clients can also dispatch on it. */
export const problemType = (code: ProblemCode): string =>
  `https://mercadopago-refunds.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`;

export const problemBody = (error: ProblemError): ProblemBody => ({
  type: problemType(error.code),
  title: error.title,
  status: error.status,
  detail: error.detail,
  code: error.code,
  errors: error.errors,
});
