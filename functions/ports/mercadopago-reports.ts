/** Mercado Pago's settlement report API (NOTES-orders-reports-chargebacks.md §2), as the reports job uses it. */
import type { CallOptions } from './mercadopago.ts';

/** The account's settlement report configuration, as far as the job reads it (`raw`: all of it). */
export interface SettlementReportConfig {
  columns: string[];
  separator: string | null;
  refundDetailed: boolean | null;
  showChargebackCancel: boolean | null;
  raw: Record<string, unknown>;
}

/** A generated report file, as `/list` shows it. */
export interface ReportFileInfo {
  fileName: string;
  /** As Mercado Pago wrote them (ISO-8601), or null. */
  beginDate: string | null;
  endDate: string | null;
  createdAt: string | null;
}

export interface MercadoPagoReports {
  /** null: the account has no configuration yet (404). */
  getConfig(options?: CallOptions): Promise<SettlementReportConfig | null>;
  /** POST: `exists` when Mercado Pago refuses because one exists (409). */
  createConfig(body: Record<string, unknown>, options?: CallOptions): Promise<'created' | 'exists'>;
  updateConfig(body: Record<string, unknown>, options?: CallOptions): Promise<void>;
  /** POST `{begin_date, end_date}` (202: generated later). */
  requestReport(
    range: { beginDate: string; endDate: string },
    key: string,
    options?: CallOptions,
  ): Promise<void>;
  listReports(options?: CallOptions): Promise<ReportFileInfo[]>;
  /** The file's bytes as they arrive (never held whole in memory). */
  openReport(fileName: string, options?: CallOptions): Promise<AsyncIterable<Uint8Array>>;
}
