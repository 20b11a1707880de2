/**
 * The webhook function's configuration. In AWS it verifies, dedupes and enqueues (NOTIFICATION_QUEUE_URL):
 * it reads no Mercado Pago token, and has no permission to. Without a queue it processes inline, so it
 * reads the processing slice too (locally). A report-ready notice wakes the reports job through its own queue
 * (REPORTS_WAKE_QUEUE_URL) when there is one.
 */
import {
  checkLogLevel,
  type Env,
  readNotificationQueueUrl,
  readReportsWakeQueueUrl,
  readStorage,
  readUserId,
  readWebhookSigning,
  type StorageConfig,
  type WebhookSigning,
} from '../config/fields.ts';
import { type ProcessingConfig, readProcessing } from '../config/processing.ts';

export type WebhookDispatchConfig =
  | { kind: 'queue'; queueUrl: string }
  | { kind: 'inline'; processing: ProcessingConfig };

export interface WebhookConfig {
  storage: StorageConfig;
  signing: WebhookSigning;
  /** MP_USER_ID: notifications whose body names another seller are acknowledged and ignored. */
  userId: string | undefined;
  dispatch: WebhookDispatchConfig;
  /** REPORTS_WAKE_QUEUE_URL: a report-ready notice wakes the reports job through it (AWS); unset: acknowledged only. */
  reportsWakeQueueUrl: string | undefined;
}

export const loadWebhookConfig = (env: Env = process.env): WebhookConfig => {
  checkLogLevel(env);
  const queueUrl = readNotificationQueueUrl(env);
  return {
    storage: readStorage(env),
    signing: readWebhookSigning(env),
    userId: readUserId(env),
    dispatch: queueUrl ? { kind: 'queue', queueUrl } : { kind: 'inline', processing: readProcessing(env) },
    reportsWakeQueueUrl: readReportsWakeQueueUrl(env),
  };
};
