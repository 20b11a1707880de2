/**
 * The configuration every route that writes money under an Idempotency-Key reads: refunds, cancellation,
 * order refunds and the operator's resolutions (the table, Mercado Pago, the settlement settings, and how long
 * a key is kept).
 */

import type { SettlementSettings } from '../model/settings.ts';
import {
  type Env,
  type MercadoPagoAccess,
  readKeyRetentionDays,
  readMercadoPagoAccess,
  readSettlement,
  readStorage,
  type StorageConfig,
} from './fields.ts';

export interface KeyedRouteConfig {
  storage: StorageConfig;
  mercadoPago: MercadoPagoAccess;
  settlement: SettlementSettings;
  /** IDEMPOTENCY_KEY_RETENTION_DAYS. */
  keyRetentionDays: number;
}

export const readKeyedRoute = (env: Env): KeyedRouteConfig => ({
  storage: readStorage(env),
  mercadoPago: readMercadoPagoAccess(env),
  settlement: readSettlement(env),
  keyRetentionDays: readKeyRetentionDays(env),
});
