/** The reconciliation job's configuration: the processing slice and its attention threshold. */
import { checkLogLevel, type Env, readAttentionAfterSeconds } from '../config/fields.ts';
import { type ProcessingConfig, readProcessing } from '../config/processing.ts';

export interface ReconcileConfig extends ProcessingConfig {
  /** ATTENTION_AFTER_SECONDS: pending work older than this is reported for a person. */
  attentionAfterSeconds: number;
}

export const loadReconcileConfig = (env: Env = process.env): ReconcileConfig => {
  checkLogLevel(env);
  return { ...readProcessing(env), attentionAfterSeconds: readAttentionAfterSeconds(env) };
};
