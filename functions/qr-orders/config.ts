/**
 * The QR-order function's configuration. QR orders need the collector (MP_USER_ID) and the notification URL
 * (PUBLIC_WEBHOOK_URL), which a deployment may leave out when it serves no tills: their absence is kept as
 * the reason the routes cannot be served (answered 500 naming it) rather than failing the function, so a
 * stack without them still deploys. Every other variable fails the cold start.
 */
import {
  ConfigError,
  checkLogLevel,
  type Env,
  type MercadoPagoAccess,
  type QrApi,
  readExternalStoreId,
  readKeyRetentionDays,
  readMercadoPagoAccess,
  readPublicWebhookUrl,
  readQrApi,
  readSettlement,
  readSiteId,
  readStorage,
  readUserId,
  type StorageConfig,
} from '../config/fields.ts';
import type { SiteId } from '../model/money.ts';
import type { SettlementSettings } from '../model/settings.ts';

export interface TillsConfig {
  /** MP_USER_ID: the collector whose tills these are. */
  userId: string;
  /** PUBLIC_WEBHOOK_URL: sent as each order's notification_url, so its payment is tracked. */
  notificationUrl: string;
}

export interface QrOrdersConfig {
  storage: StorageConfig;
  mercadoPago: MercadoPagoAccess;
  /** QR_API: the instore API (default) or the Orders API. */
  qrApi: QrApi;
  /** QR_API=orders: each till order has a ledger (its refunds, its reconciliation). */
  settlement: SettlementSettings;
  /** QR_API=orders: an optional Idempotency-Key on PUT follows the usual rules. */
  keyRetentionDays: number;
  /** MP_SITE_ID: its currency is the orders' currency. */
  siteId: SiteId;
  /** MP_EXTERNAL_STORE_ID: the store of orders whose body names none. */
  defaultStoreId: string | undefined;
  /** The instore tills' settings, or which variable is missing (QR_API=orders needs neither). */
  tills: TillsConfig | ConfigError;
}

const readTills = (env: Env): TillsConfig | ConfigError => {
  const userId = readUserId(env);
  const notificationUrl = readPublicWebhookUrl(env);
  if (userId === undefined) return new ConfigError('MP_USER_ID', 'is required for QR orders');
  if (notificationUrl === undefined)
    return new ConfigError('PUBLIC_WEBHOOK_URL', 'is required for QR orders');
  return { userId, notificationUrl };
};

export const loadQrOrdersConfig = (env: Env = process.env): QrOrdersConfig => {
  checkLogLevel(env);
  return {
    storage: readStorage(env),
    mercadoPago: readMercadoPagoAccess(env),
    qrApi: readQrApi(env),
    settlement: readSettlement(env),
    keyRetentionDays: readKeyRetentionDays(env),
    siteId: readSiteId(env),
    defaultStoreId: readExternalStoreId(env),
    tills: readTills(env),
  };
};
