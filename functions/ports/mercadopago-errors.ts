/**
 * What can go wrong when calling Mercado Pago, told apart by what it means for money:
 * - `refused`: Mercado Pago answered a 4xx (other than 429/423): it certainly did not act.
 * - `unavailable`: it certainly did not act (connection refused, DNS, connect timeout, 429/423 after every
 *   retry): safe to try again later with the same key.
 * - `unknown_outcome`: it may have acted (timeout or reset after the request was sent, 5xx after every retry,
 *   a 2xx whose body could not be read on a write): never report success or failure, settle later.
 * - `unexpected`: a read answered something this client cannot understand.
 */
import type { RefusalCode } from '../model/codes.ts';

export const MpFailureKind = {
  Refused: 'refused',
  Unavailable: 'unavailable',
  UnknownOutcome: 'unknown_outcome',
  Unexpected: 'unexpected',
} as const;
export type MpFailureKind = (typeof MpFailureKind)[keyof typeof MpFailureKind];

export interface MercadoPagoErrorDetails {
  kind: MpFailureKind;
  /** HTTP status of the last answer, when there was one. */
  httpStatus?: number;
  /** `cause[].code` values, as strings. */
  causeCodes?: string[];
  /** Mercado Pago's `message` (and cause descriptions): logged, never returned to our callers. */
  upstreamMessage?: string;
  /** Mercado Pago's `x-request-id` of the last answer. */
  upstreamRequestId?: string;
  /** Seconds to wait before retrying, when Mercado Pago said (429) or as we suggest. */
  retryAfterSeconds?: number;
  attempts?: number;
  /** A read answered about another resource than the one asked for (never used as an answer). */
  aboutAnotherResource?: boolean;
  /** The short `error` name of a Payments-style body, e.g. `bad_request` or `order_not_found`. */
  errorName?: string;
  cause?: unknown;
}

export class MercadoPagoError extends Error {
  readonly kind: MpFailureKind;
  readonly httpStatus: number | undefined;
  readonly causeCodes: string[];
  readonly upstreamMessage: string | undefined;
  readonly upstreamRequestId: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly attempts: number;
  readonly aboutAnotherResource: boolean;
  readonly errorName: string | undefined;

  constructor(message: string, details: MercadoPagoErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'MercadoPagoError';
    this.kind = details.kind;
    this.httpStatus = details.httpStatus;
    this.causeCodes = details.causeCodes ?? [];
    this.upstreamMessage = details.upstreamMessage;
    this.upstreamRequestId = details.upstreamRequestId;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.attempts = details.attempts ?? 1;
    this.aboutAnotherResource = details.aboutAnotherResource ?? false;
    this.errorName = details.errorName;
  }
}

const hasCode = (error: MercadoPagoError, ...codes: string[]) =>
  error.causeCodes.some((c) => codes.includes(c));

/**
 * API.md's mapping of a refused refund: by cause code first, then by status and message.
 * null = not a refusal the contract names (answered 502 UPSTREAM_ERROR).
 */
export const refundRefusalCode = (error: MercadoPagoError): RefusalCode | null => {
  if (error.kind !== MpFailureKind.Refused) return null;
  if (hasCode(error, '2000')) return 'PAYMENT_NOT_FOUND';
  if (hasCode(error, '2024', '15016')) return 'REFUND_WINDOW_EXPIRED';
  if (hasCode(error, '3024')) return 'PARTIAL_REFUND_NOT_SUPPORTED';
  if (hasCode(error, '2063', '4293')) return 'PAYMENT_NOT_REFUNDABLE';
  if (error.httpStatus === 400 && /insufficient|balance|saldo|fondos/i.test(error.upstreamMessage ?? '')) {
    return 'INSUFFICIENT_BALANCE';
  }
  if (error.httpStatus === 404) return 'PAYMENT_NOT_FOUND';
  return null;
};

/** Mapping of a refused cancellation (code 2018: the payment's state does not allow it). */
export const cancellationRefusalCode = (error: MercadoPagoError): RefusalCode | null => {
  if (error.kind !== MpFailureKind.Refused) return null;
  if (hasCode(error, '2000') || error.httpStatus === 404) return 'PAYMENT_NOT_FOUND';
  if (hasCode(error, '2018', '2063', '4293')) return 'PAYMENT_NOT_CANCELLABLE';
  return null;
};

/** An Orders API error code (`errors[].code`, or the `error` of a Payments-style body). */
const hasOrderCode = (error: MercadoPagoError, ...codes: string[]) =>
  hasCode(error, ...codes) || (error.errorName !== undefined && codes.includes(error.errorName));

/** 409 answers of Orders writes that are refusals (Mercado Pago did not act), not a key still running. */
export const ORDER_CONFLICT_REFUSALS: readonly string[] = ['invalid_order_status', 'order_already_refunded'];

/** API.md's mapping of a refused order refund; null = not one it names (502). */
export const orderRefundRefusalCode = (error: MercadoPagoError): RefusalCode | null => {
  if (error.kind !== MpFailureKind.Refused) return null;
  if (hasOrderCode(error, 'order_not_found', 'transaction_not_found')) return 'ORDER_NOT_FOUND';
  if (hasOrderCode(error, 'invalid_order_status', 'order_already_refunded')) return 'ORDER_NOT_REFUNDABLE';
  if (hasOrderCode(error, 'in_store_payment_refund_order')) return 'REFUND_WINDOW_EXPIRED';
  if (hasOrderCode(error, 'refund_amount_exceeds')) return 'AMOUNT_EXCEEDS_REFUNDABLE';
  if (
    hasOrderCode(
      error,
      'unsupported_partially_refunds',
      'partial_refund_forbidden_with_tips',
      'partial_refund_not_allowed_with_cashout',
    )
  )
    return 'PARTIAL_REFUND_NOT_SUPPORTED';
  if (error.httpStatus === 404) return 'ORDER_NOT_FOUND';
  return null;
};

/** Mapping of a refused order cancellation (409 `invalid_order_status`: no longer created). */
export const orderCancellationRefusalCode = (error: MercadoPagoError): RefusalCode | null => {
  if (error.kind !== MpFailureKind.Refused) return null;
  if (hasOrderCode(error, 'order_not_found') || error.httpStatus === 404) return 'ORDER_NOT_FOUND';
  if (hasOrderCode(error, 'invalid_order_status')) return 'ORDER_NOT_CANCELLABLE';
  return null;
};

/** For reads: a refused 404 (or cause 2000) is the resource missing; anything else is upstream trouble. */
export const isNotFound = (error: unknown): boolean =>
  error instanceof MercadoPagoError &&
  error.kind === MpFailureKind.Refused &&
  (error.httpStatus === 404 || error.causeCodes.includes('2000'));
