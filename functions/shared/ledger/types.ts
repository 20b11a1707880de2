/**
 * The refund ledger of one payment: every refund we asked for and every refund Mercado Pago reports,
 * with their states and transitions. Amounts are integer minor units of the payment's currency.
 * One ledger is one DynamoDB item, so every invariant is kept by a single conditional write.
 */
import type { ProblemCode } from '../errors.ts';

export const RefundStatus = { Pending: 'pending', Succeeded: 'succeeded', Failed: 'failed' } as const;
export type RefundStatus = (typeof RefundStatus)[keyof typeof RefundStatus];

export const RefundOrigin = { Api: 'api', External: 'external' } as const;
export type RefundOrigin = (typeof RefundOrigin)[keyof typeof RefundOrigin];

/**
 * Where our call to Mercado Pago stands while a refund is pending:
 * - `in_flight`: reserved, the call is being made (or its Lambda died: the idempotency lock tells);
 * - `unknown`: the call ended without a known outcome (timeout, lost answer, 5xx): settled later;
 * - `accepted`: Mercado Pago created it but has not finished (`in_process` / `authorized`).
 */
export const CallState = { InFlight: 'in_flight', Unknown: 'unknown', Accepted: 'accepted' } as const;
export type CallState = (typeof CallState)[keyof typeof CallState];

export interface Failure {
  code: ProblemCode;
  detail: string;
}

export interface Transition {
  at: string;
  status: RefundStatus;
  /** Who asked: IAM caller ARN, JWT subject, `local`, or `mercadopago` / `reconciliation` for settlements. */
  by: string;
  note?: string;
}

export interface RefundEntry {
  id: string;
  origin: RefundOrigin;
  amountMinor: number;
  status: RefundStatus;
  mercadoPagoRefundId: string | null;
  mercadoPagoStatus?: string;
  /** Ours only: the caller's key and the key sent to Mercado Pago (kept across retries). */
  idempotencyKey?: string;
  mercadoPagoIdempotencyKey?: string;
  /** Ours only: the caller asked for everything left (`{}`). */
  fullRefund?: boolean;
  /**
   * Ours only: the body sent to Mercado Pago is `{}` (a full refund of an untouched payment) rather than the
   * amount. Fixed at reservation, so every re-send with the same key sends the same body.
   */
  sendsEmptyBody?: boolean;
  callState?: CallState;
  attempts?: number;
  lastAttemptAt?: string;
  /** Reconciliation backoff while pending: checks made so far and when the next one is due. */
  reconcileChecks?: number;
  nextCheckAt?: string;
  reason?: string;
  externalReference?: string;
  failure?: Failure;
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  history: Transition[];
}

export interface PaymentStatusChange {
  status: string;
  statusDetail: string | null;
  at: string;
  by: string;
}

export const CancellationStatus = { Pending: 'pending', Cancelled: 'cancelled', Failed: 'failed' } as const;
export type CancellationStatus = (typeof CancellationStatus)[keyof typeof CancellationStatus];

export interface CancellationRecord {
  status: CancellationStatus;
  idempotencyKey: string | null;
  mercadoPagoIdempotencyKey: string;
  requestedBy: string;
  attempts: number;
  lastAttemptAt: string;
  /** Reconciliation backoff while pending: checks made so far and when the next one is due. */
  reconcileChecks?: number;
  nextCheckAt?: string;
  failure?: Failure;
  createdAt: string;
  updatedAt: string;
  history: { at: string; status: CancellationStatus; by: string; note?: string }[];
}

export interface PaymentLedger {
  paymentId: string;
  currency: string;
  totalMinor: number;
  /** Mercado Pago's status as last read, and every change seen, oldest first. */
  status: string;
  statusDetail: string | null;
  statusHistory: PaymentStatusChange[];
  /** Mercado Pago's `date_last_updated` of the freshest payment read applied: older reads change no status. */
  mercadoPagoUpdatedAt?: string;
  refunds: RefundEntry[];
  cancellation?: CancellationRecord;
  createdAt: string;
  updatedAt: string;
  /** Optimistic concurrency: 0 = not stored yet. */
  version: number;
}
