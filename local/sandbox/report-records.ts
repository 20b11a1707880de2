/** Settlement report records: the account's configuration, requested reports and test adjustments. */

/** The configuration as Mercado Pago stores and answers it (fixtures/report_settlement_config.devsite-docs.json). */
export interface SettlementConfig {
  file_name_prefix: string;
  columns: { key: string }[];
  frequency: { hour: number; type: 'daily' | 'weekly' | 'monthly'; value: number | string };
  display_timezone: string;
  separator: string;
  notification_email_list: string[];
  refund_detailed: boolean;
  coupon_detailed: boolean;
  shipping_detail: boolean;
  show_chargeback_cancel: boolean;
  show_fee_prevision: boolean;
  scheduled: boolean;
  sftp_info?: Record<string, unknown>;
}

export interface ReportTask {
  id: string;
  /** As sent (`2019-05-01T00:00:00Z`). */
  beginDate: string;
  endDate: string;
  beginMs: number;
  endMs: number;
  requestedAt: number;
  readyAt: number;
  /** Set once generated. */
  fileName: string | null;
  generatedAt: number | null;
  csv: string | null;
}

/** Selects report rows; every given field must match. */
export interface ReportRowMatch {
  transactionType?: string;
  sourceId?: string;
  /** The refund (or chargeback) id carried in METADATA. */
  refundId?: string;
}

export interface ReportAdjustments {
  /** Rows appended to every report generated from now on (column -> value; missing columns empty). */
  extraRows: Record<string, string>[];
  /** Rows left out. */
  drop: ReportRowMatch[];
  /** Rows whose TRANSACTION_AMOUNT (and net/real amounts) are replaced. */
  amounts: { match: ReportRowMatch; amount: number }[];
}

export interface ReportsState {
  /** null: no configuration yet (GET answers 404). */
  config: SettlementConfig | null;
  tasks: ReportTask[];
  /** Requested reports stay pending until released. */
  held: boolean;
  adjustments: ReportAdjustments;
}
