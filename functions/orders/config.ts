/** The order function's configuration: the slice of the environment it reads, checked at cold start. */
import {
  checkLogLevel,
  type Env,
  type MercadoPagoAccess,
  parseRefundWindow,
  type RefundWindow,
  readKeyRetentionDays,
  readMercadoPagoAccess,
  readSettlement,
  readSiteId,
  readStorage,
  type StorageConfig,
} from '../config/fields.ts';
import type { SiteId } from '../model/money.ts';
import type { SettlementSettings } from '../model/settings.ts';

export interface OrdersConfig {
  storage: StorageConfig;
  mercadoPago: MercadoPagoAccess;
  settlement: SettlementSettings;
  keyRetentionDays: number;
  /** REFUND_WINDOW_DAYS, for the site of the order's country. */
  refundWindow: RefundWindow;
  /** MP_SITE_ID: the site of an order whose country Mercado Pago does not say. */
  siteId: SiteId;
}

export const loadOrdersConfig = (env: Env = process.env): OrdersConfig => {
  checkLogLevel(env);
  return {
    storage: readStorage(env),
    mercadoPago: readMercadoPagoAccess(env),
    settlement: readSettlement(env),
    keyRetentionDays: readKeyRetentionDays(env),
    refundWindow: parseRefundWindow(env.REFUND_WINDOW_DAYS),
    siteId: readSiteId(env),
  };
};
