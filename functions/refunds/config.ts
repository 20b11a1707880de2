/** The refund function's configuration: the slice of the environment it reads, checked at cold start. */
import { checkLogLevel, type Env, parseRefundWindow, type RefundWindow } from '../config/fields.ts';
import { type KeyedRouteConfig, readKeyedRoute } from '../config/keyed-route.ts';

export interface RefundsConfig extends KeyedRouteConfig {
  refundWindow: RefundWindow;
}

export const loadRefundsConfig = (env: Env = process.env): RefundsConfig => {
  checkLogLevel(env);
  return { ...readKeyedRoute(env), refundWindow: parseRefundWindow(env.REFUND_WINDOW_DAYS) };
};
