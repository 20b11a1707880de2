/** The order function's configuration: the slice of the environment it reads, checked at cold start. */
import {
  checkLogLevel,
  type Env,
  parseRefundWindow,
  type RefundWindow,
  readSiteId,
} from '../config/fields.ts';
import { type KeyedRouteConfig, readKeyedRoute } from '../config/keyed-route.ts';
import type { SiteId } from '../model/money.ts';

export interface OrdersConfig extends KeyedRouteConfig {
  /** REFUND_WINDOW_DAYS, for the site of the order's country. */
  refundWindow: RefundWindow;
  /** MP_SITE_ID: the site of an order whose country Mercado Pago does not say. */
  siteId: SiteId;
}

export const loadOrdersConfig = (env: Env = process.env): OrdersConfig => {
  checkLogLevel(env);
  return {
    ...readKeyedRoute(env),
    refundWindow: parseRefundWindow(env.REFUND_WINDOW_DAYS),
    siteId: readSiteId(env),
  };
};
