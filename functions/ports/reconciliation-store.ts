/** Where each day's reconciliation and its discrepancies are kept (DynamoDB). */
import type { OutEvent } from '../model/events/types.ts';
import type { Discrepancy, ReconciliationDay } from '../model/reports/reconciliation.ts';

export interface ReconciliationStore {
  getDay(date: string): Promise<ReconciliationDay | undefined>;
  /**
   * Stores `day` if nobody wrote it since its `version` (0: it must not exist yet), with `events` as the
   * item's outbox; the stored day, or null on a conflict.
   */
  saveDay(day: ReconciliationDay, events?: readonly OutEvent[]): Promise<ReconciliationDay | null>;
  /** Records a discrepancy with its event once: false when that day already has it (a rerun). */
  addDiscrepancy(date: string, discrepancy: Discrepancy, event: OutEvent): Promise<boolean>;
  /** The day's discrepancies (at most `limit`), in key order, and whether there are more. */
  discrepancies(date: string, limit: number): Promise<{ items: Discrepancy[]; more: boolean }>;
}

/** Where report files and results are kept: the bucket in AWS (REPORTS_BUCKET), a folder locally (REPORTS_DIR). */
export interface ReportArchive {
  /** Stores the file unchanged as it streams in; answers where it is. */
  storeReport(date: string, fileName: string, body: AsyncIterable<Uint8Array>): Promise<string>;
  /** The stored file's bytes. */
  openReport(location: string): Promise<AsyncIterable<Uint8Array>>;
  /** The day's result as JSON (what GET /reports/reconciliations/{date} shows). */
  storeResult(date: string, json: string): Promise<string>;
}
