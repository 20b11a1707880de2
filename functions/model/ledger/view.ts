/** The refund object and the refunds view of the HTTP contract (API.md), from a ledger. */

import type { Failure } from '../codes.ts';
import { decimalsOf, fromMinorUnits } from '../money.ts';
import { totals } from './totals.ts';
import {
  type ChargebackRecord,
  isOurs,
  type Ledger,
  LedgerKind,
  type RefundEntry,
  type RefundOrigin,
  type RefundStatus,
  type Resolution,
} from './types.ts';

/** A person's decision as the contract shows it (who, why, when; and the refund it re-attributed). */
export interface ResolutionView {
  by: string;
  note: string;
  at: string;
  reattributedFrom?: string;
}

export const resolutionView = (resolution: Resolution): ResolutionView => ({
  by: resolution.by,
  note: resolution.note,
  at: resolution.at,
  reattributedFrom: resolution.reattributedFrom,
});

export interface RefundView {
  id: string;
  paymentId?: string;
  orderId?: string;
  amount: number;
  currency: string;
  status: RefundStatus;
  origin: RefundOrigin;
  mercadoPagoRefundId: string | null;
  /** The caller's key; null for refunds made elsewhere. */
  idempotencyKey: string | null;
  reason?: string;
  externalReference?: string;
  failure?: Failure;
  resolution?: ResolutionView;
  createdAt: string;
  updatedAt: string;
}

/** `{paymentId}` or `{orderId}`: how every view names the ledger's subject. */
export const subjectField = (
  ledger: Pick<Ledger, 'kind' | 'id'>,
): { paymentId: string } | { orderId: string } =>
  ledger.kind === LedgerKind.Order ? { orderId: ledger.id } : { paymentId: ledger.id };

export const refundView = (
  ledger: Pick<Ledger, 'kind' | 'id' | 'currency'>,
  entry: RefundEntry,
): RefundView => ({
  id: entry.id,
  ...subjectField(ledger),
  amount: fromMinorUnits(entry.amountMinor, decimalsOf(ledger.currency)),
  currency: ledger.currency,
  status: entry.status,
  origin: entry.origin,
  mercadoPagoRefundId: entry.mercadoPagoRefundId,
  idempotencyKey: isOurs(entry) ? entry.idempotencyKey : null,
  reason: isOurs(entry) ? entry.reason : undefined,
  ...(isOurs(entry) && entry.externalReference !== undefined
    ? { externalReference: entry.externalReference }
    : {}),
  failure: entry.failure,
  resolution: entry.resolution === undefined ? undefined : resolutionView(entry.resolution),
  createdAt: entry.createdAt,
  updatedAt: entry.updatedAt,
});

export interface RefundsView {
  paymentId?: string;
  orderId?: string;
  status: string;
  statusDetail: string | null;
  currency: string;
  amount: number;
  refundedAmount: number;
  pendingAmount: number;
  refundableAmount: number;
  refunds: RefundView[];
  chargebacks: ChargebackView[];
}

/** A chargeback or dispute as the refunds view shows it (API.md), with its currency. */
export interface ChargebackView {
  id: string;
  kind: 'chargeback' | 'dispute';
  amount: number;
  currency: string;
  status: 'open' | 'won' | 'lost';
  documentationStatus: string | null;
  documentationDeadline: string | null;
  createdAt: string;
  updatedAt: string;
}

export const chargebackView = (
  ledger: Pick<Ledger, 'currency'>,
  chargeback: ChargebackRecord,
): ChargebackView => ({
  id: chargeback.id,
  kind: chargeback.kind,
  amount: fromMinorUnits(chargeback.amountMinor, decimalsOf(ledger.currency)),
  currency: ledger.currency,
  status: chargeback.status,
  documentationStatus: chargeback.documentationStatus,
  documentationDeadline: chargeback.documentationDeadline,
  createdAt: chargeback.createdAt,
  updatedAt: chargeback.updatedAt,
});

const byCreation = (a: RefundEntry, b: RefundEntry) =>
  a.createdAt === b.createdAt ? a.id.localeCompare(b.id) : a.createdAt.localeCompare(b.createdAt);

/**
 * The refunds view: the ledger's refunds and sums, with Mercado Pago's current status words when the caller
 * has a fresh read (the ledger records a status detail only with a status change).
 */
export const refundsView = (
  ledger: Ledger,
  current?: { status: string; statusDetail: string | null },
): RefundsView => {
  const decimals = decimalsOf(ledger.currency);
  const sums = totals(ledger);
  return {
    ...subjectField(ledger),
    status: ledger.status,
    statusDetail: current && current.status === ledger.status ? current.statusDetail : ledger.statusDetail,
    currency: ledger.currency,
    amount: fromMinorUnits(ledger.totalMinor, decimals),
    refundedAmount: fromMinorUnits(sums.succeededMinor, decimals),
    pendingAmount: fromMinorUnits(sums.pendingMinor, decimals),
    refundableAmount: fromMinorUnits(sums.refundableMinor, decimals),
    refunds: [...ledger.refunds].sort(byCreation).map((entry) => refundView(ledger, entry)),
    chargebacks: (ledger.chargebacks ?? []).map((chargeback) => chargebackView(ledger, chargeback)),
  };
};
