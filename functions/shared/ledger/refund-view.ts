/** The refund object of the HTTP contract (API.md), from a ledger entry. */
import { decimalsOf, fromMinorUnits } from '../money.ts';
import { totals } from './ledger.ts';
import type { Failure, PaymentLedger, RefundEntry, RefundOrigin, RefundStatus } from './types.ts';

export interface RefundView {
  id: string;
  paymentId: string;
  amount: number;
  currency: string;
  status: RefundStatus;
  origin: RefundOrigin;
  mercadoPagoRefundId: string | null;
  reason?: string;
  externalReference?: string;
  failure?: Failure;
  createdAt: string;
  updatedAt: string;
}

export const refundView = (ledger: PaymentLedger, entry: RefundEntry): RefundView => ({
  id: entry.id,
  paymentId: ledger.paymentId,
  amount: fromMinorUnits(entry.amountMinor, decimalsOf(ledger.currency)),
  currency: ledger.currency,
  status: entry.status,
  origin: entry.origin,
  mercadoPagoRefundId: entry.mercadoPagoRefundId,
  ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
  ...(entry.externalReference !== undefined ? { externalReference: entry.externalReference } : {}),
  ...(entry.failure ? { failure: entry.failure } : {}),
  createdAt: entry.createdAt,
  updatedAt: entry.updatedAt,
});

export interface PaymentRefundsView {
  paymentId: string;
  status: string;
  statusDetail: string | null;
  currency: string;
  amount: number;
  refundedAmount: number;
  pendingAmount: number;
  refundableAmount: number;
  refunds: RefundView[];
}

export const paymentRefundsView = (ledger: PaymentLedger): PaymentRefundsView => {
  const decimals = decimalsOf(ledger.currency);
  const sums = totals(ledger);
  return {
    paymentId: ledger.paymentId,
    status: ledger.status,
    statusDetail: ledger.statusDetail,
    currency: ledger.currency,
    amount: fromMinorUnits(ledger.totalMinor, decimals),
    refundedAmount: fromMinorUnits(sums.succeededMinor, decimals),
    pendingAmount: fromMinorUnits(sums.pendingMinor, decimals),
    refundableAmount: fromMinorUnits(sums.refundableMinor, decimals),
    refunds: [...ledger.refunds]
      .sort((a, b) =>
        a.createdAt === b.createdAt ? a.id.localeCompare(b.id) : a.createdAt.localeCompare(b.createdAt),
      )
      .map((entry) => refundView(ledger, entry)),
  };
};
