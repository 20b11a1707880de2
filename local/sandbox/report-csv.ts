/**
 * A settlement report file: a header line with the configured columns in their order, one line per row, the
 * configured separator, CRLF-free. Columns the sandbox does not know are written empty. A field holding the
 * separator, a quote or a line break is quoted (RFC 4180), e.g. a partial refund's METADATA with `,`.
 * Test adjustments (`adjustReports`) drop rows, change amounts and append extra rows, in that order.
 */
import type { ReportAdjustments, ReportRowMatch, SettlementConfig } from './report-records.ts';
import type { ReportRow } from './report-rows.ts';

const matches = (row: ReportRow, match: ReportRowMatch): boolean =>
  (match.transactionType === undefined || row.values.TRANSACTION_TYPE === match.transactionType) &&
  (match.sourceId === undefined || row.values.SOURCE_ID === match.sourceId) &&
  (match.refundId === undefined || row.refundId === match.refundId);

const withAmount = (row: ReportRow, amount: number): ReportRow => {
  const fee = Number(row.values.FEE_AMOUNT ?? '0') || 0;
  return {
    ...row,
    values: {
      ...row.values,
      TRANSACTION_AMOUNT: amount.toFixed(2),
      SETTLEMENT_NET_AMOUNT: (amount + fee).toFixed(2),
      REAL_AMOUNT: (amount + fee).toFixed(2),
    },
  };
};

export const adjustRows = (rows: ReportRow[], adjustments: ReportAdjustments): ReportRow[] => {
  const kept = rows.filter((row) => !adjustments.drop.some((match) => matches(row, match)));
  const changed = kept.map((row) => {
    const change = adjustments.amounts.find((a) => matches(row, a.match));
    return change ? withAmount(row, change.amount) : row;
  });
  const extra = adjustments.extraRows.map((values) => ({ at: 0, refundId: null, values: { ...values } }));
  return [...changed, ...extra];
};

const field = (value: string, separator: string): string =>
  value.includes(separator) || /["\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

export const reportCsv = (config: SettlementConfig, rows: ReportRow[]): string => {
  const columns = config.columns.map((c) => c.key);
  const sep = config.separator;
  const lines = [columns.join(sep)];
  for (const row of rows) lines.push(columns.map((key) => field(row.values[key] ?? '', sep)).join(sep));
  return `${lines.join('\n')}\n`;
};
