/** The reports routes' configuration: the table, and the grace that decides `awaiting_report` / `unmatched`. */
import {
  checkLogLevel,
  type Env,
  readReportGraceDays,
  readStorage,
  type StorageConfig,
} from '../config/fields.ts';

export interface ReportsConfig {
  storage: StorageConfig;
  /** REPORT_GRACE_DAYS. */
  graceDays: number;
}

export const loadReportsConfig = (env: Env = process.env): ReportsConfig => {
  checkLogLevel(env);
  return { storage: readStorage(env), graceDays: readReportGraceDays(env) };
};
