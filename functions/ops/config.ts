/** The operations function's configuration: the slice of the environment it reads, checked at cold start. */
import {
  checkLogLevel,
  type Env,
  readAttentionAfterSeconds,
  readDeadLetterQueueUrl,
  readSiteId,
} from '../config/fields.ts';
import { type KeyedRouteConfig, readKeyedRoute } from '../config/keyed-route.ts';
import type { SiteId } from '../model/money.ts';

export interface OpsConfig extends KeyedRouteConfig {
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
    ...readKeyedRoute(env),
    attentionAfterSeconds: readAttentionAfterSeconds(env),
    deadLetterQueueUrl: readDeadLetterQueueUrl(env),
    siteId: readSiteId(env),
  };
};
