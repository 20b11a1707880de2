/** The operations function's configuration: the slice of the environment it reads, checked at cold start. */
import {
  checkLogLevel,
  type Env,
  type MercadoPagoAccess,
  readAttentionAfterSeconds,
  readDeadLetterQueueUrl,
  readKeyRetentionDays,
  readMercadoPagoAccess,
  readSettlement,
  readSiteId,
  readStorage,
  type StorageConfig,
} from '../config/fields.ts';
import type { SiteId } from '../model/money.ts';
import type { SettlementSettings } from '../model/settings.ts';

export interface OpsConfig {
  storage: StorageConfig;
  mercadoPago: MercadoPagoAccess;
  settlement: SettlementSettings;
  keyRetentionDays: number;
  /** ATTENTION_AFTER_SECONDS: pending work older than this is listed for a person. */
  attentionAfterSeconds: number;
  /** NOTIFICATION_DLQ_URL: its messages are listed for a person (AWS); undefined locally. */
  deadLetterQueueUrl: string | undefined;
  /** MP_SITE_ID: the currency of an order whose answer names none. */
  siteId: SiteId;
}

export const loadOpsConfig = (env: Env = process.env): OpsConfig => {
  checkLogLevel(env);
  return {
    storage: readStorage(env),
    mercadoPago: readMercadoPagoAccess(env),
    settlement: readSettlement(env),
    keyRetentionDays: readKeyRetentionDays(env),
    attentionAfterSeconds: readAttentionAfterSeconds(env),
    deadLetterQueueUrl: readDeadLetterQueueUrl(env),
    siteId: readSiteId(env),
  };
};
