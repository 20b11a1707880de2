/** The cancellation function's configuration: the slice of the environment it reads, checked at cold start. */
import {
  checkLogLevel,
  type Env,
  type MercadoPagoAccess,
  readKeyRetentionDays,
  readMercadoPagoAccess,
  readSettlement,
  readStorage,
  type StorageConfig,
} from '../config/fields.ts';
import type { SettlementSettings } from '../model/settings.ts';

export interface CancellationConfig {
  storage: StorageConfig;
  mercadoPago: MercadoPagoAccess;
  settlement: SettlementSettings;
  keyRetentionDays: number;
}

export const loadCancellationConfig = (env: Env = process.env): CancellationConfig => {
  checkLogLevel(env);
  return {
    storage: readStorage(env),
    mercadoPago: readMercadoPagoAccess(env),
    settlement: readSettlement(env),
    keyRetentionDays: readKeyRetentionDays(env),
  };
};
