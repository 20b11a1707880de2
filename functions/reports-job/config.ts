/** The reports job's configuration: the processing slice, the reports' settings and where files go. */
import {
  checkLogLevel,
  type Env,
  type ReportsArchiveConfig,
  type ReportsSettingsConfig,
  readReportsArchive,
  readReportsSettings,
} from '../config/fields.ts';
import { type ProcessingConfig, readProcessing } from '../config/processing.ts';

export interface ReportsJobConfig extends ProcessingConfig {
  reports: ReportsSettingsConfig;
  archive: ReportsArchiveConfig;
}

export const loadReportsJobConfig = (env: Env = process.env): ReportsJobConfig => {
  checkLogLevel(env);
  return { ...readProcessing(env), reports: readReportsSettings(env), archive: readReportsArchive(env) };
};
