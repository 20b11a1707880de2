/** The refund function's configuration: the slice of the environment it reads, checked at cold start. */
import {
  checkLogLevel,
  type Env,
  type MercadoPagoAccess,
  parseRefundWindow,
  type RefundWindow,
  readKeyRetentionDays,
  readMercadoPagoAccess,
  readSettlement,
  readStorage,
  type StorageConfig,
} from '../config/fields.ts';
import type { SettlementSettings } from '../model/settings.ts';

export interface RefundsConfig {
  storage: StorageConfig;
  mercadoPago: MercadoPagoAccess;
  settlement: SettlementSettings;
  keyRetentionDays: number;
  refundWindow: RefundWindow;
}

export const loadRefundsConfig = (env: Env = process.env): RefundsConfig => {
  checkLogLevel(env);
  return {
    storage: readStorage(env),
    mercadoPago: readMercadoPagoAccess(env),
    settlement: readSettlement(env),
    keyRetentionDays: readKeyRetentionDays(env),
    refundWindow: parseRefundWindow(env.REFUND_WINDOW_DAYS),
  };
};
