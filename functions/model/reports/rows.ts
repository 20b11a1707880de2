/**
 * Settlement report rows (NOTES §2) read by header name: only `REFUND`, `CHARGEBACK` and `DISPUTE` rows are
 * reconciled; every other row is only counted. The refund's or case's id comes from METADATA
 * (`[{"refund_id": "…"}]`, `chargeback_id`), read as text so an 18-digit id keeps its digits; junk there
 * (`[{}]`, spreadsheet damage) is no id. Amounts may be signed either way (unsettled): their size counts.
 */
import { sha256Hex } from '../ids.ts';
import type { ReportRowFacts } from '../ledger/report-rows.ts';
import { normalizeDate } from '../ledger/statuses.ts';
import { SightingType } from '../ledger/types.ts';

/** Columns reconciliation cannot do without (a configuration lacking one fails the day naming them). */
export const REQUIRED_COLUMNS = [
  'SOURCE_ID',
  'TRANSACTION_TYPE',
  'TRANSACTION_AMOUNT',
  'TRANSACTION_DATE',
  'METADATA',
] as const;

/** The columns this service asks for when it creates the configuration: the documented sample's. */
export const REPORT_COLUMNS = [
  'EXTERNAL_REFERENCE',
  'SOURCE_ID',
  'USER_ID',
  'PAYMENT_METHOD_TYPE',
  'PAYMENT_METHOD',
  'SITE',
  'TRANSACTION_TYPE',
  'TRANSACTION_AMOUNT',
  'TRANSACTION_CURRENCY',
  'TRANSACTION_DATE',
  'FEE_AMOUNT',
  'SETTLEMENT_NET_AMOUNT',
  'SETTLEMENT_CURRENCY',
  'SETTLEMENT_DATE',
  'REAL_AMOUNT',
  'COUPON_AMOUNT',
  'METADATA',
  'MKP_FEE_AMOUNT',
  'FINANCING_FEE_AMOUNT',
  'SHIPPING_FEE_AMOUNT',
  'TAXES_AMOUNT',
  'INSTALLMENTS',
  'ORDER_ID',
  'SHIPPING_ID',
  'SHIPMENT_MODE',
  'PACK_ID',
] as const;

export const missingColumns = (columns: readonly string[]): string[] =>
  REQUIRED_COLUMNS.filter((column) => !columns.includes(column));

const TYPES: Record<string, SightingType> = {
  REFUND: SightingType.Refund,
  CHARGEBACK: SightingType.Chargeback,
  DISPUTE: SightingType.Dispute,
};

/** A reconciled row: whose ledger it is about, and its facts. */
export interface ReportRow {
  /** SOURCE_ID: the payment. */
  paymentId: string;
  /** ORDER_ID when it is an Orders API order (`ORD…`), else null. */
  orderId: string | null;
  facts: ReportRowFacts;
}

export type RowReading =
  | { kind: 'row'; row: ReportRow }
  /** A row of another type (SETTLEMENT, WITHDRAWAL...): counted only. */
  | { kind: 'other' }
  /** A reconciled type whose payment id or amount cannot be read: a discrepancy for a person. */
  | { kind: 'unreadable'; detail: string };

const idIn = (metadata: string, name: string): string | null => {
  const match = new RegExp(`"${name}"\\s*:\\s*"?([A-Za-z0-9_.:-]{1,64})"?`).exec(metadata);
  return match?.[1] ?? null;
};

const AMOUNT = /^\s*-?\d+(\.\d+)?\s*$/;

export const readRow = (record: Record<string, string | undefined>, day: string): RowReading => {
  const type = TYPES[(record.TRANSACTION_TYPE ?? '').trim().toUpperCase()];
  if (type === undefined) return { kind: 'other' };
  const paymentId = (record.SOURCE_ID ?? '').trim();
  const rawAmount = record.TRANSACTION_AMOUNT ?? '';
  if (!/^\d{1,20}$/.test(paymentId) || !AMOUNT.test(rawAmount)) {
    return {
      kind: 'unreadable',
      detail: `A ${type} row with SOURCE_ID "${paymentId.slice(0, 40)}" and TRANSACTION_AMOUNT "${rawAmount.slice(0, 40)}" cannot be read.`,
    };
  }
  const metadata = record.METADATA ?? '';
  const mercadoPagoId =
    type === SightingType.Refund ? idIn(metadata, 'refund_id') : idIn(metadata, 'chargeback_id');
  const date = normalizeDate(record.TRANSACTION_DATE?.trim());
  const amount = Number(rawAmount);
  const orderId = (record.ORDER_ID ?? '').trim();
  const key = sha256Hex(
    JSON.stringify([type, paymentId, mercadoPagoId, Math.abs(amount), date ?? record.TRANSACTION_DATE ?? '']),
  ).slice(0, 24);
  return {
    kind: 'row',
    row: {
      paymentId,
      orderId: /^ORD[A-Za-z0-9]{20,40}$/i.test(orderId) ? orderId.toUpperCase() : null,
      facts: { key, day, type, mercadoPagoId, amount, date },
    },
  };
};
