/** What the reports job and the reports routes need, injected. */
import type { MercadoPagoReports } from '../../ports/mercadopago-reports.ts';
import type { ReconciliationStore, ReportArchive } from '../../ports/reconciliation-store.ts';
import type { RefundIndex } from '../../ports/refund-index.ts';
import type { LedgerDeps, MercadoPagoDeps } from '../deps.ts';

export interface ReportSettings {
  /** REPORT_GRACE_DAYS: days after day D whose reports may still show D's refunds. */
  graceDays: number;
  /** REPORT_WAIT_HOURS: a requested report not generated within this is `failed` (and requested again). */
  waitHours: number;
  /** REPORTS_MANAGE_CONFIG: the job may update an existing configuration that lacks what it needs. */
  manageConfig: boolean;
  /** CHARGEBACK_WARNING_DAYS: an open chargeback whose documentation is due within this is reported. */
  chargebackWarningDays: number;
}

export interface ReportsDeps extends LedgerDeps, MercadoPagoDeps {
  reports: MercadoPagoReports;
  reconciliations: ReconciliationStore;
  archive: ReportArchive;
  index: RefundIndex;
  reportSettings: ReportSettings;
  /** The seller (MP_USER_ID): a row's payment of another collector is not followed. */
  userId: string | undefined;
  /** Waits between looks at the report list (tests make it instant). */
  sleep?: (ms: number) => Promise<void>;
}
