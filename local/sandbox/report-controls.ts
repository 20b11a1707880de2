/** The in-process controls of settlement reports (see sandbox-api.ts and README.md). */
import type { SandboxContext } from './context.ts';
import { defaultConfig, mergeConfig } from './report-config.ts';
import type { ReportAdjustments, SettlementConfig } from './report-records.ts';
import { generateDueReports } from './reports.ts';

export interface ReportFile {
  id: string;
  fileName: string | null;
  beginDate: string;
  endDate: string;
  csv: string | null;
}

export interface ReportControls {
  /** Presets the account's configuration (fields as the API takes them, over the defaults); null: none. */
  setReportConfig(config: Partial<SettlementConfig> | null): SettlementConfig | null;
  /** Requested reports stay pending (never listed) until `releaseReports`. */
  holdReports(): void;
  /** Stops holding and generates every pending report now. */
  releaseReports(): void;
  /** Rows to add, drop or change in every report generated from now on (replaces earlier adjustments). */
  adjustReports(adjustments: Partial<ReportAdjustments>): void;
  /** Every requested report, generated or not. */
  reports(): ReportFile[];
}

export const reportControls = (ctx: SandboxContext, swept: <T>(run: () => T) => T): ReportControls => ({
  setReportConfig: (config) => {
    ctx.store.reports.config =
      config === null ? null : mergeConfig(defaultConfig(ctx.settings.userId), config, ctx.now());
    return ctx.store.reports.config;
  },
  holdReports: () => {
    ctx.store.reports.held = true;
  },
  releaseReports: () =>
    swept(() => {
      ctx.store.reports.held = false;
      generateDueReports(ctx, true);
    }),
  adjustReports: (adjustments) => {
    ctx.store.reports.adjustments = {
      extraRows: adjustments.extraRows ?? [],
      drop: adjustments.drop ?? [],
      amounts: adjustments.amounts ?? [],
    };
  },
  reports: () =>
    swept(() =>
      ctx.store.reports.tasks.map((task) => ({
        id: task.id,
        fileName: task.fileName,
        beginDate: task.beginDate,
        endDate: task.endDate,
        csv: task.csv,
      })),
    ),
});
